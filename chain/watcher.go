package chain

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/store"
)

// Watcher defaults.
const (
	DefaultChunk    = 2000
	DefaultInterval = 2 * time.Second
	maxBackoff      = 30 * time.Second
	// addressesPerQuery bounds the address list of one eth_getLogs.
	addressesPerQuery = 500
	// maxRetries bounds how often one Tick retries a chunk whose blocks changed under it.
	maxRetries = 5
)

// WatcherOptions configures a Watcher.
type WatcherOptions struct {
	Confirmations uint64        // blocks below the head before logs are applied and txs final
	Chunk         uint64        // blocks per eth_getLogs; 0 means DefaultChunk
	Interval      time.Duration // between passes of Run; 0 means DefaultInterval
	StartBlock    uint64        // first block to scan when the store has no cursor yet
	// OnEvents gets each chunk's newly applied events, in chain order. An event is passed at
	// most once per (block hash, log index) in the life of the Watcher, except that when the
	// Watcher confirms a signing request's transaction whose events are still in the store's
	// notice outbox (the request reported it only after they were applied, so no notice could
	// name the request then), those events are passed again.
	OnEvents func(context.Context, []store.Event)
	// OnRequest gets each signing request that became confirmed, failed or expired.
	OnRequest func(context.Context, store.Request)
	Logger    *slog.Logger
}

// Watcher indexes the factory's and the reserves' logs into the store and settles signing
// requests, as DESIGN.md describes: it polls eth_getLogs over [cursor+1, head − confirmations]
// in chunks, moves the cursor in the same transaction as the events it covers, and rolls back
// to the common ancestor when the cursor's block is no longer canonical.
type Watcher struct {
	c   *Client
	db  *store.DB
	o   WatcherOptions
	log *slog.Logger

	mu      sync.Mutex // one Tick at a time
	chunk   uint64     // current chunk size: halved on "too large", grown back on success
	chainID uint64     // read once, for the reserves the watcher records
	// rolledBack holds the keys of events removed by a rollback, so that their return (the
	// chain flipping back) is not announced again.
	rolledBack map[eventKey]struct{}
}

type eventKey struct {
	blockHash string
	logIndex  uint
}

// NewWatcher makes a watcher of c's factory that writes to db.
func NewWatcher(c *Client, db *store.DB, o WatcherOptions) *Watcher {
	if o.Chunk == 0 {
		o.Chunk = DefaultChunk
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Watcher{c: c, db: db, o: o, log: o.Logger.With("component", "watcher"), chunk: o.Chunk,
		rolledBack: make(map[eventKey]struct{})}
}

// Run calls Tick every Interval until ctx is done, then returns ctx's error. A failing pass is
// logged and retried with exponential backoff up to 30 s; the cursor in the store makes the
// next pass resume where the last one stopped.
func (w *Watcher) Run(ctx context.Context) error {
	wait := time.Duration(0)
	backoff := time.Duration(0)
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		err := w.Tick(ctx)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			backoff = min(max(2*backoff, w.o.Interval, time.Second), maxBackoff)
			w.log.Warn("watcher pass failed", "err", err, "retry_in", backoff)
			wait = backoff
		default:
			backoff, wait = 0, w.o.Interval
		}
	}
}

// Tick makes one pass: it checks for a reorg, applies the logs of every block up to
// head − confirmations, settles the signing requests whose transactions are final, and
// expires the requests nobody signed in time.
func (w *Watcher) Tick(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	head, err := w.c.blockNumber(ctx)
	if err != nil {
		return err
	}
	if head >= w.o.Confirmations {
		if err := w.scan(ctx, head-w.o.Confirmations); err != nil {
			return err
		}
	}
	if err := w.settle(ctx, head); err != nil {
		return err
	}
	return w.expire(ctx)
}

// scan applies the logs of the blocks after the cursor up to target.
func (w *Watcher) scan(ctx context.Context, target uint64) error {
	cur, ok, err := w.cursor(ctx)
	if err != nil {
		return err
	}
	if ok {
		if cur.Number > target {
			// The node is behind what we applied (a lagging node, or a reorg to a shorter
			// chain that will show once the chain passes the cursor again): wait.
			return nil
		}
		if cur, err = w.checkReorg(ctx, cur); err != nil {
			return err
		}
	}
	retries := 0
	for {
		next := w.o.StartBlock
		if ok {
			next = cur.Number + 1
		}
		if next > target {
			return nil
		}
		end := min(target, next+w.chunk-1)
		n, err := w.chunkOnce(ctx, cur, ok, next, end)
		switch {
		case errors.Is(err, errTooLarge) && end > next:
			w.chunk = max(1, (end-next+1)/2)
			w.log.Debug("log query too large; halving the chunk", "from", next, "to", end, "chunk", w.chunk, "err", err)
			continue
		case errors.Is(err, errChainMoved) && retries < maxRetries:
			retries++
			if ok {
				if cur, err = w.checkReorg(ctx, cur); err != nil {
					return err
				}
			}
			continue
		case err != nil:
			return err
		}
		retries = 0
		cur, ok = n, true
		w.chunk = min(w.o.Chunk, 2*w.chunk)
	}
}

var (
	errTooLarge   = errors.New("the node refused the log query as too large")
	errChainMoved = errors.New("the chain changed while its logs were read")
)

// chunkOnce reads and applies the logs of blocks [from, end]; cur is the cursor (when ok) at
// from − 1. It returns the new cursor.
func (w *Watcher) chunkOnce(ctx context.Context, cur store.Cursor, ok bool, from, end uint64) (store.Cursor, error) {
	before, err := w.c.blockHashes(ctx, end)
	if err != nil {
		return store.Cursor{}, err
	}
	if before[0] == (common.Hash{}) {
		return store.Cursor{}, fmt.Errorf("%w: block %d is gone", errChainMoved, end)
	}
	logs, err := w.logs(ctx, from, end)
	if err != nil {
		return store.Cursor{}, err
	}
	// The blocks must not have changed while we read: the end block is the same, and the block
	// below the chunk is still the cursor's.
	numbers := []uint64{end}
	if ok {
		numbers = append(numbers, cur.Number)
	}
	after, err := w.c.blockHashes(ctx, numbers...)
	if err != nil {
		return store.Cursor{}, err
	}
	if after[0] != before[0] || ok && !strings.EqualFold(after[1].Hex(), cur.Hash) {
		return store.Cursor{}, errChainMoved
	}
	events := make([]store.Event, 0, len(logs))
	for _, l := range logs {
		if l.BlockHash != before[0] && l.BlockNumber == end {
			return store.Cursor{}, errChainMoved
		}
		name, args, err := decodeLog(l)
		if err != nil {
			w.log.Warn("skipping a log the watcher cannot decode", "err", err, "address", l.Address.Hex(), "tx", l.TxHash.Hex())
			continue
		}
		events = append(events, store.Event{
			BlockNumber: l.BlockNumber,
			BlockHash:   strings.ToLower(l.BlockHash.Hex()),
			LogIndex:    l.Index,
			TxHash:      strings.ToLower(l.TxHash.Hex()),
			Address:     lowerHex(l.Address),
			Name:        name,
			Args:        args,
		})
	}
	next := store.Cursor{Number: end, Hash: strings.ToLower(before[0].Hex())}
	applied, err := w.db.ApplyEvents(ctx, next, events)
	if err != nil {
		return store.Cursor{}, fmt.Errorf("chain: watcher: apply blocks %d-%d: %w", from, end, err)
	}
	fresh := applied[:0:0]
	for _, e := range applied {
		k := eventKey{e.BlockHash, e.LogIndex}
		if _, seen := w.rolledBack[k]; seen {
			delete(w.rolledBack, k)
			continue
		}
		fresh = append(fresh, e)
	}
	if len(applied) > 0 {
		w.log.Info("applied events", "from", from, "to", end, "events", len(applied))
	}
	if len(fresh) > 0 && w.o.OnEvents != nil {
		w.o.OnEvents(ctx, fresh)
	}
	return next, nil
}

// logs returns the logs of the factory and every known reserve in [from, end], in chain order.
// A ReserveCreated in the range makes the new reserve known, and the range is read again for
// the new addresses so none of their logs are missed.
func (w *Watcher) logs(ctx context.Context, from, end uint64) ([]types.Log, error) {
	reserves, err := w.db.Reserves(ctx)
	if err != nil {
		return nil, fmt.Errorf("chain: watcher: reserves: %w", err)
	}
	known := map[common.Address]bool{w.c.factory: true}
	addrs := []common.Address{w.c.factory}
	for _, r := range reserves {
		a := common.HexToAddress(r.Address)
		if !known[a] {
			known[a] = true
			addrs = append(addrs, a)
		}
	}
	logs, err := w.query(ctx, from, end, addrs)
	if err != nil {
		return nil, err
	}
	created := factoryABI.Events["ReserveCreated"].ID
	var fresh []common.Address
	for _, l := range logs {
		if l.Address != w.c.factory || len(l.Topics) == 0 || l.Topics[0] != created {
			continue
		}
		ev, err := factoryBind.UnpackReserveCreatedEvent(&l)
		if err != nil {
			return nil, fmt.Errorf("chain: watcher: ReserveCreated in block %d: %w", l.BlockNumber, err)
		}
		if err := w.addReserve(ctx, ev.Reserve, ev.Issuer, ev.Asset, l.BlockNumber); err != nil {
			return nil, err
		}
		if !known[ev.Reserve] {
			known[ev.Reserve] = true
			fresh = append(fresh, ev.Reserve)
		}
	}
	if len(fresh) > 0 {
		more, err := w.query(ctx, from, end, fresh)
		if err != nil {
			return nil, err
		}
		logs = append(logs, more...)
	}
	slices.SortFunc(logs, func(a, b types.Log) int {
		if a.BlockNumber != b.BlockNumber {
			return compare(a.BlockNumber, b.BlockNumber)
		}
		return compare(a.Index, b.Index)
	})
	return slices.CompactFunc(logs, func(a, b types.Log) bool {
		return a.BlockHash == b.BlockHash && a.Index == b.Index
	}), nil
}

func compare[T uint | uint64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// query is eth_getLogs for addrs in groups; errTooLarge when the node says the range or the
// result is too large.
func (w *Watcher) query(ctx context.Context, from, end uint64, addrs []common.Address) ([]types.Log, error) {
	var all []types.Log
	for group := range slices.Chunk(addrs, addressesPerQuery) {
		logs, err := w.c.filterLogs(ctx, from, end, group)
		if err != nil {
			if isTooLarge(err) {
				return nil, fmt.Errorf("%w: %w", errTooLarge, err)
			}
			return nil, err
		}
		for _, l := range logs {
			if !l.Removed {
				all = append(all, l)
			}
		}
	}
	return all, nil
}

// isTooLarge reports whether the node refused a log query for its range or result size.
func isTooLarge(err error) bool {
	if trustbot.ErrorCode(err) == trustbot.EUnavailable {
		return false
	}
	var rpcErr rpc.Error
	if errors.As(err, &rpcErr) && rpcErr.ErrorCode() == -32005 {
		return true
	}
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"too large", "too many", "limit", "range"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// addReserve records a reserve the factory created, with its token's name, symbol and decimals.
func (w *Watcher) addReserve(ctx context.Context, reserve, issuer, asset common.Address, block uint64) error {
	out, err := w.c.callBatch(ctx, "reserve "+reserve.Hex(),
		callMsg{To: reserve, Data: reserveBind.PackName()},
		callMsg{To: reserve, Data: reserveBind.PackSymbol()},
		callMsg{To: reserve, Data: reserveBind.PackDecimals()})
	if err != nil {
		return err
	}
	name, err1 := reserveBind.UnpackName(out[0])
	symbol, err2 := reserveBind.UnpackSymbol(out[1])
	decimals, err3 := reserveBind.UnpackDecimals(out[2])
	if err := errors.Join(err1, err2, err3); err != nil {
		// No code there (yet, or any more): the chain moved under us.
		return fmt.Errorf("%w: reserve %s: %w", errChainMoved, reserve.Hex(), err)
	}
	if w.chainID == 0 {
		id := w.c.ChainID()
		if id == nil {
			if id, err = w.c.readChainID(ctx); err != nil {
				return err
			}
		}
		w.chainID = id.Uint64()
	}
	_, err = w.db.AddReserve(ctx, store.Reserve{
		Address: lowerHex(reserve), Issuer: lowerHex(issuer), Asset: lowerHex(asset),
		ChainID: w.chainID, CreatedBlock: block,
		Name: name, Symbol: symbol, Decimals: decimals,
	})
	if err != nil {
		return fmt.Errorf("chain: watcher: add reserve %s: %w", reserve.Hex(), err)
	}
	return nil
}

// cursor is the stored cursor; ok is false before the first chunk.
func (w *Watcher) cursor(ctx context.Context) (store.Cursor, bool, error) {
	cur, err := w.db.Cursor(ctx)
	if trustbot.ErrorCode(err) == trustbot.ENotFound {
		return store.Cursor{}, false, nil
	} else if err != nil {
		return store.Cursor{}, false, fmt.Errorf("chain: watcher: cursor: %w", err)
	}
	return cur, true, nil
}

// checkReorg compares the cursor with the chain's block at its height. When they differ, it
// rolls the store back to the common ancestor: the highest block with stored events whose hash
// is still canonical (else the block before StartBlock) and returns the new cursor.
func (w *Watcher) checkReorg(ctx context.Context, cur store.Cursor) (store.Cursor, error) {
	hashes, err := w.c.blockHashes(ctx, cur.Number)
	if err != nil {
		return cur, err
	}
	if strings.EqualFold(hashes[0].Hex(), cur.Hash) {
		return cur, nil
	}
	if hashes[0] == (common.Hash{}) {
		// The node has no block there (any more): wait until it does.
		return cur, fmt.Errorf("chain: watcher: the node has no block %d yet", cur.Number)
	}
	ancestor, err := w.ancestor(ctx, cur.Number)
	if err != nil {
		return cur, err
	}
	removed, err := w.db.RollbackTo(ctx, ancestor.Number, ancestor.Hash)
	if err != nil {
		return cur, fmt.Errorf("chain: watcher: roll back to block %d: %w", ancestor.Number, err)
	}
	for _, e := range removed {
		w.rolledBack[eventKey{e.BlockHash, e.LogIndex}] = struct{}{}
	}
	w.log.Warn("reorg: rolled back", "from_block", cur.Number, "from_hash", cur.Hash,
		"to_block", ancestor.Number, "to_hash", ancestor.Hash, "removed_events", len(removed))
	return ancestor, nil
}

// ancestor walks back over the block numbers of the stored events at or below below, highest
// first, to the highest whose stored hash is still canonical.
func (w *Watcher) ancestor(ctx context.Context, below uint64) (store.Cursor, error) {
	const window = 1024
	hi := below
	for {
		lo := w.o.StartBlock
		if hi >= lo+window {
			lo = hi - window + 1
		}
		events, err := w.db.Events(ctx, store.EventFilter{FromBlock: max(lo, 1), ToBlock: max(hi, 1)})
		if err != nil {
			return store.Cursor{}, fmt.Errorf("chain: watcher: events: %w", err)
		}
		// Distinct (number, hash) pairs, highest first.
		type block struct {
			number uint64
			hash   string
		}
		var blocks []block
		for i := len(events) - 1; i >= 0; i-- {
			e := events[i]
			if len(blocks) == 0 || blocks[len(blocks)-1] != (block{e.BlockNumber, e.BlockHash}) {
				blocks = append(blocks, block{e.BlockNumber, e.BlockHash})
			}
		}
		for _, b := range blocks {
			hashes, err := w.c.blockHashes(ctx, b.number)
			if err != nil {
				return store.Cursor{}, err
			}
			if strings.EqualFold(hashes[0].Hex(), b.hash) {
				return store.Cursor{Number: b.number, Hash: b.hash}, nil
			}
		}
		if lo <= w.o.StartBlock {
			break
		}
		hi = lo - 1
	}
	// No stored block survived: start over from StartBlock.
	base := uint64(0)
	if w.o.StartBlock > 0 {
		base = w.o.StartBlock - 1
	}
	hashes, err := w.c.blockHashes(ctx, base)
	if err != nil {
		return store.Cursor{}, err
	}
	return store.Cursor{Number: base, Hash: strings.ToLower(hashes[0].Hex())}, nil
}

// settle confirms or fails the reported transactions whose blocks are final, and tells
// OnRequest about each request that became final.
func (w *Watcher) settle(ctx context.Context, head uint64) error {
	pending, err := w.db.PendingTxs(ctx)
	if err != nil {
		return fmt.Errorf("chain: watcher: pending txs: %w", err)
	}
	for _, p := range pending {
		r, err := w.c.receipt(ctx, common.HexToHash(p.Hash))
		if errors.Is(err, ethereum.NotFound) {
			continue // not mined yet
		} else if err != nil {
			return err
		}
		block := r.BlockNumber.Uint64()
		if block+w.o.Confirmations > head {
			continue
		}
		var (
			req     store.Request
			changed bool
		)
		if r.Status == types.ReceiptStatusSuccessful {
			req, changed, err = w.db.ConfirmTx(ctx, p.Hash, block)
		} else {
			req, changed, err = w.db.FailTx(ctx, p.Hash, "the transaction reverted")
		}
		if err != nil {
			return fmt.Errorf("chain: watcher: settle %s: %w", p.Hash, err)
		}
		if r.Status == types.ReceiptStatusSuccessful {
			if err := w.announceLate(ctx, p.Hash); err != nil {
				return err
			}
		}
		if changed && req.Status.Final() {
			w.log.Info("signing request settled", "request", shortID(req.ID), "status", req.Status)
			if w.o.OnRequest != nil {
				w.o.OnRequest(ctx, req)
			}
		}
	}
	return nil
}

// announceLate passes OnEvents the events of a confirmed request transaction that are still in
// the notice outbox: they were applied before the request reported the transaction, and the
// notice left out then (it needs the request) can be sent now.
func (w *Watcher) announceLate(ctx context.Context, hash string) error {
	if w.o.OnEvents == nil {
		return nil
	}
	outbox, err := w.db.UnnotifiedEvents(ctx)
	if err != nil {
		return fmt.Errorf("chain: watcher: notice outbox: %w", err)
	}
	var late []store.Event
	for _, e := range outbox {
		if strings.EqualFold(e.TxHash, hash) {
			late = append(late, e)
		}
	}
	if len(late) > 0 {
		w.log.Info("announcing events applied before their request reported them", "tx", hash, "events", len(late))
		w.o.OnEvents(ctx, late)
	}
	return nil
}

// expire expires the requests nobody signed in time.
func (w *Watcher) expire(ctx context.Context) error {
	expired, err := w.db.ExpireRequests(ctx)
	if err != nil {
		return fmt.Errorf("chain: watcher: expire requests: %w", err)
	}
	for _, r := range expired {
		w.log.Info("signing request expired", "request", shortID(r.ID))
		if w.o.OnRequest != nil {
			w.o.OnRequest(ctx, r)
		}
	}
	return nil
}

// shortID is the part of a signing request's id that is safe to log: the id is a bearer
// secret (whoever has it can open the link), so logs carry only its first 6 characters.
func shortID(id string) string {
	if len(id) > 6 {
		return id[:6]
	}
	return id
}
