package chain_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/bindings"
	"github.com/trustbot/trustbot/chain/devchain"
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
	alice, bob := member(t, dc, "alice"), member(t, dc, "bob")
	usd := chain.Token{Address: dc.TestUSD(), Symbol: "tUSD", Decimals: 6}
	r, err := dc.Client().Predict(ctx, alice.Address(), usd.Address)
	if err != nil {
		t.Fatal(err)
	}
	sendOK(t, dc, manual, alice, chain.CreateReserve(dc.Factory(), usd.Address, "Alice trust", "tALICE"))
	sendOK(t, dc, manual, alice, chain.Deposit(r, usd, units(300))...)
	sendOK(t, dc, manual, alice, chain.Trust(r, bob.Address(), units(100)))
	sendOK(t, dc, manual, bob, chain.Redeem(r, units(60), bob.Address()))
	sendOK(t, dc, manual, alice, chain.Reup(r, bob.Address(), units(1000)))
	sendOK(t, dc, manual, alice, chain.Revoke(r, bob.Address(), nil))

	a, b, res := lower(alice.Address()), lower(bob.Address()), lower(r)
	ev := func(addr, name string, args ...string) eventView {
		return eventView{Address: addr, Name: name, Args: strings.Join(args, " ")}
	}
	return r, []eventView{
		ev(lower(dc.Factory()), "ReserveCreated", "asset="+lower(usd.Address), "issuer="+a, "reserve="+res),
		ev(res, "Deposited", "amount="+units(300).String(), "from="+a),
		ev(res, "Transfer", "amount="+units(100).String(), "from="+zeroAddr, "to="+b),
		ev(res, "Trusted", "amount="+units(100).String(), "holder="+b),
		ev(res, "Transfer", "amount="+units(60).String(), "from="+b, "to="+zeroAddr),
		ev(res, "Transfer", "amount="+units(60).String(), "from="+zeroAddr, "to="+b),
		ev(res, "Transfer", "amount="+units(100).String(), "from="+b, "to="+zeroAddr),
		ev(res, "Revoked", "amount="+maxUint.String()),
	}
}

// recorder collects what a watcher reports.
type recorder struct {
	mu       sync.Mutex
	events   []store.Event
	calls    int
	requests []store.Request
}

func (r *recorder) onEvents(_ context.Context, es []store.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	r.events = append(r.events, es...)
}

func (r *recorder) onRequest(_ context.Context, req store.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = append(r.requests, req)
}

func (r *recorder) options(o chain.WatcherOptions) chain.WatcherOptions {
	o.OnEvents, o.OnRequest = r.onEvents, r.onRequest
	return o
}

func wantEvents(t *testing.T, db *store.DB, want []eventView) []store.Event {
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
	if want := (store.Cursor{Number: head.Number.Uint64(), Hash: strings.ToLower(head.Hash().Hex())}); cur != want {
		t.Errorf("cursor: got %+v, want the head %+v", cur, want)
	}
}

func TestWatcherStory(t *testing.T) {
	ctx := context.Background()
	dc := startDev(t, false)
	r, want := story(t, dc, false)

	db := tempDB(t)
	rec := &recorder{}
	w := chain.NewWatcher(dc.Client(), db, rec.options(chain.WatcherOptions{}))
	if err := w.Tick(ctx); err != nil {
		t.Fatalf("Tick: %v", err)
	}
	events := wantEvents(t, db, want)
	wantCursorAtHead(t, dc, db)
	if len(rec.events) != len(events) {
		t.Errorf("OnEvents: got %d events, want %d", len(rec.events), len(events))
	}
	for i := 1; i < len(events); i++ {
		a, b := events[i-1], events[i]
		if a.BlockNumber > b.BlockNumber || a.BlockNumber == b.BlockNumber && a.LogIndex >= b.LogIndex {
			t.Errorf("events %d and %d: got (block %d, log %d) before (block %d, log %d), want chain order",
				i-1, i, a.BlockNumber, a.LogIndex, b.BlockNumber, b.LogIndex)
		}
	}
	reserves, err := db.Reserves(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(reserves) != 1 || reserves[0].Address != lower(r) || reserves[0].Name != "Alice trust" ||
		reserves[0].Symbol != "tALICE" || reserves[0].Decimals != 6 || reserves[0].ChainID != 1337 ||
		reserves[0].CreatedBlock != events[0].BlockNumber {
		t.Errorf("reserves: got %+v, want tALICE (6 decimals) at %s created in block %d", reserves, lower(r), events[0].BlockNumber)
	}

	// A second pass finds nothing new.
	before := digest(t, db)
	if err := w.Tick(ctx); err != nil {
		t.Fatalf("second Tick: %v", err)
	}
	if got := digest(t, db); got != before {
		t.Errorf("second Tick changed the database")
	}
	if rec.calls != 1 {
		t.Errorf("OnEvents calls: got %d, want 1", rec.calls)
	}

	// Chunks of one block give the same database as chunks of 2000.
	small := tempDB(t)
	if err := chain.NewWatcher(dc.Client(), small, chain.WatcherOptions{Chunk: 1}).Tick(ctx); err != nil {
		t.Fatalf("Tick with chunk 1: %v", err)
	}
	if got, want := digest(t, small), digest(t, db); got != want {
		t.Errorf("chunk 1: got database %s, want the chunk-2000 database %s", got, want)
	}

	// A node that refuses ranges of more than 3 blocks makes the watcher halve its chunks.
	const maxRange = 3
	p := newProxy(t, dc.URL(), func(r rpcRequest) (int, string, bool) {
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
	if err := chain.NewWatcher(pc, limited, chain.WatcherOptions{}).Tick(ctx); err != nil {
		t.Fatalf("Tick through the limiting node: %v", err)
	}
	if got, want := digest(t, limited), digest(t, db); got != want {
		t.Errorf("limited node: got database %s, want %s", got, want)
	}
	if p.refusals() == 0 {
		t.Errorf("limiting node refused nothing; want the first wide query refused")
	}
}

func TestWatcherRestart(t *testing.T) {
	ctx := context.Background()
	dc := startDev(t, false)
	_, want := story(t, dc, false)

	whole := tempDB(t)
	if err := chain.NewWatcher(dc.Client(), whole, chain.WatcherOptions{}).Tick(ctx); err != nil {
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
	w := chain.NewWatcher(dc.Client(), db, chain.WatcherOptions{Chunk: 1, OnEvents: func(context.Context, []store.Event) {
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
	w = chain.NewWatcher(dc.Client(), db, chain.WatcherOptions{Interval: 10 * time.Millisecond, OnEvents: func(context.Context, []store.Event) {}})
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
	dc := startDev(t, true)
	c := dc.Client()
	alice, bob, carol := member(t, dc, "alice"), member(t, dc, "bob"), member(t, dc, "carol")

	sendOK(t, dc, true, alice, chain.CreateReserve(dc.Factory(), common.Address{}, "Alice trust", "tALICE"))
	r, err := c.Predict(ctx, alice.Address(), common.Address{})
	if err != nil {
		t.Fatal(err)
	}
	sendOK(t, dc, true, alice, chain.Deposit(r, chain.NativeToken, ether(10))...)

	db := tempDB(t)
	seen := make(map[string]int)
	var mu sync.Mutex
	w := chain.NewWatcher(c, db, chain.WatcherOptions{OnEvents: func(_ context.Context, es []store.Event) {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range es {
			seen[fmt.Sprintf("%s/%d", e.BlockHash, e.LogIndex)]++
		}
	}})
	if err := w.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	fork, err := c.Eth().HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}

	// Branch A: Alice trusts Bob; the watcher applies it.
	abandoned := send(t, dc, true, alice, chain.Trust(r, bob.Address(), ether(1)))
	if err := w.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countEvents(t, db, abandoned.BlockHash); n != 2 {
		t.Fatalf("events of branch A: got %d, want Transfer and Trusted", n)
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
	rcpt := send(t, dc, true, alice, chain.Trust(r, carol.Address(), ether(2)))
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
	trusted, err := db.Events(ctx, store.EventFilter{Name: "Trusted"})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range trusted {
		if e.Args["holder"] == lower(carol.Address()) && e.BlockHash == strings.ToLower(rcpt.BlockHash.Hex()) {
			found = true
		}
	}
	if !found {
		t.Errorf("Trusted(carol) on branch B: not in the store")
	}
	wantCursorAtHead(t, dc, db)

	// The store now equals a fresh index of the canonical chain.
	fresh := tempDB(t)
	if err := chain.NewWatcher(c, fresh, chain.WatcherOptions{}).Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := digest(t, db), digest(t, fresh); got != want {
		t.Errorf("after the reorg: got database %s, want a fresh index %s", got, want)
	}

	// Nothing was announced twice.
	mu.Lock()
	defer mu.Unlock()
	for k, n := range seen {
		if n != 1 {
			t.Errorf("OnEvents for %s: got %d times, want once", k, n)
		}
	}
}

func countEvents(t *testing.T, db *store.DB, blockHash common.Hash) int {
	t.Helper()
	events, err := db.Events(context.Background(), store.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.BlockHash == strings.ToLower(blockHash.Hex()) {
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

func newRequest(t *testing.T, db *store.DB, id string, signer common.Address, expires time.Time, calls ...chain.Call) store.Request {
	t.Helper()
	sc := make([]store.Call, len(calls))
	for i, c := range calls {
		sc[i] = c.Store()
	}
	r, err := db.CreateRequest(context.Background(), store.Request{
		ID: id, UserID: "user-" + id, Signer: lower(signer), ChainID: devchain.ChainID,
		Kind: "test", Summary: "a test request", Calls: sc, ExpiresAt: expires,
	})
	if err != nil {
		t.Fatalf("CreateRequest: %v", err)
	}
	return r
}

func TestWatcherRequests(t *testing.T) {
	ctx := context.Background()
	dc := startDev(t, false)
	c := dc.Client()
	alice, bob := member(t, dc, "alice"), member(t, dc, "bob")
	sendOK(t, dc, false, alice, chain.CreateReserve(dc.Factory(), common.Address{}, "Alice trust", "tALICE"))
	r, err := c.Predict(ctx, alice.Address(), common.Address{})
	if err != nil {
		t.Fatal(err)
	}

	clk := &clock{now: time.Now()}
	db := openDB(t, filepath.Join(t.TempDir(), "requests.db"), clk.Now)
	rec := &recorder{}
	w := chain.NewWatcher(c, db, rec.options(chain.WatcherOptions{Confirmations: 2}))

	// A request whose transaction succeeds: confirmed once it is two blocks deep.
	trust := chain.Trust(r, bob.Address(), ether(1))
	okReq := newRequest(t, db, "request-confirmed-0001", alice.Address(), clk.Now().Add(15*time.Minute), trust)
	hash, err := alice.Send(ctx, c.Eth(), dc.ChainID(), trust)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordTx(ctx, okReq.ID, 0, strings.ToLower(hash.Hex())); err != nil {
		t.Fatal(err)
	}
	rcpt := waitMined(t, c.Eth(), hash)
	if err := w.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if got := requestStatus(t, db, okReq.ID); got != store.StatusSubmitted {
		t.Errorf("request in the head block, 2 confirmations: got %s, want %s", got, store.StatusSubmitted)
	}
	// Two more blocks.
	usd := dc.TestUSD()
	for range 2 {
		sendOK(t, dc, false, bob, chain.Call{To: usd, Data: mintData(bob.Address())})
	}
	if err := w.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := db.Request(ctx, okReq.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.StatusConfirmed || got.Txs[0].BlockNumber != rcpt.BlockNumber.Uint64() {
		t.Errorf("request: got %s in block %d, want %s in block %d", got.Status, got.Txs[0].BlockNumber, store.StatusConfirmed, rcpt.BlockNumber)
	}
	if len(rec.requests) != 1 || rec.requests[0].ID != okReq.ID || rec.requests[0].Status != store.StatusConfirmed {
		t.Errorf("OnRequest: got %v, want one call with the confirmed request", rec.requests)
	}

	// A transaction that is mined but reverts fails its request.
	redeem := chain.Redeem(r, ether(5), bob.Address())
	badReq := newRequest(t, db, "request-reverted-0001", bob.Address(), clk.Now().Add(15*time.Minute), redeem)
	hash, err = bob.SendGas(ctx, c.Eth(), dc.ChainID(), redeem, 200_000)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordTx(ctx, badReq.ID, 0, strings.ToLower(hash.Hex())); err != nil {
		t.Fatal(err)
	}
	if rcpt := waitMined(t, c.Eth(), hash); rcpt.Status != types.ReceiptStatusFailed {
		t.Fatalf("redeem above the balance: got status %d, want 0", rcpt.Status)
	}
	for range 2 {
		sendOK(t, dc, false, bob, chain.Call{To: usd, Data: mintData(bob.Address())})
	}
	if err := w.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	got, err = db.Request(ctx, badReq.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.StatusFailed || got.Error != "the transaction reverted" {
		t.Errorf("reverted request: got %s %q, want %s %q", got.Status, got.Error, store.StatusFailed, "the transaction reverted")
	}

	// A request nobody signs expires.
	late := newRequest(t, db, "request-expired-00001", alice.Address(), clk.Now().Add(time.Minute), trust)
	clk.Add(2 * time.Minute)
	if err := w.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if got := requestStatus(t, db, late.ID); got != store.StatusExpired {
		t.Errorf("unsigned request after its expiry: got %s, want %s", got, store.StatusExpired)
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

func requestStatus(t *testing.T, db *store.DB, id string) store.RequestStatus {
	t.Helper()
	r, err := db.Request(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r.Status
}
