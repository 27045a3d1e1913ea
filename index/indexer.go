// Package index is the indexer: it polls the chain's logs, decodes them into typed events,
// and writes each chunk of blocks in one store transaction (events, the reserves found, the
// projection, the notice outbox and the cursor), rolling all of it back on a reorg. It also
// settles and expires signing requests.
package index

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
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
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

// Options configures a Watcher.
type Options struct {
	Confirmations uint64        // blocks below the head before logs are applied and txs final
	Chunk         uint64        // blocks per eth_getLogs; 0 means DefaultChunk
	Interval      time.Duration // between passes of Run; 0 means DefaultInterval
	StartBlock    uint64        // first block to scan when the store has no cursor yet
	// Finality is the block tag the watcher applies logs and settles transactions up to:
	// FinalizedTag or SafeTag, the node's eth_getBlockByNumber of that tag. Empty means the
	// latest block − Confirmations, and Confirmations then counts; with a tag it does not.
	Finality string
	// OnRequest gets each signing request that became confirmed, failed or expired.
	OnRequest func(context.Context, trustbot.SigningRequest)
	// OnApplied is called after a chunk added events (the notice outbox may have work).
	OnApplied func()
	Logger    *slog.Logger
}

// Block tags for Options.Finality.
const (
	FinalizedTag = "finalized"
	SafeTag      = "safe"
)

// Indexer indexes the factory's and the reserves' logs into the store and settles signing
// requests, as DESIGN.md describes: it polls eth_getLogs over [cursor+1, head − confirmations]
// in chunks, moves the cursor in the same transaction as the events it covers, and rolls back
// to the common ancestor when the cursor's block is no longer canonical.
type Indexer struct {
	c   *chain.Client
	db  *store.DB
	o   Options
	log *slog.Logger

	mu      sync.Mutex // one Tick at a time
	chunk   uint64     // current chunk size: halved on "too large", grown back on success
	chainID uint64     // read once, for the reserves the watcher records
}

// New makes a watcher of c's factory that writes to db.
func New(c *chain.Client, db *store.DB, o Options) *Indexer {
	if o.Chunk == 0 {
		o.Chunk = DefaultChunk
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Indexer{c: c, db: db, o: o, log: o.Logger.With("component", "indexer"), chunk: o.Chunk}
}

// Run calls Tick every Interval until ctx is done, then returns ctx's error. A failing pass is
// logged and retried with exponential backoff up to 30 s; the cursor in the store makes the
// next pass resume where the last one stopped.
func (w *Indexer) Run(ctx context.Context) error {
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

// Tick makes one pass: it checks for a reorg, applies the logs of every block up to the final
// head (the node's Finality block, or head − confirmations), settles the signing requests
// whose transactions are in a final block, and expires the requests nobody signed in time.
func (w *Indexer) Tick(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	final, ok, err := w.finalHead(ctx)
	if err != nil {
		return err
	}
	if ok {
		if err := w.scan(ctx, final); err != nil {
			return err
		}
	}
	if err := w.settle(ctx, final, ok); err != nil {
		return err
	}
	return w.expire(ctx)
}

// finalHead is the highest block whose logs may be applied: the node's block of the Finality
// tag, or the latest block − Confirmations. ok is false while there is none (a chain shorter
// than Confirmations, or a node with no block of that tag yet).
func (w *Indexer) finalHead(ctx context.Context) (uint64, bool, error) {
	if w.o.Finality == "" {
		head, err := w.c.BlockNumber(ctx)
		if err != nil || head < w.o.Confirmations {
			return 0, false, err
		}
		return head - w.o.Confirmations, true, nil
	}
	timeout := w.c.Timeout
	if timeout <= 0 {
		timeout = chain.DefaultTimeout
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var head *struct {
		Number hexutil.Uint64 `json:"number"`
	}
	if err := w.c.Eth().Client().CallContext(cctx, &head, "eth_getBlockByNumber", w.o.Finality, false); err != nil {
		return 0, false, fmt.Errorf("index: the node's %s block: %w", w.o.Finality, err)
	}
	if head == nil {
		return 0, false, nil
	}
	return uint64(head.Number), true, nil
}

// scan applies the logs of the blocks after the cursor up to target.
func (w *Indexer) scan(ctx context.Context, target uint64) error {
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
func (w *Indexer) chunkOnce(ctx context.Context, cur trustbot.Block, ok bool, from, end uint64) (trustbot.Block, error) {
	before, err := w.c.BlockHashes(ctx, end)
	if err != nil {
		return trustbot.Block{}, err
	}
	if before[0] == (common.Hash{}) {
		return trustbot.Block{}, fmt.Errorf("%w: block %d is gone", errChainMoved, end)
	}
	logs, found, err := w.logs(ctx, from, end)
	if err != nil {
		return trustbot.Block{}, err
	}
	// The blocks must not have changed while we read: the end block is the same, and the block
	// below the chunk is still the cursor's.
	numbers := []uint64{end}
	if ok {
		numbers = append(numbers, cur.Number)
	}
	after, err := w.c.BlockHashes(ctx, numbers...)
	if err != nil {
		return trustbot.Block{}, err
	}
	if after[0] != before[0] || ok && after[1] != cur.Hash {
		return trustbot.Block{}, errChainMoved
	}
	events := make([]trustbot.Event, 0, len(logs))
	for _, l := range logs {
		if l.BlockHash != before[0] && l.BlockNumber == end {
			return trustbot.Block{}, errChainMoved
		}
		e, err := chain.DecodeLog(l)
		if errors.Is(err, chain.ErrUnknownLog) {
			continue
		} else if err != nil {
			w.log.Warn("skipping a log the indexer cannot decode", "err", err, "address", l.Address.Hex(), "tx", l.TxHash.Hex())
			continue
		}
		events = append(events, e)
	}
	next := trustbot.Block{Number: end, Hash: before[0]}
	applied, err := w.db.ApplyChunk(ctx, store.Chunk{Cursor: next, Events: events, Reserves: found})
	if err != nil {
		return trustbot.Block{}, fmt.Errorf("index: apply blocks %d-%d: %w", from, end, err)
	}
	if applied > 0 {
		w.log.Info("applied events", "from", from, "to", end, "events", applied)
		if w.o.OnApplied != nil {
			w.o.OnApplied()
		}
	}
	return next, nil
}

// logs returns the logs of the factory and every known reserve in [from, end], in chain order,
// and the reserves the factory created in the range (with their tokens' names, read now). A
// ReserveCreated in the range makes the new reserve known, and the range is read again for the
// new addresses so none of their logs are missed.
func (w *Indexer) logs(ctx context.Context, from, end uint64) ([]types.Log, []trustbot.Reserve, error) {
	reserves, err := w.db.Reserves(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("index: reserves: %w", err)
	}
	factory := w.c.Factory()
	known := map[common.Address]bool{factory: true}
	addrs := []common.Address{factory}
	for _, r := range reserves {
		if !known[r.Address] {
			known[r.Address] = true
			addrs = append(addrs, r.Address)
		}
	}
	logs, err := w.query(ctx, from, end, addrs)
	if err != nil {
		return nil, nil, err
	}
	var (
		fresh []common.Address
		found []trustbot.Reserve
	)
	for _, l := range logs {
		if l.Address != factory {
			continue
		}
		e, err := chain.DecodeLog(l)
		created, isCreated := e.Data.(*trustbot.ReserveCreated)
		if err != nil || !isCreated {
			continue
		}
		r, err := w.newReserve(ctx, created, l.BlockNumber)
		if err != nil {
			return nil, nil, err
		}
		found = append(found, r)
		if !known[created.Reserve] {
			known[created.Reserve] = true
			fresh = append(fresh, created.Reserve)
		}
	}
	if len(fresh) > 0 {
		more, err := w.query(ctx, from, end, fresh)
		if err != nil {
			return nil, nil, err
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
	}), found, nil
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
func (w *Indexer) query(ctx context.Context, from, end uint64, addrs []common.Address) ([]types.Log, error) {
	var all []types.Log
	for group := range slices.Chunk(addrs, addressesPerQuery) {
		logs, err := w.c.FilterLogs(ctx, from, end, group)
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

// newReserve describes a reserve the factory created, with its token's and its asset's names.
func (w *Indexer) newReserve(ctx context.Context, ev *trustbot.ReserveCreated, block uint64) (trustbot.Reserve, error) {
	name, symbol, decimals, asset, err := w.c.ReserveTokens(ctx, ev.Reserve, ev.Asset)
	if err != nil {
		if trustbot.ErrorCode(err) == trustbot.EUnavailable {
			return trustbot.Reserve{}, err
		}
		// No code there (yet, or any more): the chain moved under us.
		return trustbot.Reserve{}, fmt.Errorf("%w: %w", errChainMoved, err)
	}
	if w.chainID == 0 {
		id := w.c.ChainID()
		if id == nil {
			if id, err = w.c.ReadChainID(ctx); err != nil {
				return trustbot.Reserve{}, err
			}
		}
		w.chainID = id.Uint64()
	}
	return trustbot.Reserve{
		Address: ev.Reserve, Issuer: ev.Issuer, ChainID: w.chainID, CreatedBlock: block,
		Name: name, Symbol: symbol, Decimals: decimals, Asset: asset,
	}, nil
}

// cursor is the stored cursor; ok is false before the first chunk.
func (w *Indexer) cursor(ctx context.Context) (trustbot.Block, bool, error) {
	cur, err := w.db.Cursor(ctx)
	if trustbot.ErrorCode(err) == trustbot.ENotFound {
		return trustbot.Block{}, false, nil
	} else if err != nil {
		return trustbot.Block{}, false, fmt.Errorf("index: cursor: %w", err)
	}
	return cur, true, nil
}

// checkReorg compares the cursor with the chain's block at its height. When they differ, it
// rolls the store back to the common ancestor: the highest block with stored events whose hash
// is still canonical (else the block before StartBlock) and returns the new cursor.
func (w *Indexer) checkReorg(ctx context.Context, cur trustbot.Block) (trustbot.Block, error) {
	hashes, err := w.c.BlockHashes(ctx, cur.Number)
	if err != nil {
		return cur, err
	}
	if hashes[0] == cur.Hash {
		return cur, nil
	}
	if hashes[0] == (common.Hash{}) {
		// The node has no block there (any more): wait until it does.
		return cur, fmt.Errorf("index: the node has no block %d yet", cur.Number)
	}
	ancestor, err := w.ancestor(ctx, cur.Number)
	if err != nil {
		return cur, err
	}
	removed, err := w.db.RollbackTo(ctx, ancestor)
	if err != nil {
		return cur, fmt.Errorf("index: roll back to block %d: %w", ancestor.Number, err)
	}
	w.log.Warn("reorg: rolled back", "from_block", cur.Number, "from_hash", cur.Hash.Hex(),
		"to_block", ancestor.Number, "to_hash", ancestor.Hash.Hex(), "removed_events", len(removed))
	return ancestor, nil
}

// ancestor walks back over the block numbers of the stored events at or below below, highest
// first, to the highest whose stored hash is still canonical.
func (w *Indexer) ancestor(ctx context.Context, below uint64) (trustbot.Block, error) {
	const window = 1024
	hi := below
	for {
		lo := w.o.StartBlock
		if hi >= lo+window {
			lo = hi - window + 1
		}
		events, err := w.db.Events(ctx, store.EventFilter{FromBlock: max(lo, 1), ToBlock: max(hi, 1)})
		if err != nil {
			return trustbot.Block{}, fmt.Errorf("index: events: %w", err)
		}
		// Distinct (number, hash) pairs, highest first.
		var blocks []trustbot.Block
		for i := len(events) - 1; i >= 0; i-- {
			if b := events[i].Block; len(blocks) == 0 || blocks[len(blocks)-1] != b {
				blocks = append(blocks, b)
			}
		}
		for _, b := range blocks {
			hashes, err := w.c.BlockHashes(ctx, b.Number)
			if err != nil {
				return trustbot.Block{}, err
			}
			if hashes[0] == b.Hash {
				return b, nil
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
	hashes, err := w.c.BlockHashes(ctx, base)
	if err != nil {
		return trustbot.Block{}, err
	}
	return trustbot.Block{Number: base, Hash: hashes[0]}, nil
}

// settle confirms or fails the reported transactions whose blocks are final (at or below
// final, when ok), and tells OnRequest about each request that became final.
func (w *Indexer) settle(ctx context.Context, final uint64, ok bool) error {
	pending, err := w.db.PendingTxs(ctx)
	if err != nil {
		return fmt.Errorf("index: pending txs: %w", err)
	}
	for _, p := range pending {
		r, err := w.c.Receipt(ctx, p.Hash)
		if errors.Is(err, ethereum.NotFound) {
			continue // not mined yet
		} else if err != nil {
			return err
		}
		block := r.BlockNumber.Uint64()
		if !ok || block > final {
			continue
		}
		var (
			req     trustbot.SigningRequest
			changed bool
		)
		if r.Status == types.ReceiptStatusSuccessful {
			req, changed, err = w.db.ConfirmTx(ctx, p.Hash, block)
		} else {
			req, changed, err = w.db.FailTx(ctx, p.Hash, "the transaction reverted")
		}
		if err != nil {
			return fmt.Errorf("index: settle %s: %w", p.Hash.Hex(), err)
		}
		if changed && req.Status.Final() {
			w.log.Info("signing request settled", "request", trustbot.ShortID(req.ID), "status", req.Status)
			if w.o.OnRequest != nil {
				w.o.OnRequest(ctx, req)
			}
		}
	}
	return nil
}

// expire expires the requests nobody signed in time.
func (w *Indexer) expire(ctx context.Context) error {
	expired, err := w.db.ExpireRequests(ctx)
	if err != nil {
		return fmt.Errorf("index: expire requests: %w", err)
	}
	for _, r := range expired {
		w.log.Info("signing request expired", "request", trustbot.ShortID(r.ID))
		if w.o.OnRequest != nil {
			w.o.OnRequest(ctx, r)
		}
	}
	return nil
}
