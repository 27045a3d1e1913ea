package index_test

import (
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trustbot/trustbot/chain/chaintest"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/bindings"
	"github.com/trustbot/trustbot/chain/devchain"
	"github.com/trustbot/trustbot/index"
	"github.com/trustbot/trustbot/store"
)

// mintData is tUSD's mint of one unit to to: a cheap transaction to make a block.
func mintData(to common.Address) []byte {
	return bindings.NewTestUSD().PackMint(to, big.NewInt(1))
}

const zeroAddr = "0x0000000000000000000000000000000000000000"

var maxUint = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))

// story runs create, deposit, trust, redeem, reup, revoke on dc and returns the reserve and
// the events the watcher should index, in order.
func story(t *testing.T, dc *devchain.Chain, manual bool) (common.Address, []eventView) {
	t.Helper()
	ctx := context.Background()
	alice, bob := chaintest.Member(t, dc, "alice"), chaintest.Member(t, dc, "bob")
	usd := trustbot.Token{Address: dc.TestUSD(), Symbol: "tUSD", Decimals: 6}
	r, err := dc.Client().Predict(ctx, alice.Address(), usd.Address)
	if err != nil {
		t.Fatal(err)
	}
	chaintest.SendOK(t, dc, manual, alice, chain.CreateReserve(dc.Factory(), usd.Address, "Alice trust", "tALICE"))
	chaintest.SendOK(t, dc, manual, alice, chain.Deposit(r, usd, chaintest.Units(300))...)
	chaintest.SendOK(t, dc, manual, alice, chain.Trust(r, bob.Address(), chaintest.Units(100)))
	chaintest.SendOK(t, dc, manual, bob, chain.Redeem(r, chaintest.Units(60), bob.Address()))
	chaintest.SendOK(t, dc, manual, alice, chain.Reup(r, bob.Address(), chaintest.Units(1000)))
	chaintest.SendOK(t, dc, manual, alice, chain.Revoke(r, bob.Address(), nil))

	a, b, res := lower(alice.Address()), lower(bob.Address()), lower(r)
	ev := func(addr, name string, args ...string) eventView {
		return eventView{Address: addr, Name: name, Args: strings.Join(args, " ")}
	}
	return r, []eventView{
		ev(lower(dc.Factory()), "ReserveCreated", "asset="+lower(usd.Address), "issuer="+a, "reserve="+res),
		ev(res, "Deposited", "amount="+chaintest.Units(300).String(), "from="+a),
		ev(res, "Transfer", "amount="+chaintest.Units(100).String(), "from="+zeroAddr, "to="+b),
		ev(res, "Trusted", "amount="+chaintest.Units(100).String(), "holder="+b),
		ev(res, "Transfer", "amount="+chaintest.Units(60).String(), "from="+b, "to="+zeroAddr),
		ev(res, "Transfer", "amount="+chaintest.Units(60).String(), "from="+zeroAddr, "to="+b),
		ev(res, "Transfer", "amount="+chaintest.Units(100).String(), "from="+b, "to="+zeroAddr),
		ev(res, "Revoked", "amount="+maxUint.String()),
	}
}

// recorder collects what an indexer reports.
type recorder struct {
	mu       sync.Mutex
	applied  int // chunks that added events
	requests []trustbot.SigningRequest
}

func (r *recorder) onApplied() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.applied++
}

func (r *recorder) onRequest(_ context.Context, req trustbot.SigningRequest) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = append(r.requests, req)
}

func (r *recorder) options(o index.Options) index.Options {
	o.OnApplied, o.OnRequest = r.onApplied, r.onRequest
	return o
}

func wantEvents(t *testing.T, db *store.DB, want []eventView) []trustbot.Event {
	t.Helper()
	events, err := db.Events(context.Background(), store.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != len(want) {
		for _, e := range events {
			t.Logf("stored: %+v", view(e))
		}
		t.Fatalf("stored events: got %d, want %d", len(events), len(want))
	}
	for i, e := range events {
		if got := view(e); got != want[i] {
			t.Errorf("event %d: got %+v, want %+v", i, got, want[i])
		}
	}
	return events
}

func wantCursorAtHead(t *testing.T, dc *devchain.Chain, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	head, err := dc.Client().Eth().HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := db.Cursor(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (trustbot.Block{Number: head.Number.Uint64(), Hash: head.Hash()}); cur != want {
		t.Errorf("cursor: got %+v, want the head %+v", cur, want)
	}
}

func TestWatcherStory(t *testing.T) {
	ctx := context.Background()
	dc := chaintest.StartDev(t, false)
	r, want := story(t, dc, false)

	db := tempDB(t)
	rec := &recorder{}
	w := index.New(dc.Client(), db, rec.options(index.Options{}))
	if err := w.Tick(ctx); err != nil {
		t.Fatalf("Tick: %v", err)
	}
	events := wantEvents(t, db, want)
	wantCursorAtHead(t, dc, db)
	for i := 1; i < len(events); i++ {
		a, b := events[i-1], events[i]
		if a.Block.Number > b.Block.Number || a.Block.Number == b.Block.Number && a.LogIndex >= b.LogIndex {
			t.Errorf("events %d and %d: got (block %d, log %d) before (block %d, log %d), want chain order",
				i-1, i, a.Block.Number, a.LogIndex, b.Block.Number, b.LogIndex)
		}
	}
	reserves, err := db.Reserves(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(reserves) != 1 || reserves[0].Address != r || reserves[0].Name != "Alice trust" ||
		reserves[0].Symbol != "tALICE" || reserves[0].Decimals != 6 || reserves[0].ChainID != 1337 ||
		reserves[0].CreatedBlock != events[0].Block.Number {
		t.Errorf("reserves: got %+v, want tALICE (6 decimals) at %s created in block %d", reserves, lower(r), events[0].Block.Number)
	}

	// A second pass finds nothing new.
	before := digest(t, db)
	if err := w.Tick(ctx); err != nil {
		t.Fatalf("second Tick: %v", err)
	}
	if got := digest(t, db); got != before {
		t.Errorf("second Tick changed the database")
	}
	if rec.applied != 1 {
		t.Errorf("OnApplied calls: got %d, want 1", rec.applied)
	}

	// Chunks of one block give the same database as chunks of 2000.
	small := tempDB(t)
	if err := index.New(dc.Client(), small, index.Options{Chunk: 1}).Tick(ctx); err != nil {
		t.Fatalf("Tick with chunk 1: %v", err)
	}
	if got, want := digest(t, small), digest(t, db); got != want {
		t.Errorf("chunk 1: got database %s, want the chunk-2000 database %s", got, want)
	}

	// A node that refuses ranges of more than 3 blocks makes the watcher halve its chunks.
	const maxRange = 3
	p := chaintest.NewRefuser(t, dc.URL(), func(r chaintest.Request) (int, string, bool) {
		if r.Method != "eth_getLogs" || len(r.Params) != 1 {
			return 0, "", false
		}
		var q struct {
			FromBlock hexutil.Uint64 `json:"fromBlock"`
			ToBlock   hexutil.Uint64 `json:"toBlock"`
		}
		if err := json.Unmarshal(r.Params[0], &q); err != nil {
			return -32602, err.Error(), true
		}
		return -32005, "query returned more than 10000 results", q.ToBlock-q.FromBlock+1 > maxRange
	})
	pc, err := chain.Dial(ctx, p.URL, dc.Factory())
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	limited := tempDB(t)
	if err := index.New(pc, limited, index.Options{}).Tick(ctx); err != nil {
		t.Fatalf("Tick through the limiting node: %v", err)
	}
	if got, want := digest(t, limited), digest(t, db); got != want {
		t.Errorf("limited node: got database %s, want %s", got, want)
	}
	if p.Refusals() == 0 {
		t.Errorf("limiting node refused nothing; want the first wide query refused")
	}
}

func TestWatcherRestart(t *testing.T) {
	ctx := context.Background()
	dc := chaintest.StartDev(t, false)
	_, want := story(t, dc, false)

	whole := tempDB(t)
	if err := index.New(dc.Client(), whole, index.Options{}).Tick(ctx); err != nil {
		t.Fatal(err)
	}

	// Stop a watcher with one-block chunks after it applied two chunks with events.
	path := filepath.Join(t.TempDir(), "restart.db")
	db, err := store.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	calls := 0
	w := index.New(dc.Client(), db, index.Options{Chunk: 1, OnApplied: func() {
		if calls++; calls == 2 {
			cancel()
		}
	}})
	if err := w.Tick(runCtx); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted Tick: got %v, want context.Canceled", err)
	}
	cancel()
	partial, err := db.Events(ctx, store.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(partial) == 0 || len(partial) >= len(want) {
		t.Fatalf("events after the interruption: got %d, want some but fewer than %d", len(partial), len(want))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// Reopen and run again from the stored cursor.
	db = openDB(t, path, nil)
	runCtx, cancel = context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	w = index.New(dc.Client(), db, index.Options{Interval: 10 * time.Millisecond})
	go func() { done <- w.Run(runCtx) }()
	head, err := dc.Client().Eth().BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		cur, err := db.Cursor(ctx)
		if err == nil && cur.Number >= head {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Run: cursor %+v did not reach block %d", cur, head)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run after cancel: got %v, want context.Canceled", err)
	}
	wantEvents(t, db, want)
	if got, want := digest(t, db), digest(t, whole); got != want {
		t.Errorf("restarted watcher: got database %s, want the uninterrupted one %s", got, want)
	}
}

func TestWatcherReorg(t *testing.T) {
	ctx := context.Background()
	dc := chaintest.StartDev(t, true)
	c := dc.Client()
	alice, bob, carol := chaintest.Member(t, dc, "alice"), chaintest.Member(t, dc, "bob"), chaintest.Member(t, dc, "carol")

	r := aliceReserve(t, dc, true, alice, chaintest.Ether(10))

	db := tempDB(t)
	w := index.New(c, db, index.Options{})
	if err := w.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	fork, err := c.Eth().HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}

	// Branch A: Alice trusts Bob; the watcher applies it.
	// The trust is a signing request's transaction: its notice enters the outbox.
	trustBob := chain.Trust(r, bob.Address(), chaintest.Ether(1))
	req := newRequest(t, db, "request-reorg-trust-01", alice.Address(), time.Now().Add(time.Hour), trustBob)
	abandoned := chaintest.Send(t, dc, true, alice, trustBob)
	if _, err := db.RecordTx(ctx, req.ID, 0, abandoned.TxHash); err != nil {
		t.Fatal(err)
	}
	if err := w.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countEvents(t, db, abandoned.BlockHash); n != 2 {
		t.Fatalf("events of branch A: got %d, want Transfer and Trusted", n)
	}
	// The outbox lists the transaction once; an adapter delivers it.
	pending := pendingTxs(t, db)
	if len(pending) != 1 || pending[0] != abandoned.TxHash {
		t.Fatalf("outbox after branch A: got %v, want the trust %s once", pending, abandoned.TxHash.Hex())
	}
	if err := db.NoticeDelivered(ctx, abandoned.TxHash); err != nil {
		t.Fatal(err)
	}

	// Branch B, from the same parent and longer: Alice trusts Carol instead.
	if err := dc.Backend().Fork(fork.Hash()); err != nil {
		t.Fatalf("Fork: %v", err)
	}
	// While the node is behind the cursor, the watcher waits.
	if err := w.Tick(ctx); err != nil {
		t.Fatalf("Tick behind the cursor: %v", err)
	}
	if n := countEvents(t, db, abandoned.BlockHash); n != 2 {
		t.Fatalf("events of branch A before B is longer: got %d, want 2", n)
	}
	rcpt := chaintest.Send(t, dc, true, alice, chain.Trust(r, carol.Address(), chaintest.Ether(2)))
	dc.Commit()
	dc.Commit()
	if canon, err := c.Eth().HeaderByNumber(ctx, abandoned.BlockNumber); err != nil || canon.Hash() == abandoned.BlockHash {
		t.Fatalf("block %d after the fork: got %v (err %v), want another block than branch A's", abandoned.BlockNumber, canon.Hash(), err)
	}

	if err := w.Tick(ctx); err != nil {
		t.Fatalf("Tick after the reorg: %v", err)
	}
	if n := countEvents(t, db, abandoned.BlockHash); n != 0 {
		t.Errorf("events of the abandoned branch: got %d, want 0", n)
	}
	if n := countEvents(t, db, rcpt.BlockHash); n == 0 {
		t.Errorf("events of branch B's trust: got none, want them applied")
	}
	all, err := db.Events(ctx, store.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range all {
		if d, ok := e.Data.(*trustbot.Trusted); ok && d.Holder == carol.Address() && e.Block.Hash == rcpt.BlockHash {
			found = true
		}
	}
	if !found {
		t.Errorf("Trusted(carol) on branch B: not in the store")
	}
	wantCursorAtHead(t, dc, db)

	// The store now equals a fresh index of the canonical chain.
	fresh := tempDB(t)
	if err := index.New(c, fresh, index.Options{}).Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := digest(t, db, indexTables...), digest(t, fresh, indexTables...); got != want {
		t.Errorf("after the reorg: got database %s, want a fresh index %s", got, want)
	}

	// The abandoned trust went back to the pool and was mined again in another block of branch
	// B; its events were applied again, but its delivered notice is not listed again.
	again, err := c.Eth().TransactionReceipt(ctx, abandoned.TxHash)
	if err != nil {
		t.Fatalf("the abandoned trust on branch B: %v", err)
	}
	if again.BlockHash == abandoned.BlockHash {
		t.Fatalf("the abandoned trust is still in block %s", abandoned.BlockHash.Hex())
	}
	if n := countEvents(t, db, again.BlockHash); n == 0 {
		t.Errorf("events of the re-mined trust in block %d: got none, want them applied", again.BlockNumber)
	}
	if pending := pendingTxs(t, db); len(pending) != 0 {
		t.Errorf("outbox after the reorg re-applied a delivered notice's tx: got %v, want nothing", pending)
	}
}

// pendingTxs are the transactions of db's pending notices, in the order PendingNotices lists
// them; it fails the test when one is listed twice.
func pendingTxs(t *testing.T, db *store.DB) []common.Hash {
	t.Helper()
	ns, err := db.PendingNotices(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[common.Hash]bool{}
	var out []common.Hash
	for _, n := range ns {
		if seen[n.TxHash] {
			t.Fatalf("PendingNotices lists tx %s twice", n.TxHash.Hex())
		}
		seen[n.TxHash] = true
		out = append(out, n.TxHash)
	}
	return out
}

func countEvents(t *testing.T, db *store.DB, blockHash common.Hash) int {
	t.Helper()
	events, err := db.Events(context.Background(), store.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Block.Hash == blockHash {
			n++
		}
	}
	return n
}

// clock is a test clock for the store.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newRequest(t *testing.T, db *store.DB, id string, signer common.Address, expires time.Time, calls ...trustbot.Call) trustbot.SigningRequest {
	t.Helper()
	return newRequestIn(t, db, id, "channel-1", signer, expires, calls...)
}

// newRequestIn is newRequest made in channel.
func newRequestIn(t *testing.T, db *store.DB, id, channel string, signer common.Address, expires time.Time, calls ...trustbot.Call) trustbot.SigningRequest {
	t.Helper()
	r, err := db.CreateRequest(context.Background(), trustbot.SigningRequest{
		ID: id, GuildID: "guild-1", ChannelID: channel, UserID: "user-" + id, Signer: signer, ChainID: devchain.ChainID,
		Kind: "test", Summary: "a test request", Calls: calls, ExpiresAt: expires,
	})
	if err != nil {
		t.Fatalf("CreateRequest: %v", err)
	}
	return r
}

func TestWatcherRequests(t *testing.T) {
	ctx := context.Background()
	dc := chaintest.StartDev(t, false)
	c := dc.Client()
	alice, bob := chaintest.Member(t, dc, "alice"), chaintest.Member(t, dc, "bob")
	r := aliceReserve(t, dc, false, alice, nil)

	clk := &clock{now: time.Now()}
	db := openDB(t, filepath.Join(t.TempDir(), "requests.db"), clk.Now)
	rec := &recorder{}
	w := index.New(c, db, rec.options(index.Options{Confirmations: 2}))

	// A request whose transaction succeeds: confirmed once it is two blocks deep.
	trust := chain.Trust(r, bob.Address(), chaintest.Ether(1))
	okReq := newRequest(t, db, "request-confirmed-0001", alice.Address(), clk.Now().Add(15*time.Minute), trust)
	hash, err := alice.Send(ctx, c.Eth(), dc.ChainID(), trust)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordTx(ctx, okReq.ID, 0, hash); err != nil {
		t.Fatal(err)
	}
	rcpt := chaintest.WaitMined(t, c.Eth(), hash)
	if err := w.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if got := requestStatus(t, db, okReq.ID); got != trustbot.StatusSubmitted {
		t.Errorf("request in the head block, 2 confirmations: got %s, want %s", got, trustbot.StatusSubmitted)
	}
	// Two more blocks.
	usd := dc.TestUSD()
	for range 2 {
		chaintest.SendOK(t, dc, false, bob, trustbot.Call{To: usd, Data: mintData(bob.Address())})
	}
	if err := w.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := db.Request(ctx, okReq.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != trustbot.StatusConfirmed || got.Txs[0].BlockNumber != rcpt.BlockNumber.Uint64() {
		t.Errorf("request: got %s in block %d, want %s in block %d", got.Status, got.Txs[0].BlockNumber, trustbot.StatusConfirmed, rcpt.BlockNumber)
	}
	if len(rec.requests) != 1 || rec.requests[0].ID != okReq.ID || rec.requests[0].Status != trustbot.StatusConfirmed {
		t.Errorf("OnRequest: got %v, want one call with the confirmed request", rec.requests)
	}

	// A transaction that is mined but reverts fails its request.
	redeem := chain.Redeem(r, chaintest.Ether(5), bob.Address())
	badReq := newRequest(t, db, "request-reverted-0001", bob.Address(), clk.Now().Add(15*time.Minute), redeem)
	hash, err = bob.SendGas(ctx, c.Eth(), dc.ChainID(), redeem, 200_000)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordTx(ctx, badReq.ID, 0, hash); err != nil {
		t.Fatal(err)
	}
	if rcpt := chaintest.WaitMined(t, c.Eth(), hash); rcpt.Status != types.ReceiptStatusFailed {
		t.Fatalf("redeem above the balance: got status %d, want 0", rcpt.Status)
	}
	for range 2 {
		chaintest.SendOK(t, dc, false, bob, trustbot.Call{To: usd, Data: mintData(bob.Address())})
	}
	if err := w.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	got, err = db.Request(ctx, badReq.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != trustbot.StatusFailed || got.Error != "the transaction reverted" {
		t.Errorf("reverted request: got %s %q, want %s %q", got.Status, got.Error, trustbot.StatusFailed, "the transaction reverted")
	}

	// A request nobody signs expires.
	late := newRequest(t, db, "request-expired-00001", alice.Address(), clk.Now().Add(time.Minute), trust)
	clk.Add(2 * time.Minute)
	if err := w.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if got := requestStatus(t, db, late.ID); got != trustbot.StatusExpired {
		t.Errorf("unsigned request after its expiry: got %s, want %s", got, trustbot.StatusExpired)
	}

	// Each request was reported once.
	if err := w.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, req := range rec.requests {
		ids = append(ids, req.ID+"="+string(req.Status))
	}
	if want := []string{okReq.ID + "=confirmed", badReq.ID + "=failed", late.ID + "=expired"}; strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Errorf("OnRequest: got %v, want %v", ids, want)
	}
}

func requestStatus(t *testing.T, db *store.DB, id string) trustbot.RequestStatus {
	t.Helper()
	r, err := db.Request(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r.Status
}
