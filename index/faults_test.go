package index_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"math/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/bindings"
	"github.com/trustbot/trustbot/chain/chaintest"
	"github.com/trustbot/trustbot/chain/devchain"
	"github.com/trustbot/trustbot/index"
	"github.com/trustbot/trustbot/store"
)

// deliveries counts the notices an Outbox delivered, by transaction.
type deliveries struct {
	mu   sync.Mutex
	byTx map[common.Hash]int
	log  []trustbot.Notice
}

// checkRequestsCanonical fails the test for a request confirmed without its transaction being on
// the canonical chain in the recorded block; with final set, also for a request whose transaction
// is final (requestConf blocks below head) but which is not confirmed. It marks in reorgedOut the
// requests whose transaction is off the canonical chain, and returns how many are confirmed.
func checkRequestsCanonical(t *testing.T, ctx context.Context, eth *ethclient.Client, rdb *store.DB, requests []string,
	reorgedOut map[string]bool, head, requestConf uint64, final bool) (confirmed int) {
	t.Helper()
	for _, id := range requests {
		req, err := rdb.Request(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		hash := req.Txs[0].Hash
		rcpt, rerr := eth.TransactionReceipt(ctx, hash)
		canonical := rerr == nil
		if canonical {
			h, err := eth.HeaderByNumber(ctx, rcpt.BlockNumber)
			canonical = err == nil && h.Hash() == rcpt.BlockHash
		}
		if !canonical {
			reorgedOut[id] = true
		}
		switch {
		case req.Status == trustbot.StatusConfirmed:
			confirmed++
			if !canonical || rcpt.BlockNumber.Uint64() != req.Txs[0].BlockNumber {
				t.Fatalf("request %s confirmed in block %d, but its tx %s is not canonical there (receipt err %v)",
					id, req.Txs[0].BlockNumber, hash.Hex(), rerr)
			}
		case final && canonical && rcpt.BlockNumber.Uint64()+requestConf <= head:
			t.Errorf("request %s: got %s, want confirmed (tx %s in block %d, head %d)", id, req.Status, hash.Hex(), rcpt.BlockNumber, head)
		}
	}
	return confirmed
}

// checkOnce fails unless, after reorg i, the outbox delivered each transaction a request
// reported exactly once, and every stored event of such a transaction left the outbox.
func (d *deliveries) checkOnce(t *testing.T, ctx context.Context, db *store.DB, requestTxs map[common.Hash]bool, i int) {
	t.Helper()
	events, err := db.Events(ctx, store.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for h, n := range d.byTx {
		if n != 1 {
			t.Fatalf("reorg %d: the outbox delivered tx %s %d times, want once", i, h.Hex(), n)
		}
		if !requestTxs[h] {
			t.Fatalf("reorg %d: the outbox delivered tx %s, which no request reported", i, h.Hex())
		}
	}
	for _, e := range events {
		if requestTxs[e.TxHash] && d.byTx[e.TxHash] == 0 {
			t.Fatalf("reorg %d: stored event of request tx %s log %d never left the notice outbox", i, e.TxHash.Hex(), e.LogIndex)
		}
	}
}

func newDeliveries() *deliveries { return &deliveries{byTx: map[common.Hash]int{}} }

// outbox is an Outbox over db delivering to d (composing "notice of <tx>").
func (d *deliveries) outbox(db *store.DB) *index.Outbox {
	compose := func(_ context.Context, n store.OutboxNotice) (trustbot.Notice, error) {
		return trustbot.Notice{ChannelID: n.Channel, TxHash: n.TxHash, Text: "notice of " + n.TxHash.Hex(),
			Nonce: "tx" + n.TxHash.Hex()[2:25], Request: n.Request}, nil
	}
	return index.NewOutbox(db, compose, &testNotifier{notice: func(_ context.Context, n trustbot.Notice) error {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.byTx[n.TxHash]++
		d.log = append(d.log, n)
		return nil
	}}, index.OutboxOptions{})
}

// freshDigest is the digest (of every table, or only tables) of a new store indexed from
// scratch off c.
func freshDigest(t *testing.T, c *chain.Client, tables ...string) string {
	t.Helper()
	db := tempDB(t)
	if err := index.New(c, db, index.Options{}).Tick(context.Background()); err != nil {
		t.Fatalf("fresh index: %v", err)
	}
	d := digest(t, db, tables...)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return d
}

// drainPool seals blocks until the node's pool is empty (Fork refuses a dirty pending block).
func drainPool(t *testing.T, dc *devchain.Chain) {
	t.Helper()
	ctx := context.Background()
	for range 20 {
		n, err := dc.Client().Eth().PendingTransactionCount(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		dc.Commit()
	}
	t.Fatalf("the pool does not drain")
}

func headNumber(t *testing.T, dc *devchain.Chain) uint64 {
	t.Helper()
	n, err := dc.Client().Eth().BlockNumber(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRandomReorgs makes 100 randomized reorgs of depth 1–5 on a manual chain and checks after
// each that the store equals a fresh index of the canonical chain, that no event was announced
// twice (the notice outbox delivers each reported transaction once)
// and none missed, and that no signing request is confirmed for a transaction the canonical
// chain does not hold.
func TestRandomReorgs(t *testing.T) {
	const (
		reorgs   = 100
		maxDepth = 5
		// requestConf is the request watcher's confirmations: deeper than any reorg here, so a
		// confirmed request can never be undone.
		requestConf = maxDepth
	)
	ctx := context.Background()
	start := time.Now()
	dc := chaintest.StartDev(t, true)
	c := dc.Client()
	alice, bob, carol := chaintest.Member(t, dc, "alice"), chaintest.Member(t, dc, "bob"), chaintest.Member(t, dc, "carol")
	r := aliceReserve(t, dc, true, alice, chaintest.Ether(100))
	base := headNumber(t, dc)

	// Events: a watcher applying the head block (0 confirmations), so every reorg touches it.
	// Its requests are recorded in its store too, so their notices enter its outbox.
	db := tempDB(t)
	del := newDeliveries()
	w := index.New(c, db, index.Options{})
	// The notice outbox, delivered after every pass. PendingNotices lists each transaction at
	// most once; across passes and reorgs, each is delivered once.
	ob := del.outbox(db)
	drainOutbox := func() {
		t.Helper()
		pendingTxs(t, db)
		if err := ob.Deliver(ctx); err != nil {
			t.Fatal(err)
		}
		if left := pendingTxs(t, db); len(left) != 0 {
			t.Fatalf("outbox after a delivery pass: %v still pending", left)
		}
	}
	// Requests: a second store whose watcher settles with requestConf confirmations.
	clk := &clock{now: time.Now()}
	rdb := openDB(t, filepath.Join(t.TempDir(), "requests.db"), clk.Now)
	rw := index.New(c, rdb, index.Options{Confirmations: requestConf})
	var requests []string // ids, each with one recorded tx
	requestTxs := map[common.Hash]bool{}
	reorgedOut := map[string]bool{} // requests whose tx was off the canonical chain at a check
	tick := func() {
		t.Helper()
		if err := w.Tick(ctx); err != nil {
			t.Fatalf("Tick: %v", err)
		}
		drainOutbox()
		if err := rw.Tick(ctx); err != nil {
			t.Fatalf("request watcher Tick: %v", err)
		}
	}
	holders := []common.Address{bob.Address(), carol.Address()}
	rng := rand.New(rand.NewSource(7))
	// trust sends a small trust from alice (sealing until it is in) and, sometimes, records it
	// as a signing request's transaction.
	trust := func() {
		t.Helper()
		call := chain.Trust(r, holders[rng.Intn(len(holders))], big.NewInt(1+rng.Int63n(1000)))
		var req trustbot.SigningRequest
		asRequest := rng.Intn(2) == 0
		if asRequest {
			id := fmt.Sprintf("request-reorg-%08d", len(requests))
			req = newRequest(t, rdb, id, alice.Address(), clk.Now().Add(24*time.Hour), call)
			newRequest(t, db, id, alice.Address(), clk.Now().Add(24*time.Hour), call)
		}
		hash, err := alice.Send(ctx, c.Eth(), dc.ChainID(), call)
		if err != nil {
			t.Fatalf("send trust: %v", err)
		}
		if asRequest {
			if _, err := rdb.RecordTx(ctx, req.ID, 0, hash); err != nil {
				t.Fatal(err)
			}
			if _, err := db.RecordTx(ctx, req.ID, 0, hash); err != nil {
				t.Fatal(err)
			}
			requests = append(requests, req.ID)
			requestTxs[hash] = true
		}
		for range 20 {
			dc.Commit()
			if _, err := c.Eth().TransactionReceipt(ctx, hash); err == nil {
				return
			}
		}
		t.Fatalf("trust %s not mined", hash.Hex())
	}
	// checkRequests fails the test for a request confirmed without its transaction being on the
	// canonical chain in the recorded block; with final set, also for a request whose
	// transaction is final but which is not confirmed.
	checkRequests := func(final bool) int {
		t.Helper()
		return checkRequestsCanonical(t, ctx, c.Eth(), rdb, requests, reorgedOut, headNumber(t, dc), requestConf, final)
	}
	checkDeliveries := func(i int) {
		t.Helper()
		del.checkOnce(t, ctx, db, requestTxs, i)
	}

	trust()
	trust()
	tick()
	depths := map[int]int{}
	for i := range reorgs {
		// A few new blocks with trusts, applied.
		for range 1 + rng.Intn(3) {
			trust()
		}
		if rng.Intn(2) == 0 {
			dc.Commit() // an empty block too, sometimes
		}
		tick()
		drainPool(t, dc)
		old := headNumber(t, dc)
		depth := 1 + rng.Intn(maxDepth)
		if old-uint64(depth) < base {
			depth = int(old - base)
		}
		depths[depth]++
		parent, err := c.Eth().HeaderByNumber(ctx, new(big.Int).SetUint64(old-uint64(depth)))
		if err != nil {
			t.Fatal(err)
		}
		if err := dc.Backend().Fork(parent.Hash()); err != nil {
			t.Fatalf("reorg %d: Fork at block %d: %v", i, parent.Number, err)
		}
		// A pass right after the fork, before the new branch has any block.
		tick()
		checkRequests(false)
		// The new branch: sometimes a new trust, then blocks until it is longer than the old one
		// (the abandoned transactions return to the pool and are mined again).
		if rng.Intn(2) == 0 {
			trust()
		}
		for headNumber(t, dc) <= old {
			dc.Commit()
			if rng.Intn(3) == 0 {
				tick() // a pass while the branch is still short
				checkRequests(false)
			}
		}
		tick()
		if got, want := digest(t, db, indexTables...), freshDigest(t, c, indexTables...); got != want {
			t.Fatalf("reorg %d (depth %d at block %d): got database %s, want a fresh index %s", i, depth, parent.Number, got, want)
		}
		wantCursorAtHead(t, dc, db)
		checkDeliveries(i)
		checkRequests(false)
		clk.Add(time.Second)
	}

	// Make everything final: every request whose tx is canonical ends confirmed.
	drainPool(t, dc)
	for range requestConf + 1 {
		dc.Commit()
	}
	tick()
	confirmed := checkRequests(true)
	checkDeliveries(reorgs)

	checkProjection(t, c, db)
	t.Logf("%d reorgs (depths %v) in %v; %d notices delivered, %d/%d requests confirmed (%d of them had their tx reorged out for a while)",
		reorgs, depths, time.Since(start).Round(time.Millisecond), len(del.byTx), confirmed, len(requests), len(reorgedOut))
}

// checkProjection checks db's projection two ways: it equals the one RebuildProjection makes
// from the events table alone (reserves' outstanding and backing, accounts row for row), and
// every account's balance and budget equals the reserve contract's balanceOf and budgetOf at
// the cursor block.
func checkProjection(t *testing.T, c *chain.Client, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	kept, err := db.Web(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RebuildProjection(ctx); err != nil {
		t.Fatalf("RebuildProjection: %v", err)
	}
	rebuilt, err := db.Web(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(kept.Reserves) == 0 || len(kept.Accounts) == 0 {
		t.Fatalf("projection: %d reserves and %d accounts, want some of each", len(kept.Reserves), len(kept.Accounts))
	}
	if len(kept.Reserves) != len(rebuilt.Reserves) {
		t.Fatalf("reserves: kept %d, rebuilt %d", len(kept.Reserves), len(rebuilt.Reserves))
	}
	for i, k := range kept.Reserves {
		r := rebuilt.Reserves[i]
		if k.Address != r.Address || k.Outstanding.Cmp(r.Outstanding) != 0 || k.Backing.Cmp(r.Backing) != 0 {
			t.Errorf("reserve %d: kept %s outstanding %s backing %s, rebuilt %s outstanding %s backing %s",
				i, k.Address.Hex(), k.Outstanding, k.Backing, r.Address.Hex(), r.Outstanding, r.Backing)
		}
	}
	if len(kept.Accounts) != len(rebuilt.Accounts) {
		t.Fatalf("accounts: kept %d, rebuilt %d", len(kept.Accounts), len(rebuilt.Accounts))
	}
	for i, k := range kept.Accounts {
		r := rebuilt.Accounts[i]
		if k.Reserve != r.Reserve || k.Holder != r.Holder || k.Balance.Cmp(r.Balance) != 0 || k.Budget.Cmp(r.Budget) != 0 {
			t.Errorf("account %d: kept %s/%s balance %s budget %s, rebuilt %s/%s balance %s budget %s", i,
				k.Reserve.Hex(), k.Holder.Hex(), k.Balance, k.Budget, r.Reserve.Hex(), r.Holder.Hex(), r.Balance, r.Budget)
		}
	}

	// The chain at the cursor block.
	at := new(big.Int).SetUint64(kept.Block.Number)
	if h, err := c.Eth().HeaderByNumber(ctx, at); err != nil || h.Hash() != kept.Block.Hash {
		t.Fatalf("the cursor %d %s is not canonical (err %v)", kept.Block.Number, kept.Block.Hash.Hex(), err)
	}
	rb := bindings.NewTrustReserve()
	read := func(to common.Address, data []byte, unpack func([]byte) (*big.Int, error)) *big.Int {
		t.Helper()
		out, err := c.Eth().CallContract(ctx, ethereum.CallMsg{To: &to, Data: data}, at)
		if err != nil {
			t.Fatalf("eth_call %s at block %d: %v", to.Hex(), at, err)
		}
		v, err := unpack(out)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, r := range kept.Reserves {
		if got := read(r.Address, rb.PackTotalSupply(), rb.UnpackTotalSupply); got.Cmp(r.Outstanding) != 0 {
			t.Errorf("reserve %s: outstanding %s, totalSupply at block %d %s", r.Address.Hex(), r.Outstanding, at, got)
		}
	}
	for _, a := range kept.Accounts {
		bal := read(a.Reserve, rb.PackBalanceOf(a.Holder), rb.UnpackBalanceOf)
		budget := read(a.Reserve, rb.PackBudgetOf(a.Holder), rb.UnpackBudgetOf)
		if bal.Cmp(a.Balance) != 0 || budget.Cmp(a.Budget) != 0 {
			t.Errorf("account %s of %s: projection balance %s budget %s, chain at block %d balance %s budget %s",
				a.Holder.Hex(), a.Reserve.Hex(), a.Balance, a.Budget, at, bal, budget)
		}
	}
}

// chaosProxy forwards JSON-RPC to upstream; while down it answers 503 and counts the requests.
type chaosProxy struct {
	*httptest.Server
	down     atomic.Bool
	downHits atomic.Int64
	hits     atomic.Int64
	// before, when set, runs before each forwarded request with its 1-based number.
	before func(n int64)
}

func newChaosProxy(t *testing.T, upstream string) *chaosProxy {
	t.Helper()
	p := &chaosProxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if p.down.Load() {
			p.downHits.Add(1)
			http.Error(w, "node down", http.StatusServiceUnavailable)
			return
		}
		n := p.hits.Add(1)
		if p.before != nil {
			p.before(n)
		}
		chaintest.Forward(w, nil, upstream, body)
	}))
	t.Cleanup(p.Close)
	return p
}

// TestOutageBackoffResume takes the node down in the middle of the story while Run is going,
// first answering HTTP 503, then refusing connections: Run backs off rather than spinning, and
// once the node is back it catches up to a database equal to an uninterrupted run's, each event
// announced once.
func TestOutageBackoffResume(t *testing.T) {
	const outage = 3500 * time.Millisecond
	ctx := context.Background()
	dc := chaintest.StartDev(t, false)
	alice, bob := chaintest.Member(t, dc, "alice"), chaintest.Member(t, dc, "bob")
	usd := trustbot.Token{Address: dc.TestUSD(), Symbol: "tUSD", Decimals: 6}
	r, err := dc.Client().Predict(ctx, alice.Address(), usd.Address)
	if err != nil {
		t.Fatal(err)
	}
	chaintest.SendOK(t, dc, false, alice, chain.CreateReserve(dc.Factory(), usd.Address, "Alice trust", "tALICE"))
	chaintest.SendOK(t, dc, false, alice, chain.Deposit(r, usd, chaintest.Units(300))...)

	p := newChaosProxy(t, dc.URL())
	pc, err := chain.Dial(ctx, p.URL, dc.Factory())
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	db := tempDB(t)
	failures := &countHandler{msg: "watcher pass failed"}
	applied := &atomic.Int64{}
	w := index.New(pc, db, index.Options{Interval: 10 * time.Millisecond, OnApplied: func() { applied.Add(1) },
		Logger: slog.New(failures)})
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- w.Run(runCtx) }()
	waitCursor(t, dc, db, 10*time.Second)

	// Down: the rest of the story happens while the watcher cannot see it.
	p.down.Store(true)
	downAt := time.Now()
	chaintest.SendOK(t, dc, false, alice, chain.Trust(r, bob.Address(), chaintest.Units(100)))
	chaintest.SendOK(t, dc, false, bob, chain.Redeem(r, chaintest.Units(60), bob.Address()))
	time.Sleep(outage - time.Since(downAt))
	p.down.Store(false)
	during := p.downHits.Load()
	failed503 := failures.Load()
	waitCursor(t, dc, db, 40*time.Second)

	// Refused: nothing listens on the node's port for a while.
	addr := p.Listener.Addr().String()
	p.Listener.Close()
	p.CloseClientConnections()
	refusedAt := time.Now()
	chaintest.SendOK(t, dc, false, alice, chain.Reup(r, bob.Address(), chaintest.Units(1000)))
	chaintest.SendOK(t, dc, false, alice, chain.Revoke(r, bob.Address(), nil))
	time.Sleep(outage - time.Since(refusedAt))
	failedRefused := failures.Load() - failed503
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen again on %s: %v", addr, err)
	}
	back := httptest.NewUnstartedServer(p.Config.Handler)
	back.Listener.Close()
	back.Listener = l
	back.Start()
	defer back.Close()
	upAt := time.Now()
	waitCursor(t, dc, db, 40*time.Second)
	caughtUp := time.Since(upAt)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run after cancel: got %v, want context.Canceled", err)
	}

	// With a 10 ms interval and no back-off, a 3.5 s outage would see ~350 passes; back-off
	// (1 s, 2 s, …) allows a handful.
	if during == 0 || during > 12 {
		t.Errorf("requests during the %v 503 outage: got %d, want 1 to 12 (back-off, no tight loop)", outage, during)
	}
	if failed503 == 0 || failed503 > 8 {
		t.Errorf("failed passes during the %v 503 outage: got %d, want 1 to 8", outage, failed503)
	}
	if failedRefused == 0 || failedRefused > 8 {
		t.Errorf("failed passes during the %v refused outage: got %d, want 1 to 8", outage, failedRefused)
	}
	if got, want := digest(t, db, indexTables...), freshDigest(t, dc.Client(), indexTables...); got != want {
		t.Errorf("after the outage: got database %s, want an uninterrupted index %s", got, want)
	}
	events, err := db.Events(ctx, store.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 8 {
		t.Errorf("events: got %d, want the story's 8", len(events))
	}
	if n := applied.Load(); n == 0 || n > int64(len(events)) {
		t.Errorf("OnApplied: got %d calls, want 1 to %d (one per chunk that added events)", n, len(events))
	}
	t.Logf("503 for %v: %d requests, %d failed passes; connection refused for %v: %d failed passes; caught up %v after the node came back",
		outage, during, failed503, outage, failedRefused, caughtUp.Round(time.Millisecond))
}

// countHandler counts the log records with message msg.
type countHandler struct {
	msg string
	n   atomic.Int64
}

func (h *countHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.n.Add(1)
	}
	return nil
}
func (h *countHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countHandler) WithGroup(string) slog.Handler      { return h }
func (h *countHandler) Load() int64                        { return h.n.Load() }

// waitCursor waits until db's cursor reaches dc's head.
func waitCursor(t *testing.T, dc *devchain.Chain, db *store.DB, limit time.Duration) {
	t.Helper()
	head := headNumber(t, dc)
	deadline := time.Now().Add(limit)
	for {
		cur, err := db.Cursor(context.Background())
		if err == nil && cur.Number >= head {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("cursor %+v did not reach block %d in %v", cur, head, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRestartAtRandomPoints stops a watcher with one-block chunks at its k-th RPC call through
// a proxy, for many k — by cancelling its context or by closing its database under it, as if
// the process died there — reopens the database and runs a new watcher to the head: the
// database then equals an uninterrupted run's, every table (the projection included).
func TestRestartAtRandomPoints(t *testing.T) {
	ctx := context.Background()
	dc := chaintest.StartDev(t, false)
	_, want := story(t, dc, false)
	whole := freshDigest(t, dc.Client())

	// How many calls an uninterrupted run makes.
	p := newChaosProxy(t, dc.URL())
	var stopK atomic.Int64
	var cancelRun atomic.Pointer[context.CancelFunc]
	p.before = func(n int64) {
		if n == stopK.Load() {
			if f := cancelRun.Load(); f != nil {
				(*f)()
			}
		}
	}
	pc, err := chain.Dial(ctx, p.URL, dc.Factory())
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	opts := index.Options{Chunk: 1}
	base := p.hits.Load()
	if err := index.New(pc, tempDB(t), opts).Tick(ctx); err != nil {
		t.Fatal(err)
	}
	total := p.hits.Load() - base
	if total < 20 {
		t.Fatalf("an uninterrupted run made %d calls; want at least 20 stop points", total)
	}

	rng := rand.New(rand.NewSource(11))
	points := rng.Perm(int(total))[:min(int(total), 30)]
	stopped := 0
	for _, k := range points {
		k := int64(k + 1)
		path := filepath.Join(t.TempDir(), "restart.db")
		db, err := store.Open(ctx, path, nil)
		if err != nil {
			t.Fatal(err)
		}
		runCtx, cancel := context.WithCancel(ctx)
		// Odd points cancel the run; even ones close its database under it.
		closeDB := k%2 == 0
		stop := context.CancelFunc(func() {
			if closeDB {
				db.Close()
			} else {
				cancel()
			}
		})
		cancelRun.Store(&stop)
		stopK.Store(p.hits.Load() + k)
		err = index.New(pc, db, opts).Tick(runCtx)
		cancelRun.Store(nil)
		cancel()
		switch {
		case err == nil:
			t.Fatalf("stop after %d calls: the run completed; want it interrupted", k)
		case !closeDB && !errors.Is(err, context.Canceled):
			t.Fatalf("stop after %d calls: got %v, want context.Canceled", k, err)
		}
		stopped++
		if !closeDB {
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
		}

		db = openDB(t, path, nil)
		if err := index.New(pc, db, opts).Tick(ctx); err != nil {
			t.Fatalf("stop after %d calls: restarted Tick: %v", k, err)
		}
		wantEvents(t, db, want)
		if got := digest(t, db); got != whole {
			t.Fatalf("stop after %d calls: got database %s, want the uninterrupted one %s", k, got, whole)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if stopped < 20 {
		t.Errorf("interrupted runs: got %d, want at least 20", stopped)
	}
	t.Logf("%d calls in an uninterrupted run; %d stop points, %d interrupted mid-run", total, len(points), stopped)
}
