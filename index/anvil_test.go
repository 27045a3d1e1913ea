package index_test

import (
	"context"
	"fmt"
	"math/big"
	"math/rand"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/chaintest"
	"github.com/trustbot/trustbot/index"
	"github.com/trustbot/trustbot/store"
)

// anvilReserve creates alice's native-coin reserve on node, deposits deposit wei into it and
// returns its address.
func anvilReserve(t *testing.T, node *chaintest.Anvil, alice chain.Wallet, deposit *big.Int) common.Address {
	t.Helper()
	ctx := context.Background()
	c := node.Client
	send := func(call trustbot.Call) {
		t.Helper()
		h, err := alice.Send(ctx, c.Eth(), node.ChainID(), call)
		if err != nil {
			t.Fatal(err)
		}
		if r := chaintest.WaitMined(t, c.Eth(), h); r.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("tx %s failed", h.Hex())
		}
	}
	send(chain.CreateReserve(node.Factory, common.Address{}, "Alice trust", "tALICE"))
	r, err := c.Predict(ctx, alice.Address(), common.Address{})
	if err != nil {
		t.Fatal(err)
	}
	for _, call := range chain.Deposit(r, chain.NativeToken(), deposit) {
		send(call)
	}
	return r
}

// anvilCursorAtHead fails the test unless db's cursor is node's head block.
func anvilCursorAtHead(t *testing.T, node *chaintest.Anvil, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	head, err := node.Client.Eth().HeaderByNumber(ctx, nil)
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

// TestAnvilReorgs makes randomized reorgs of depth 1–5 with anvil's anvil_reorg (which replaces
// the last blocks with new ones holding the transactions it is given) and checks after each
// that the store equals a fresh index of the canonical chain, that the notice outbox delivered
// each reported transaction exactly once, and that no signing request is confirmed for a
// transaction the canonical chain does not hold. Each new branch takes back a prefix of the
// abandoned transactions (in nonce order, at other heights), sometimes with a new trust; the
// rest are gone, as anvil drops what a reorg abandons.
func TestAnvilReorgs(t *testing.T) {
	const (
		reorgs      = 50
		maxDepth    = 5
		requestConf = maxDepth // deeper than any reorg: a confirmed request is never undone
	)
	ctx := context.Background()
	start := time.Now()
	node := chaintest.StartAnvil(t, chaintest.DevMembers)
	c := node.Client
	alice := chain.Wallet{Key: chain.DevKey("alice")}
	bob, carol := chain.Wallet{Key: chain.DevKey("bob")}, chain.Wallet{Key: chain.DevKey("carol")}
	r := anvilReserve(t, node, alice, chaintest.Ether(100))
	base := node.Head(t)

	db := tempDB(t)
	del := newDeliveries()
	w := index.New(c, db, index.Options{})
	ob := del.outbox(db)
	clk := &clock{now: time.Now()}
	rdb := openDB(t, filepath.Join(t.TempDir(), "requests.db"), clk.Now)
	rw := index.New(c, rdb, index.Options{Confirmations: requestConf})
	var requests []string
	requestTxs := map[common.Hash]bool{}
	reorgedOut := map[string]bool{}
	tick := func() {
		t.Helper()
		if err := w.Tick(ctx); err != nil {
			t.Fatalf("Tick: %v", err)
		}
		pendingTxs(t, db)
		if err := ob.Deliver(ctx); err != nil {
			t.Fatal(err)
		}
		if left := pendingTxs(t, db); len(left) != 0 {
			t.Fatalf("outbox after a delivery pass: %v still pending", left)
		}
		if err := rw.Tick(ctx); err != nil {
			t.Fatalf("request watcher Tick: %v", err)
		}
	}
	holders := []common.Address{bob.Address(), carol.Address()}
	rng := rand.New(rand.NewSource(7))
	// signTrust signs a small trust from alice at nonce and, sometimes, records it as a
	// signing request's transaction in both stores.
	signTrust := func(nonce uint64) *types.Transaction {
		t.Helper()
		call := chain.Trust(r, holders[rng.Intn(len(holders))], big.NewInt(1+rng.Int63n(1000)))
		tx, err := types.SignNewTx(alice.Key, types.LatestSignerForChainID(node.ChainID()), &types.DynamicFeeTx{
			ChainID: node.ChainID(), Nonce: nonce, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(100e9),
			Gas: 200_000, To: &call.To, Data: call.Data,
		})
		if err != nil {
			t.Fatal(err)
		}
		if rng.Intn(2) == 0 {
			id := fmt.Sprintf("request-anvil-reorg-%08d", len(requests))
			for _, d := range []*store.DB{rdb, db} {
				req := newRequest(t, d, id, alice.Address(), clk.Now().Add(24*time.Hour), call)
				if _, err := d.RecordTx(ctx, req.ID, 0, tx.Hash()); err != nil {
					t.Fatal(err)
				}
			}
			requests = append(requests, id)
			requestTxs[tx.Hash()] = true
		}
		return tx
	}
	// trust sends a trust, mined at once (anvil mines a block per transaction).
	trust := func() {
		t.Helper()
		nonce, err := c.Eth().PendingNonceAt(ctx, alice.Address())
		if err != nil {
			t.Fatal(err)
		}
		tx := signTrust(nonce)
		if err := c.Eth().SendTransaction(ctx, tx); err != nil {
			t.Fatalf("send trust: %v", err)
		}
		if rc := chaintest.WaitMined(t, c.Eth(), tx.Hash()); rc.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("trust %s failed", tx.Hash().Hex())
		}
	}
	checkRequests := func(final bool) int {
		t.Helper()
		return checkRequestsCanonical(t, ctx, c.Eth(), rdb, requests, reorgedOut, node.Head(t), requestConf, final)
	}
	checkDeliveries := func(i int) {
		t.Helper()
		del.checkOnce(t, ctx, db, requestTxs, i)
	}

	trust()
	trust()
	tick()
	depths := map[int]int{}
	retaken, same := 0, 0
	for i := range reorgs {
		for range 1 + rng.Intn(3) {
			trust()
		}
		if rng.Intn(2) == 0 {
			if err := node.RPC(ctx, nil, "evm_mine"); err != nil { // an empty block too, sometimes
				t.Fatal(err)
			}
		}
		tick()
		old := node.Head(t)
		depth := min(1+rng.Intn(maxDepth), int(old-base))
		depths[depth]++
		parent := old - uint64(depth)
		// The abandoned transactions, in order.
		var abandoned []*types.Transaction
		for n := parent + 1; n <= old; n++ {
			b, err := c.Eth().BlockByNumber(ctx, new(big.Int).SetUint64(n))
			if err != nil {
				t.Fatal(err)
			}
			abandoned = append(abandoned, b.Transactions()...)
		}
		// The new branch: a prefix of them, each in a block at or after the one before, and
		// sometimes a new trust after them.
		keep := rng.Intn(len(abandoned) + 1)
		retaken += keep
		var pairs [][2]any
		at := 0
		for _, tx := range abandoned[:keep] {
			raw, err := tx.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			at += rng.Intn(depth - at)
			pairs = append(pairs, [2]any{hexutil.Bytes(raw), at})
		}
		if rng.Intn(2) == 0 {
			nonce, err := c.Eth().NonceAt(ctx, alice.Address(), new(big.Int).SetUint64(parent))
			if err != nil {
				t.Fatal(err)
			}
			raw, err := signTrust(nonce + uint64(keep)).MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			pairs = append(pairs, [2]any{hexutil.Bytes(raw), at + rng.Intn(depth-at)})
		}
		if pairs == nil {
			pairs = [][2]any{}
		}
		oldHead, err := c.Eth().HeaderByNumber(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := node.RPC(ctx, nil, "anvil_reorg", depth, pairs); err != nil {
			t.Fatalf("reorg %d: anvil_reorg(%d, %d transactions): %v", i, depth, len(pairs), err)
		}
		h, err := c.Eth().HeaderByNumber(ctx, nil)
		if err != nil || h.Number.Uint64() != old {
			t.Fatalf("reorg %d: after anvil_reorg(%d) the head is %v (err %v), want block %d", i, depth, h, err, old)
		}
		if h.Hash() == oldHead.Hash() {
			same++ // an empty block replaced by an empty block with the same timestamp
		}
		tick()
		checkRequests(false)
		// Sometimes the new branch grows before the check.
		for range rng.Intn(3) {
			if err := node.RPC(ctx, nil, "evm_mine"); err != nil {
				t.Fatal(err)
			}
			tick()
		}
		if got, want := digest(t, db, indexTables...), freshDigest(t, c, indexTables...); got != want {
			t.Fatalf("reorg %d (depth %d at block %d): got database %s, want a fresh index %s", i, depth, parent, got, want)
		}
		anvilCursorAtHead(t, node, db)
		checkDeliveries(i)
		checkRequests(false)
		clk.Add(time.Second)
	}

	// Make everything final: every request whose tx is canonical ends confirmed.
	if err := node.RPC(ctx, nil, "anvil_mine", hexutil.Uint64(requestConf+1)); err != nil {
		t.Fatal(err)
	}
	tick()
	confirmed := checkRequests(true)
	checkDeliveries(reorgs)
	checkProjection(t, c, db)
	t.Logf("%d anvil reorgs (depths %v, %d left the head as it was, %d abandoned transactions taken back) in %v; %d notices delivered, %d/%d requests confirmed (%d had their tx reorged out for a while)",
		reorgs, depths, same, retaken, time.Since(start).Round(time.Millisecond), len(del.byTx), confirmed, len(requests), len(reorgedOut))
}

// TestAnvilLogCaps indexes a chain on anvil through proxies that refuse eth_getLogs as hosted
// nodes do, over 1,000 blocks or 10,000 results, each worded as its provider words it (some
// with HTTP 400 or 413): the watcher halves its chunk until the node answers, and indexes
// everything a watcher talking to anvil directly indexes.
func TestAnvilLogCaps(t *testing.T) {
	const (
		maxBlocks  = 1000
		maxResults = 10_000
		burst      = 5_200 // trusts in a few blocks: more than 10,000 logs
	)
	ctx := context.Background()
	start := time.Now()
	node := chaintest.StartAnvil(t, chaintest.DevMembers)
	c := node.Client
	alice := chain.Wallet{Key: chain.DevKey("alice")}
	holders := []common.Address{chain.Wallet{Key: chain.DevKey("bob")}.Address(), chain.Wallet{Key: chain.DevKey("carol")}.Address()}
	r := anvilReserve(t, node, alice, chaintest.Ether(100))
	mine := func(n uint64) {
		t.Helper()
		if err := node.RPC(ctx, nil, "anvil_mine", hexutil.Uint64(n)); err != nil {
			t.Fatal(err)
		}
	}
	// trusts sends n trusts from alice in batches and mines until they are all in.
	trusts := func(n int) {
		t.Helper()
		nonce, err := c.Eth().PendingNonceAt(ctx, alice.Address())
		if err != nil {
			t.Fatal(err)
		}
		if err := node.RPC(ctx, nil, "evm_setAutomine", false); err != nil {
			t.Fatal(err)
		}
		var batch []rpc.BatchElem
		flush := func() {
			t.Helper()
			if err := c.Eth().Client().BatchCallContext(ctx, batch); err != nil {
				t.Fatal(err)
			}
			for _, b := range batch {
				if b.Error != nil {
					t.Fatalf("send trust: %v", b.Error)
				}
			}
			batch = batch[:0]
		}
		for i := range n {
			call := chain.Trust(r, holders[i%len(holders)], big.NewInt(1))
			tx, err := types.SignNewTx(alice.Key, types.LatestSignerForChainID(node.ChainID()), &types.DynamicFeeTx{
				ChainID: node.ChainID(), Nonce: nonce + uint64(i), GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(100e9),
				Gas: 100_000, To: &call.To, Data: call.Data,
			})
			if err != nil {
				t.Fatal(err)
			}
			raw, err := tx.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			batch = append(batch, rpc.BatchElem{Method: "eth_sendRawTransaction", Args: []any{hexutil.Bytes(raw)}, Result: new(common.Hash)})
			if len(batch) == 500 {
				flush()
			}
		}
		flush()
		for {
			var status struct{ Pending hexutil.Uint64 }
			if err := node.RPC(ctx, &status, "txpool_status"); err != nil {
				t.Fatal(err)
			}
			if status.Pending == 0 {
				break
			}
			mine(1)
		}
		if err := node.RPC(ctx, nil, "evm_setAutomine", true); err != nil {
			t.Fatal(err)
		}
	}
	// Events more than 1,000 blocks apart, with a burst of more than 10,000 logs in a few
	// blocks between them. (anvil_mine slows down with every block already mined, so the chain
	// is kept just over the block cap.)
	trusts(3)
	mine(550)
	burstFrom := node.Head(t) + 1
	trusts(burst)
	burstTo := node.Head(t)
	mine(550)
	trusts(2)
	head := node.Head(t)

	direct := tempDB(t)
	if err := index.New(c, direct, index.Options{}).Tick(ctx); err != nil {
		t.Fatalf("Tick on anvil directly: %v", err)
	}
	events, err := direct.Events(ctx, store.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) <= maxResults {
		t.Fatalf("events on the chain: got %d, want more than %d", len(events), maxResults)
	}
	want := digest(t, direct, indexTables...)
	t.Logf("%d blocks, %d events (%d trusts in blocks %d-%d), set up in %v", head, len(events), burst, burstFrom, burstTo, time.Since(start).Round(time.Millisecond))
	for _, prov := range chaintest.LogProviders {
		t.Run(prov.Name, func(t *testing.T) {
			t.Parallel()
			started := time.Now()
			p := chaintest.NewLogCap(t, node.URL, prov, maxBlocks, maxResults)
			pc, err := chain.Dial(ctx, p.URL, node.Factory)
			if err != nil {
				t.Fatal(err)
			}
			defer pc.Close()
			db := tempDB(t)
			if err := index.New(pc, db, index.Options{}).Tick(ctx); err != nil {
				t.Fatalf("Tick through %s's caps: %v", prov.Name, err)
			}
			if got := digest(t, db, indexTables...); got != want {
				t.Errorf("through %s's caps: got database %s, want the one indexed directly %s", prov.Name, got, want)
			}
			queries, rangeRefused, tooLarge := p.Counts()
			if rangeRefused == 0 || tooLarge == 0 {
				t.Errorf("%s refused %d queries for their range and %d for their results; want some of each", prov.Name, rangeRefused, tooLarge)
			}
			t.Logf("%s: %d eth_getLogs, %d refused over %d blocks, %d over %d results; indexed in %v",
				prov.Name, queries, rangeRefused, maxBlocks, tooLarge, maxResults, time.Since(started).Round(time.Millisecond))
		})
	}
}
