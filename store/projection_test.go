package store_test

import (
	"database/sql"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"

	"github.com/trustbot/trustbot/store"
)

// ev is a log to be: its emitter and payload.
type ev struct {
	at common.Address
	d  trustbot.EventData
}

var zero common.Address

func amt(v int64) *big.Int { return big.NewInt(v) }

func transfer(res, from, to common.Address, v int64) ev {
	return ev{res, &trustbot.Transfer{From: from, To: to, Amount: amt(v)}}
}

// The reserve's operations, as the contract logs them.
func trustOp(res, holder common.Address, v int64) []ev {
	return []ev{transfer(res, zero, holder, v), {res, &trustbot.Trusted{Holder: holder, Amount: amt(v)}}}
}
func reupOp(res, holder common.Address, v int64) []ev { return []ev{transfer(res, zero, holder, v)} }
func redeemOp(res, holder common.Address, v int64) []ev {
	return []ev{transfer(res, holder, zero, v)}
}
func revokeOp(res, holder common.Address, burned int64, amount *big.Int) []ev {
	return []ev{transfer(res, holder, zero, burned), {res, &trustbot.Revoked{Amount: amount}}}
}
func transferOp(res, from, to common.Address, v int64) []ev { return []ev{transfer(res, from, to, v)} }
func depositOp(res, from common.Address, v int64) []ev {
	return []ev{{res, &trustbot.Deposited{From: from, Amount: amt(v)}}}
}
func withdrawOp(res, to common.Address, v int64) []ev {
	return []ev{{res, &trustbot.Withdrawn{To: to, Amount: amt(v)}}}
}

// txs joins the logs of several operations into one transaction.
func txs(ops ...[]ev) []ev { return slices.Concat(ops...) }

// blockOf makes the events of block b: one transaction per element of txs, the i-th with hash
// txHash(i).
func blockOf(b trustbot.Block, txHash func(int) common.Hash, txs ...[]ev) []trustbot.Event {
	var out []trustbot.Event
	for i, tx := range txs {
		for _, e := range tx {
			out = append(out, trustbot.Event{Block: b, LogIndex: uint(len(out)), TxHash: txHash(i), Address: e.at, Data: e.d})
		}
	}
	return out
}

// webLines writes the projection part of a Web, a row a line, in its order.
func webLines(w trustbot.Web) []string {
	var out []string
	out = append(out, fmt.Sprintf("block %d %s", w.Block.Number, w.Block.Hash.Hex()))
	for _, r := range w.Reserves {
		out = append(out, fmt.Sprintf("reserve %s issuer %s asset %s %q %d created %d %q %q %d outstanding %s backing %s",
			r.Address.Hex(), r.Issuer.Hex(), r.Asset.Address.Hex(), r.Asset.Symbol, r.Asset.Decimals, r.CreatedBlock, r.Name, r.Symbol, r.Decimals,
			r.Outstanding, r.Backing))
	}
	for _, a := range w.Accounts {
		out = append(out, accountLine(a.Reserve, a.Holder, a.Balance, a.Budget))
	}
	for _, l := range w.Links {
		out = append(out, fmt.Sprintf("link %+v", l))
	}
	return out
}

func accountLine(res, holder common.Address, balance, budget *big.Int) string {
	return fmt.Sprintf("account %s holder %s balance %s budget %s", res.Hex(), holder.Hex(), balance, budget)
}

// diffLines says how got and want differ, or "" when they are equal line for line.
func diffLines(got, want []string) string {
	if slices.Equal(got, want) {
		return ""
	}
	var b strings.Builder
	for i := range max(len(got), len(want)) {
		g, w := "(none)", "(none)"
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			fmt.Fprintf(&b, "\nrow %d: got  %s\n       want %s", i, g, w)
		}
	}
	return b.String()
}

// mustWeb reads the Web.
func mustWeb(t testing.TB, db *store.DB) trustbot.Web {
	t.Helper()
	w, err := db.Web(t.Context())
	if err != nil {
		t.Fatalf("Web: %v", err)
	}
	return w
}

// checkRebuild requires RebuildProjection to leave the Web as it is, row for row.
func checkRebuild(t testing.TB, db *store.DB, what string) {
	t.Helper()
	before := webLines(mustWeb(t, db))
	if err := db.RebuildProjection(t.Context()); err != nil {
		t.Fatalf("%s: RebuildProjection: %v", what, err)
	}
	if d := diffLines(webLines(mustWeb(t, db)), before); d != "" {
		t.Fatalf("%s: Web after RebuildProjection differs from the Web kept while applying (got the rebuilt one, want the kept one):%s", what, d)
	}
}

// The reserves of the projection tests: A backed by the native coin, U by an ERC-20, and L a
// layer over A.
var (
	factory            = addr(0xfac)
	alice, bob, carol  = addr(1), addr(2), addr(3)
	h1, h2             = addr(101), addr(102)
	usdToken           = trustbot.Token{Address: addr(50), Symbol: "USD", Decimals: 6}
	resA, resU, resL   = addr(10), addr(11), addr(12)
	projectionReserves = []trustbot.Reserve{
		{Address: resA, Issuer: alice, Asset: trustbot.Token{Symbol: "ETH", Decimals: 18}, ChainID: 1337, CreatedBlock: 1, Name: "Alice ETH", Symbol: "tETH-alice", Decimals: 18},
		{Address: resU, Issuer: bob, Asset: usdToken, ChainID: 1337, CreatedBlock: 1, Name: "Bob USD", Symbol: "tUSD-bob", Decimals: 6},
		{Address: resL, Issuer: carol, Asset: trustbot.Token{Address: resA, Symbol: "tETH-alice", Decimals: 18}, ChainID: 1337, CreatedBlock: 1, Name: "Carol on Alice", Symbol: "tETH-carol", Decimals: 18},
	}
)

// createReserves applies block 1 of fork 0: the factory creates the projection tests' reserves.
func createReserves(t testing.TB, db *store.DB) {
	t.Helper()
	var created [][]ev
	for _, r := range projectionReserves {
		created = append(created, []ev{{factory, &trustbot.ReserveCreated{Reserve: r.Address, Issuer: r.Issuer, Asset: r.Asset.Address}}})
	}
	c := store.Chunk{Cursor: block(0, 1), Events: blockOf(block(0, 1), func(i int) common.Hash { return hash(100 + i) }, created...),
		Reserves: projectionReserves}
	if _, err := db.ApplyChunk(t.Context(), c); err != nil {
		t.Fatalf("ApplyChunk(reserves): %v", err)
	}
}

func TestProjection_Rules(t *testing.T) {
	max := trustbot.MaxUint256()
	type figures struct{ outstanding, backing int64 }
	type account struct {
		res, holder     common.Address
		balance, budget int64
	}
	for _, c := range []struct {
		name     string
		txs      [][]ev
		reserves map[common.Address]figures // the others have none
		accounts []account                  // in Web order
	}{
		{
			name:     "trust: mint and Trusted",
			txs:      [][]ev{trustOp(resA, h1, 100)},
			reserves: map[common.Address]figures{resA: {100, 0}},
			accounts: []account{{resA, h1, 100, 100}},
		},
		{
			name:     "re-up: a mint without Trusted",
			txs:      [][]ev{trustOp(resA, h1, 100), transferOp(resA, h1, h2, 40), reupOp(resA, h1, 40)},
			reserves: map[common.Address]figures{resA: {140, 0}},
			accounts: []account{{resA, h1, 100, 100}, {resA, h2, 40, 0}},
		},
		{
			name:     "redeem: a burn without Revoked pays out backing",
			txs:      [][]ev{depositOp(resA, alice, 500), trustOp(resA, h1, 100), redeemOp(resA, h1, 30)},
			reserves: map[common.Address]figures{resA: {70, 470}},
			accounts: []account{{resA, h1, 70, 100}},
		},
		{
			name:     "revoke part",
			txs:      [][]ev{depositOp(resA, alice, 500), trustOp(resA, h1, 100), revokeOp(resA, h1, 40, amt(40))},
			reserves: map[common.Address]figures{resA: {60, 500}},
			accounts: []account{{resA, h1, 60, 60}},
		},
		{
			name:     "revoke beyond the budget saturates at zero",
			txs:      [][]ev{trustOp(resA, h1, 100), transferOp(resA, h1, h2, 80), revokeOp(resA, h1, 20, amt(150))},
			reserves: map[common.Address]figures{resA: {80, 0}},
			accounts: []account{{resA, h2, 80, 0}},
		},
		{
			name:     "revoke all",
			txs:      [][]ev{depositOp(resA, alice, 500), trustOp(resA, h1, 100), trustOp(resA, h2, 50), revokeOp(resA, h1, 100, max)},
			reserves: map[common.Address]figures{resA: {50, 500}},
			accounts: []account{{resA, h2, 50, 50}},
		},
		{
			name:     "revoke a budget whose tokens were passed on",
			txs:      [][]ev{trustOp(resA, h1, 100), transferOp(resA, h1, h2, 100), revokeOp(resA, h1, 0, max)},
			reserves: map[common.Address]figures{resA: {100, 0}},
			accounts: []account{{resA, h2, 100, 0}},
		},
		{
			name:     "transfer between holders",
			txs:      [][]ev{trustOp(resU, h1, 100), transferOp(resU, h1, h2, 30)},
			reserves: map[common.Address]figures{resU: {100, 0}},
			accounts: []account{{resU, h1, 70, 100}, {resU, h2, 30, 0}},
		},
		{
			name: "deposit and withdraw",
			txs: [][]ev{
				txs(transferOp(usdToken.Address, bob, resU, 500), depositOp(resU, bob, 500)), // the ERC-20's log is not a reserve's
				withdrawOp(resU, bob, 120),
			},
			reserves: map[common.Address]figures{resU: {0, 380}},
		},
		{
			name: "a layer's backing is its balance in the reserve below",
			txs: [][]ev{
				trustOp(resA, h1, 100),
				txs(transferOp(resA, h1, resL, 60), depositOp(resL, h1, 60)), // h1 deposits A tokens into L
				trustOp(resL, h2, 50), // carol trusts h2 with L tokens
				txs(transferOp(resA, resL, carol, 10), withdrawOp(resL, carol, 10)), // carol takes 10 A tokens out
				txs(redeemOp(resL, h2, 20), transferOp(resA, resL, h2, 20)),         // h2 redeems 20 L tokens for A tokens
				revokeOp(resA, resL, 5, amt(5)),                                     // alice revokes 5 of the A tokens L holds
			},
			reserves: map[common.Address]figures{resA: {95, 0}, resL: {30, 25}},
			// By budget, then holder: carol (…03) < L (…0c) < h2 (…66).
			accounts: []account{{resA, h1, 40, 100}, {resA, carol, 10, 0}, {resA, resL, 25, 0}, {resA, h2, 20, 0}, {resL, h2, 30, 50}},
		},
		{
			name: "accounts with neither balance nor budget disappear",
			txs: [][]ev{trustOp(resA, h1, 100), transferOp(resA, h1, h2, 100), depositOp(resA, alice, 100), redeemOp(resA, h2, 100),
				revokeOp(resA, h1, 0, max)},
			reserves: map[common.Address]figures{resA: {0, 0}},
		},
		{
			name: "a reserve's accounts in order of budget",
			txs:  [][]ev{trustOp(resA, h1, 9), trustOp(resA, h2, 10), trustOp(resA, carol, 10)},
			// 10 > 9 though "10" < "9" as text; equal budgets by holder.
			reserves: map[common.Address]figures{resA: {29, 0}},
			accounts: []account{{resA, carol, 10, 10}, {resA, h2, 10, 10}, {resA, h1, 9, 9}},
		},
		{
			name: "an unknown emitter's events are kept, not projected",
			txs:  [][]ev{transferOp(addr(99), h1, h2, 5), revokeOp(addr(99), h1, 5, amt(5))},
		},
	} {
		want := []string{""} // the block's line, set by each mode
		for _, r := range projectionReserves {
			f := c.reserves[r.Address]
			r.Outstanding, r.Backing = amt(f.outstanding), amt(f.backing)
			want = append(want, webLines(trustbot.Web{Reserves: []trustbot.Reserve{r}})[1])
		}
		for _, a := range c.accounts {
			want = append(want, accountLine(a.res, a.holder, amt(a.balance), amt(a.budget)))
		}
		for _, mode := range []string{"in one block", "a block per transaction"} {
			t.Run(c.name+"/"+mode, func(t *testing.T) {
				ctx := t.Context()
				db, _, _ := newDB(t)
				createReserves(t, db)
				txHash := func(i int) common.Hash { return hash(1000 + i) }
				var cursor trustbot.Block
				if mode == "in one block" {
					cursor = block(0, 2)
					if _, err := db.ApplyChunk(ctx, store.Chunk{Cursor: cursor, Events: blockOf(cursor, txHash, c.txs...)}); err != nil {
						t.Fatal(err)
					}
				} else {
					for i, tx := range c.txs {
						cursor = block(0, 2+i)
						evs := blockOf(cursor, func(int) common.Hash { return txHash(i) }, tx)
						if _, err := db.ApplyChunk(ctx, store.Chunk{Cursor: cursor, Events: evs}); err != nil {
							t.Fatalf("transaction %d: %v", i, err)
						}
					}
				}
				want[0] = fmt.Sprintf("block %d %s", cursor.Number, cursor.Hash.Hex())
				if d := diffLines(webLines(mustWeb(t, db)), want); d != "" {
					t.Errorf("Web:%s", d)
				}
				checkRebuild(t, db, "after the transactions")
			})
		}
	}
}

func TestProjection_RevokedWithoutItsBurn(t *testing.T) {
	ctx := t.Context()
	db, _, _ := newDB(t)
	createReserves(t, db)
	for name, tx := range map[string][]ev{
		"alone":           {{resA, &trustbot.Revoked{Amount: amt(1)}}},
		"after a mint":    {transfer(resA, zero, h1, 5), {resA, &trustbot.Revoked{Amount: amt(1)}}},
		"after a deposit": {transfer(resA, h1, zero, 0), {resA, &trustbot.Deposited{From: h1, Amount: amt(1)}}, {resA, &trustbot.Revoked{Amount: amt(1)}}},
	} {
		evs := blockOf(block(0, 2), func(int) common.Hash { return hash(7) }, tx)
		if _, err := db.ApplyChunk(ctx, store.Chunk{Cursor: block(0, 2), Events: evs}); err == nil {
			t.Errorf("ApplyChunk of a Revoked %s: got no error, want one", name)
		}
	}
	// Its burn in another transaction.
	evs := blockOf(block(0, 2), func(i int) common.Hash { return hash(10 + i) }, redeemOp(resA, h1, 0), []ev{{resA, &trustbot.Revoked{Amount: amt(1)}}})
	if _, err := db.ApplyChunk(ctx, store.Chunk{Cursor: block(0, 2), Events: evs}); err == nil {
		t.Errorf("ApplyChunk of a Revoked after another transaction's burn: got no error, want one")
	}
	if got, err := db.Events(ctx, store.EventFilter{FromBlock: 2}); err != nil || len(got) != 0 {
		t.Errorf("Events after refused chunks: got %d, %v, want none", len(got), err)
	}
}

// TestProjection_Rollback checks that RollbackTo deletes the reserves created above the
// ancestor, with their accounts, and rebuilds the reserves that lost events.
func TestProjection_Rollback(t *testing.T) {
	ctx := t.Context()
	db, _, _ := newDB(t)
	createReserves(t, db)
	txHash := func(i int) common.Hash { return hash(2000 + i) }
	if _, err := db.ApplyChunk(ctx, store.Chunk{Cursor: block(0, 2), Events: blockOf(block(0, 2), txHash, trustOp(resA, h1, 100), depositOp(resU, bob, 7))}); err != nil {
		t.Fatal(err)
	}
	kept := webLines(mustWeb(t, db))
	kept[0] = ""
	// Block 3 creates a fourth reserve, M, a layer over A backed by h1's A tokens, and A trusts h2.
	resM := trustbot.Reserve{Address: addr(13), Issuer: h2, Asset: trustbot.Token{Address: resA}, ChainID: 1337, CreatedBlock: 3, Name: "M", Symbol: "tM", Decimals: 18}
	b3 := blockOf(block(0, 3), func(i int) common.Hash { return hash(3000 + i) },
		[]ev{{factory, &trustbot.ReserveCreated{Reserve: resM.Address, Issuer: resM.Issuer, Asset: resA}}},
		txs(transferOp(resA, h1, resM.Address, 60), depositOp(resM.Address, h1, 60)),
		trustOp(resM.Address, h2, 30),
		trustOp(resA, h2, 5),
	)
	if _, err := db.ApplyChunk(ctx, store.Chunk{Cursor: block(0, 3), Events: b3, Reserves: []trustbot.Reserve{resM}}); err != nil {
		t.Fatal(err)
	}
	if w := mustWeb(t, db); len(w.Reserves) != 4 || len(w.Accounts) != 4 {
		t.Fatalf("Web after block 3: got %d reserves and %d accounts, want 4 and 4:\n%s", len(w.Reserves), len(w.Accounts), strings.Join(webLines(w), "\n"))
	}
	removed, err := db.RollbackTo(ctx, block(0, 2))
	if err != nil {
		t.Fatal(err)
	}
	if !same(removed, b3) {
		t.Errorf("RollbackTo: got %s, want %s", show(removed), show(b3))
	}
	got := webLines(mustWeb(t, db))
	if got[0] != fmt.Sprintf("block 2 %s", blockHash(0, 2).Hex()) {
		t.Errorf("Web's block: got %s, want block 2", got[0])
	}
	got[0] = ""
	if d := diffLines(got, kept); d != "" {
		t.Errorf("Web after the rollback:%s", d)
	}
	if _, err := db.Reserve(ctx, resM.Address); trustbot.ErrorCode(err) != trustbot.ENotFound {
		t.Errorf("Reserve(created above the ancestor): got %v, want %s", err, trustbot.ENotFound)
	}
	checkRebuild(t, db, "after the rollback")
}

func TestWeb_LinksAndCursor(t *testing.T) {
	ctx := t.Context()
	db, _, _ := newDB(t)
	if w := mustWeb(t, db); w.Block != (trustbot.Block{}) || len(w.Reserves)+len(w.Accounts)+len(w.Links) != 0 {
		t.Errorf("Web of an empty store: got %s, want nothing", show(w))
	}
	var links []trustbot.WalletLink
	for i, user := range []string{"bob", "alice"} {
		l, err := db.LinkWallet(ctx, trustbot.WalletLink{UserID: user, Address: addr(200 + i), ChainID: 1337, Method: "siwe"})
		if err != nil {
			t.Fatal(err)
		}
		links = append([]trustbot.WalletLink{l}, links...) // by user id
	}
	createReserves(t, db)
	w := mustWeb(t, db)
	if w.Block != block(0, 1) || !same(w.Links, links) || len(w.Reserves) != 3 {
		t.Errorf("Web: got block %+v, links %s, %d reserves, want block 1, %s, 3 reserves", w.Block, show(w.Links), len(w.Reserves), show(links))
	}
}

// sim is the random test's model of the chain: what the reserves' events imply, computed
// without the store.
type sim struct {
	reserves []simReserve // in creation order
	accounts map[[2]common.Address]simAccount
	next     int // the next reserve's number
}

type simReserve struct {
	r                    trustbot.Reserve
	below                int // the index of the reserve below a layer, or -1
	outstanding, backing int64
}

type simAccount struct{ balance, budget int64 }

func (s *sim) clone() *sim {
	c := &sim{reserves: slices.Clone(s.reserves), accounts: make(map[[2]common.Address]simAccount, len(s.accounts)), next: s.next}
	for k, v := range s.accounts {
		c.accounts[k] = v
	}
	return c
}

func (s *sim) acct(res, holder common.Address) simAccount {
	return s.accounts[[2]common.Address{res, holder}]
}

func (s *sim) move(res, from, to common.Address, v int64) {
	if from != zero {
		a := s.acct(res, from)
		a.balance -= v
		s.put(res, from, a)
	}
	if to != zero {
		a := s.acct(res, to)
		a.balance += v
		s.put(res, to, a)
	}
}

func (s *sim) put(res, holder common.Address, a simAccount) {
	if a.balance < 0 || a.budget < 0 {
		panic(fmt.Sprintf("model: %s would hold %+v of %s", holder.Hex(), a, res.Hex()))
	}
	k := [2]common.Address{res, holder}
	if a == (simAccount{}) {
		delete(s.accounts, k)
	} else {
		s.accounts[k] = a
	}
}

// lines is the Web the model implies, without its block and links: reserves in creation order,
// then accounts sorted as text (their order is the rebuild check's business).
func (s *sim) lines() []string {
	var out []string
	for _, sr := range s.reserves {
		r := sr.r
		r.Outstanding, r.Backing = amt(sr.outstanding), amt(max(sr.backing, 0))
		if sr.below >= 0 {
			r.Backing = amt(s.acct(s.reserves[sr.below].r.Address, r.Address).balance)
		}
		out = append(out, webLines(trustbot.Web{Reserves: []trustbot.Reserve{r}})[1])
	}
	var accts []string
	for k, a := range s.accounts {
		accts = append(accts, accountLine(k[0], k[1], amt(a.balance), amt(a.budget)))
	}
	sort.Strings(accts)
	return append(out, accts...)
}

// gen makes random valid transactions.
type gen struct {
	rng     *rand.Rand
	holders []common.Address
	issuers []common.Address
}

func (g *gen) pick(n int) int { return g.rng.IntN(n) }

func (g *gen) upTo(n int64) int64 { return 1 + g.rng.Int64N(n) }

// tx makes one random transaction of block n on s (which it updates), and the reserves it
// creates; nil when the operation it drew is not possible now.
func (g *gen) tx(s *sim, n uint64) ([]ev, []trustbot.Reserve) {
	if len(s.reserves) == 0 || len(s.reserves) < 6 && g.pick(8) == 0 {
		return g.create(s, n)
	}
	i := g.pick(len(s.reserves))
	sr := &s.reserves[i]
	res := sr.r.Address
	// Accounts of the reserve, in a fixed order.
	var holders []common.Address
	for k := range s.accounts {
		if k[0] == res {
			holders = append(holders, k[1])
		}
	}
	slices.SortFunc(holders, func(a, b common.Address) int { return a.Cmp(b) })
	var below common.Address
	if sr.below >= 0 {
		below = s.reserves[sr.below].r.Address
	}
	user := g.holders[g.pick(len(g.holders))]
	switch g.pick(10) {
	case 0, 1: // trust
		v := g.upTo(1000)
		a := s.acct(res, user)
		a.balance += v
		a.budget += v
		s.put(res, user, a)
		sr.outstanding += v
		return trustOp(res, user, v), nil
	case 2: // re-up, or several (reupMany)
		var out []ev
		for _, h := range holders {
			if a := s.acct(res, h); a.budget > a.balance && g.pick(2) == 0 {
				v := g.upTo(a.budget - a.balance)
				s.move(res, zero, h, v)
				sr.outstanding += v
				out = append(out, reupOp(res, h, v)...)
			}
		}
		return out, nil
	case 3: // redeem, within the balance and the backing
		if len(holders) == 0 {
			return nil, nil
		}
		h := holders[g.pick(len(holders))]
		backing := sr.backing
		if sr.below >= 0 {
			backing = s.acct(below, res).balance
		}
		bal := s.acct(res, h).balance
		if bal == 0 || backing <= 0 {
			return nil, nil
		}
		v := g.upTo(min(bal, backing))
		s.move(res, h, zero, v)
		sr.outstanding -= v
		sr.backing -= v
		out := redeemOp(res, h, v)
		if sr.below >= 0 {
			s.move(below, res, h, v)
			out = append(out, transfer(below, res, h, v))
		} else if sr.r.Asset.Address != zero {
			out = append(out, transfer(sr.r.Asset.Address, res, h, v)) // the ERC-20's own log
		}
		return out, nil
	case 4: // revoke, part or all, of any holder (another reserve too)
		if len(holders) == 0 {
			return nil, nil
		}
		h := holders[g.pick(len(holders))]
		a := s.acct(res, h)
		amount := amt(g.upTo(a.budget + a.balance + 10))
		if g.pick(3) == 0 {
			amount = trustbot.MaxUint256()
		}
		burned := a.balance
		if amount.IsInt64() && amount.Int64() < burned {
			burned = amount.Int64()
		}
		if !amount.IsInt64() || amount.Int64() >= a.budget {
			a.budget = 0
		} else {
			a.budget -= amount.Int64()
		}
		a.balance -= burned
		s.put(res, h, a)
		sr.outstanding -= burned
		return revokeOp(res, h, burned, amount), nil
	case 5, 6: // transfer between holders
		if len(holders) == 0 {
			return nil, nil
		}
		h := holders[g.pick(len(holders))]
		bal := s.acct(res, h).balance
		if bal == 0 || h == user {
			return nil, nil
		}
		v := g.upTo(bal)
		s.move(res, h, user, v)
		return transferOp(res, h, user, v), nil
	case 7, 8: // deposit
		if sr.below < 0 {
			v := g.upTo(500)
			sr.backing += v
			return depositOp(res, user, v), nil
		}
		bal := s.acct(below, user).balance
		if bal == 0 {
			return nil, nil
		}
		v := g.upTo(bal)
		s.move(below, user, res, v)
		sr.backing += v
		return txs(transferOp(below, user, res, v), depositOp(res, user, v)), nil
	default: // withdraw, within the backing
		backing := sr.backing
		if sr.below >= 0 {
			backing = s.acct(below, res).balance
		}
		if backing <= 0 {
			return nil, nil
		}
		v := g.upTo(backing)
		sr.backing -= v
		if sr.below < 0 {
			return withdrawOp(res, sr.r.Issuer, v), nil
		}
		s.move(below, res, sr.r.Issuer, v)
		return txs(transferOp(below, res, sr.r.Issuer, v), withdrawOp(res, sr.r.Issuer, v)), nil
	}
}

// create makes the factory create a reserve: of the native coin, an ERC-20 or a layer over
// another reserve, for an issuer without a reserve of that asset.
func (g *gen) create(s *sim, n uint64) ([]ev, []trustbot.Reserve) {
	issuer := g.issuers[g.pick(len(g.issuers))]
	below := -1
	asset := trustbot.Token{Symbol: "ETH", Decimals: 18}
	switch k := g.pick(3); {
	case k == 1:
		asset = usdToken
	case k == 2 && len(s.reserves) > 0:
		below = g.pick(len(s.reserves))
		asset = s.reserves[below].r.Token()
	}
	for _, sr := range s.reserves {
		if sr.r.Issuer == issuer && sr.r.Asset.Address == asset.Address {
			return nil, nil
		}
	}
	// The number goes back with the model on a rollback: a reserve of the abandoned branch
	// may come back at the same address (CREATE2), for another issuer or asset.
	s.next++
	r := trustbot.Reserve{Address: addr(0x1000 + s.next), Issuer: issuer, Asset: asset, ChainID: 1337, CreatedBlock: n,
		Name: fmt.Sprintf("Reserve %d", s.next), Symbol: fmt.Sprintf("t%d", s.next), Decimals: asset.Decimals}
	s.reserves = append(s.reserves, simReserve{r: r, below: below})
	return []ev{{factory, &trustbot.ReserveCreated{Reserve: r.Address, Issuer: issuer, Asset: asset.Address}}}, []trustbot.Reserve{r}
}

// TestProjection_RandomChunksAndRollbacks applies 100 rounds of random chunks, with random
// rollbacks of 1 to 5 blocks followed by another branch, and after every round requires the
// Web to be the model's, and RebuildProjection to leave it as it was, row for row.
func TestProjection_RandomChunksAndRollbacks(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { randomRounds(t, seed, 100) })
	}
}

func randomRounds(t *testing.T, seed uint64, rounds int) {
	ctx := t.Context()
	db, _, _ := newDB(t)
	g := &gen{rng: rand.New(rand.NewPCG(seed, 0x7275737462)),
		holders: []common.Address{addr(101), addr(102), addr(103), addr(104), addr(105)},
		issuers: []common.Address{addr(1), addr(2), addr(3)},
	}
	// chain[h] is block h as applied: its hash and events, and the model after it.
	type applied struct {
		b      trustbot.Block
		events int
		state  *sim
	}
	chain := []applied{{state: &sim{accounts: map[[2]common.Address]simAccount{}}}}
	fork, txn := 0, 0
	var last store.Chunk
	for round := range rounds {
		what := fmt.Sprintf("seed %d round %d", seed, round)
		height := len(chain) - 1
		if height > 1 && g.pick(4) == 0 {
			k := 1 + g.pick(min(5, height-1))
			ancestor := chain[height-k]
			want := 0
			for _, a := range chain[height-k+1:] {
				want += a.events
			}
			removed, err := db.RollbackTo(ctx, ancestor.b)
			if err != nil {
				t.Fatalf("%s: RollbackTo(%d): %v", what, ancestor.b.Number, err)
			}
			if len(removed) != want {
				t.Fatalf("%s: RollbackTo(%d): got %d events removed, want %d", what, ancestor.b.Number, len(removed), want)
			}
			chain = chain[:height-k+1]
			height -= k
			fork = round + 1 // the new branch's blocks have other hashes
			what += fmt.Sprintf(" (after a rollback of %d blocks)", k)
		} else if last.Events != nil && g.pick(8) == 0 {
			// The same chunk again: nothing new.
			if n, err := db.ApplyChunk(ctx, last); err != nil || n != 0 {
				t.Fatalf("%s: ApplyChunk again: got %d, %v, want 0, nil", what, n, err)
			}
		}
		// A chunk of 1 to 3 blocks of 0 to 4 transactions.
		var c store.Chunk
		for range 1 + g.pick(3) {
			n := uint64(len(chain))
			s := chain[len(chain)-1].state.clone()
			b := trustbot.Block{Number: n, Hash: blockHash(fork, int(n))}
			var evs []trustbot.Event
			for range g.pick(5) {
				tx, created := g.tx(s, n)
				if len(tx) == 0 {
					continue
				}
				txn++
				evs = append(evs, blockOf(trustbot.Block{}, func(int) common.Hash { return hash(1_000_000 + txn) }, tx)...)
				c.Reserves = append(c.Reserves, created...)
			}
			if g.pick(6) == 0 { // a log of a contract that is no reserve
				txn++
				evs = append(evs, trustbot.Event{TxHash: hash(1_000_000 + txn), Address: addr(77), Data: &trustbot.Transfer{From: addr(5), To: addr(6), Amount: amt(1)}})
			}
			for i := range evs {
				evs[i].Block, evs[i].LogIndex = b, uint(i)
			}
			c.Events = append(c.Events, evs...)
			c.Cursor = b
			chain = append(chain, applied{b: b, events: len(evs), state: s})
		}
		if n, err := db.ApplyChunk(ctx, c); err != nil || n != len(c.Events) {
			t.Fatalf("%s: ApplyChunk of blocks %d to %d: got %d, %v, want %d, nil", what, height+1, c.Cursor.Number, n, err, len(c.Events))
		}
		last = c
		w := mustWeb(t, db)
		if w.Block != c.Cursor {
			t.Fatalf("%s: Web's block: got %+v, want %+v", what, w.Block, c.Cursor)
		}
		got := webLines(w)[1:]
		reserves := len(w.Reserves)
		sort.Strings(got[reserves:])
		if d := diffLines(got, chain[len(chain)-1].state.lines()); d != "" {
			t.Fatalf("%s: Web against the model:%s", what, d)
		}
		checkRebuild(t, db, what)
	}
	if len(chain) < 50 {
		t.Errorf("the chain grew to %d blocks, want a longer story", len(chain)-1)
	}
}

// migrateTo3 makes a database at version 3 at path, as the bot before the projection left it:
// the schema of the first three migrations, with the rows of stmts.
func migrateTo3(t *testing.T, path string, stmts ...string) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(wal)&_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	files, err := filepath.Glob("migrations/sqlite/000[123]_*.sql")
	if err != nil || len(files) != 3 {
		t.Fatalf("migrations 1 to 3: got %v, %v", files, err)
	}
	sort.Strings(files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(string(b)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	if _, err := raw.Exec(`PRAGMA user_version = 3`); err != nil {
		t.Fatal(err)
	}
	for _, s := range stmts {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestOpen_Version3RebuildsProjection opens a database of version 3 with events, as the old
// indexer stored them (an ERC-20 Approval of a reserve's token included), and finds the
// projection the events imply, and the notice outbox the old notified table implies.
func TestOpen_Version3RebuildsProjection(t *testing.T) {
	sqliteOnly(t)
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "v3.db")
	lower := func(a common.Address) string { return strings.ToLower(a.Hex()) }
	const at = "2026-02-01T10:00:00.000Z"
	row := func(n, idx int, tx common.Hash, emitter common.Address, name, args string) string {
		return fmt.Sprintf(`INSERT INTO events (block_number, block_hash, log_index, tx_hash, address, name, args, applied_at)
			VALUES (%d, '%s', %d, '%s', '%s', '%s', '%s', '%s')`, n, strings.ToLower(blockHash(0, n).Hex()), idx, strings.ToLower(tx.Hex()), lower(emitter), name, args, at)
	}
	tr := func(from, to common.Address, v int) string {
		return fmt.Sprintf(`{"from":"%s","to":"%s","amount":"%d"}`, lower(from), lower(to), v)
	}
	stmts := []string{
		fmt.Sprintf(`INSERT INTO reserves (address, issuer, asset, chain_id, created_block, name, symbol, decimals)
			VALUES ('%s', '%s', '%s', 1337, 1, 'Alice ETH', 'tETH-alice', 18)`, lower(resA), lower(alice), lower(zero)),
		fmt.Sprintf(`INSERT INTO reserves (address, issuer, asset, chain_id, created_block, name, symbol, decimals)
			VALUES ('%s', '%s', '%s', 1337, 1, 'Carol on Alice', 'tETH-carol', 18)`, lower(resL), lower(carol), lower(resA)),
		row(1, 0, hash(1), factory, "ReserveCreated", fmt.Sprintf(`{"issuer":"%s","asset":"%s","reserve":"%s"}`, lower(alice), lower(zero), lower(resA))),
		row(1, 1, hash(2), factory, "ReserveCreated", fmt.Sprintf(`{"issuer":"%s","asset":"%s","reserve":"%s"}`, lower(carol), lower(resA), lower(resL))),
		row(2, 0, hash(3), resA, "Deposited", fmt.Sprintf(`{"from":"%s","amount":"500"}`, lower(alice))),
		row(2, 1, hash(4), resA, "Transfer", tr(zero, h1, 100)),
		row(2, 2, hash(4), resA, "Trusted", fmt.Sprintf(`{"holder":"%s","amount":"100"}`, lower(h1))),
		row(3, 0, hash(5), resA, "Approval", fmt.Sprintf(`{"owner":"%s","spender":"%s","amount":"60"}`, lower(h1), lower(resL))),
		row(3, 1, hash(6), resA, "Transfer", tr(h1, resL, 60)),
		row(3, 2, hash(6), resL, "Deposited", fmt.Sprintf(`{"from":"%s","amount":"60"}`, lower(h1))),
		row(3, 3, hash(7), resA, "Transfer", tr(h1, zero, 10)),
		row(3, 4, hash(7), resA, "Revoked", `{"amount":"115792089237316195423570985008687907853269984665640564039457584007913129639935"}`),
		fmt.Sprintf(`INSERT INTO watcher_cursor (id, block_number, block_hash, updated_at) VALUES (1, 3, '%s', '%s')`, strings.ToLower(blockHash(0, 3).Hex()), at),
		// Three of the transactions were the bot's: the notice of the trust was sent, the
		// approval has none (no event the store knows), the revoke's is owed.
		`INSERT INTO signing_requests (id, guild_id, channel_id, user_id, signer, chain_id, kind, summary, status, created_at, expires_at, updated_at)
			VALUES ('old-request-000001', 'g', 'c', 'alice', '` + lower(alice) + `', 1337, 'trust', 'Trust.', 'submitted', '` + at + `', '2026-02-01T10:15:00.000Z', '` + at + `')`,
		`INSERT INTO signing_calls (request_id, idx, to_addr, data, value) VALUES ('old-request-000001', 0, '` + lower(resA) + `', '0x', '0'),
			('old-request-000001', 1, '` + lower(resA) + `', '0x', '0')`,
		`INSERT INTO signing_txs (request_id, idx, tx_hash) VALUES ('old-request-000001', 0, '` + strings.ToLower(hash(4).Hex()) + `'),
			('old-request-000001', 1, '` + strings.ToLower(hash(7).Hex()) + `')`,
		`INSERT INTO signing_requests (id, user_id, signer, chain_id, kind, summary, status, created_at, expires_at, updated_at)
			VALUES ('old-request-000002', 'h1', '` + lower(h1) + `', 1337, 'deposit', 'Deposit.', 'submitted', '` + at + `', '2026-02-01T10:15:00.000Z', '` + at + `')`,
		`INSERT INTO signing_calls (request_id, idx, to_addr, data, value) VALUES ('old-request-000002', 0, '` + lower(resA) + `', '0x', '0')`,
		`INSERT INTO signing_txs (request_id, idx, tx_hash) VALUES ('old-request-000002', 0, '` + strings.ToLower(hash(5).Hex()) + `')`,
		`INSERT INTO notified (tx_hash, log_index, notified_at) VALUES ('` + strings.ToLower(hash(4).Hex()) + `', 1, '` + at + `'),
			('` + strings.ToLower(hash(4).Hex()) + `', 2, '` + at + `')`,
	}
	migrateTo3(t, path, stmts...)

	db := openAt(t, path, newClock())
	if v, err := db.SchemaVersion(ctx); err != nil || v != latestSchema {
		t.Fatalf("SchemaVersion: got %d, %v, want %d", v, err, latestSchema)
	}
	got := webLines(mustWeb(t, db))
	r := func(res trustbot.Reserve, outstanding, backing int64) string {
		res.Outstanding, res.Backing = amt(outstanding), amt(backing)
		res.Asset.Symbol, res.Asset.Decimals = "", 0 // not known before version 4
		return webLines(trustbot.Web{Reserves: []trustbot.Reserve{res}})[1]
	}
	want := []string{
		fmt.Sprintf("block 3 %s", blockHash(0, 3).Hex()),
		r(projectionReserves[0], 90, 500),
		r(projectionReserves[2], 0, 60),
		accountLine(resA, resL, amt(60), amt(0)),
		accountLine(resA, h1, amt(30), amt(0)),
	}
	if d := diffLines(got, want); d != "" {
		t.Errorf("Web of a version 3 database:%s", d)
	}
	checkRebuild(t, db, "version 3")
	// The Approval is no event the store knows.
	if evs, err := db.Events(ctx, store.EventFilter{TxHash: hash(5)}); err != nil || len(evs) != 0 {
		t.Errorf("Events of the Approval: got %s, %v, want none", show(evs), err)
	}
	if evs, err := db.Events(ctx, store.EventFilter{}); err != nil || len(evs) != 9 {
		t.Errorf("Events: got %d, %v, want 9", len(evs), err)
	}
	// The outbox: the notified transaction is delivered, the other is owed.
	notices, err := db.PendingNotices(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(notices) != 1 || notices[0].TxHash != hash(7) || len(notices[0].Events) != 2 || notices[0].Request.ID != "old-request-000001" {
		t.Errorf("PendingNotices: got %+v, want the notice of %s", notices, hash(7).Hex())
	}
}
