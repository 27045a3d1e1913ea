package store_test

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/ledger"

	"github.com/trustbot/trustbot/store"
)

// The trip tests' members, each linked to a wallet: alice, bob and carol issue the projection
// tests' reserves A (ETH), U (USD) and the layer L over A; dave and erin hold tokens.
var tripWallets = []struct {
	user   string
	wallet common.Address
}{{"alice", alice}, {"bob", bob}, {"carol", carol}, {"dave", h1}, {"erin", h2}}

// stranger holds U tokens from a wallet nobody linked.
var stranger = addr(103)

// tripStory is a store with the projection tests' reserves (block 1), the members' wallets
// linked and the holders given tokens (block 2), and ways to add blocks and requests.
type tripStory struct {
	t     testing.TB
	db    *store.DB
	clk   *clock
	path  string
	fork  int
	block int // the last block applied
	txs   int // transaction hashes handed out
	reqs  int // signing requests made
}

func newTripStory(t testing.TB) *tripStory {
	t.Helper()
	db, clk, path := newDB(t)
	createReserves(t, db)
	for _, w := range tripWallets {
		if _, err := db.LinkWallet(t.Context(), trustbot.WalletLink{UserID: w.user, Address: w.wallet, ChainID: 1337, Method: "siwe"}); err != nil {
			t.Fatalf("LinkWallet(%s): %v", w.user, err)
		}
	}
	s := &tripStory{t: t, db: db, clk: clk, path: path, block: 1}
	const plenty = 1_000_000_000_000_000
	s.chain(
		trustOp(resU, h1, plenty), trustOp(resU, h2, plenty), trustOp(resU, stranger, plenty), trustOp(resU, alice, plenty),
		trustOp(resA, h1, plenty), trustOp(resA, resL, plenty), trustOp(resL, h2, plenty),
		depositOp(resU, bob, plenty), depositOp(resA, alice, plenty),
	)
	return s
}

// newTx hands out a fresh transaction hash.
func (s *tripStory) newTx() common.Hash {
	s.txs++
	return hash(0x10000 + s.txs)
}

// chain applies the next block with one fresh transaction per element of txs and returns
// their hashes.
func (s *tripStory) chain(txs ...[]ev) []common.Hash {
	s.t.Helper()
	hashes := make([]common.Hash, len(txs))
	for i := range hashes {
		hashes[i] = s.newTx()
	}
	s.chainAs(hashes, txs...)
	return hashes
}

// chainAs applies the next block with the transactions txs under the given hashes.
func (s *tripStory) chainAs(hashes []common.Hash, txs ...[]ev) []trustbot.Event {
	s.t.Helper()
	s.block++
	b := block(s.fork, s.block)
	evs := blockOf(b, func(i int) common.Hash { return hashes[i] }, txs...)
	if _, err := s.db.ApplyChunk(s.t.Context(), store.Chunk{Cursor: b, Events: evs}); err != nil {
		s.t.Fatalf("ApplyChunk(block %d): %v", s.block, err)
	}
	return evs
}

// rollback undoes the blocks above n: the chain continues on the next fork.
func (s *tripStory) rollback(n int) {
	s.t.Helper()
	if _, err := s.db.RollbackTo(s.t.Context(), block(s.fork, n)); err != nil {
		s.t.Fatalf("RollbackTo(%d): %v", n, err)
	}
	s.fork++
	s.block = n
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func member(id string) trustbot.Member {
	return trustbot.Member{ID: id, Name: strings.ToUpper(id[:1]) + id[1:]}
}

func members(ids ...string) []trustbot.Member {
	out := make([]trustbot.Member, len(ids))
	for i, id := range ids {
		out[i] = member(id)
	}
	return out
}

// start opens a trip counting in USD in guild "guild".
func (s *tripStory) start(channel, name string, ids ...string) trustbot.Trip {
	s.t.Helper()
	t, err := s.db.StartTrip(s.t.Context(), trustbot.Trip{GuildID: "guild", ChannelID: channel, Name: name, Asset: usdToken,
		StartedBy: ids[0], Members: members(ids...)})
	if err != nil {
		s.t.Fatalf("StartTrip(%s): %v", name, err)
	}
	return t
}

// request creates a one-call signing request of kind by user in guild "guild", channel
// "channel", with a ledger note.
func (s *tripStory) request(kind, user string, note *trustbot.LedgerNote) trustbot.SigningRequest {
	s.t.Helper()
	s.reqs++
	r := newRequest(fmt.Sprintf("trip-request-%06d", s.reqs), user, 1)
	r.Kind, r.Ledger, r.ExpiresAt = kind, note, s.clk.Now().Add(time.Hour)
	r, err := s.db.CreateRequest(s.t.Context(), r)
	if err != nil {
		s.t.Fatalf("CreateRequest: %v", err)
	}
	return r
}

// report records hash as the transaction of r's only call.
func (s *tripStory) report(r trustbot.SigningRequest, hash common.Hash) {
	s.t.Helper()
	if _, err := s.db.RecordTx(s.t.Context(), r.ID, 0, hash); err != nil {
		s.t.Fatalf("RecordTx: %v", err)
	}
}

// settle has debtor pay creditor amount of USD in trip, confirmed at the current block.
func (s *tripStory) settle(trip int64, debtor, creditor string, amount int64) (trustbot.SigningRequest, common.Hash) {
	s.t.Helper()
	r := s.request("settle", debtor, &trustbot.LedgerNote{TripID: trip, Creditor: creditor, Asset: usdToken, Amount: amt(amount)})
	h := s.newTx()
	s.report(r, h)
	r, changed, err := s.db.ConfirmTx(s.t.Context(), h, uint64(s.block))
	if err != nil || !changed {
		s.t.Fatalf("ConfirmTx: got changed %v, %v, want true, nil", changed, err)
	}
	return r, h
}

func (s *tripStory) entries(trip int64) []trustbot.Entry {
	s.t.Helper()
	es, err := s.db.TripEntries(s.t.Context(), trip)
	if err != nil {
		s.t.Fatalf("TripEntries: %v", err)
	}
	return es
}

func (s *tripStory) balances(trip int64) []trustbot.Balance {
	s.t.Helper()
	bs, err := s.db.TripBalances(s.t.Context(), trip)
	if err != nil {
		s.t.Fatalf("TripBalances: %v", err)
	}
	return bs
}

func tripLine(t trustbot.Trip) string {
	ended := "-"
	if !t.EndedAt.IsZero() {
		ended = t.EndedAt.Format(time.RFC3339)
	}
	var ms []string
	for _, m := range t.Members {
		ms = append(ms, m.ID+"="+m.Name)
	}
	return fmt.Sprintf("%s/%s %q %s %s by %s at %s ended %s members %s", t.GuildID, t.ChannelID, t.Name, t.Asset.Symbol, t.Status,
		t.StartedBy, t.StartedAt.Format(time.RFC3339), ended, strings.Join(ms, " "))
}

func sharesText(ss []trustbot.Share) string {
	var out []string
	for _, s := range ss {
		out = append(out, s.UserID+":"+s.Amount.String())
	}
	return "[" + strings.Join(out, " ") + "]"
}

func partsText(ps []trustbot.SplitPart) string {
	var out []string
	for _, p := range ps {
		if p.Exact != nil {
			out = append(out, p.Member.ID+"="+p.Exact.String())
		} else {
			out = append(out, fmt.Sprintf("%s:%d", p.Member.ID, p.Weight))
		}
	}
	return "[" + strings.Join(out, " ") + "]"
}

// entryLine writes an entry without its clock and its request id.
func entryLine(e trustbot.Entry) string {
	line := fmt.Sprintf("#%d %s %s paid %s %s", e.N, e.Kind, e.Payer, e.Amount, e.Asset.Symbol)
	if e.Redeemer != "" {
		line += " redeemer " + e.Redeemer
	}
	if e.To != "" {
		line += " to " + e.To
	}
	line += fmt.Sprintf(" %q %s %s shares %s", e.Memo, e.Split, partsText(e.Parts), sharesText(e.Shares))
	switch e.Kind {
	case trustbot.EntryRedeem, trustbot.EntryLayer:
		line += fmt.Sprintf(" tx %x log %d block %d", e.TxHash[28:], e.LogIndex, e.BlockNumber)
	case trustbot.EntrySettle:
		line += fmt.Sprintf(" tx %x block %d", e.TxHash[28:], e.BlockNumber)
	}
	return line
}

func entryLines(es []trustbot.Entry) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, entryLine(e))
	}
	return out
}

func balanceLine(b trustbot.Balance) string {
	return fmt.Sprintf("%s %s paid %s consumed %s settled %s net %s", b.Asset.Symbol, b.UserID, b.Paid, b.Consumed, b.Settled, b.Net)
}

// balanceLines writes the balances that are not all zero.
func balanceLines(bs []trustbot.Balance) []string {
	out := []string{}
	for _, b := range bs {
		if b.Paid.Sign() == 0 && b.Consumed.Sign() == 0 && b.Settled.Sign() == 0 {
			continue
		}
		out = append(out, balanceLine(b))
	}
	return out
}

func parts(spec ...any) []trustbot.SplitPart {
	var out []trustbot.SplitPart
	for i := 0; i < len(spec); i += 2 {
		p := trustbot.SplitPart{Member: member(spec[i].(string))}
		switch v := spec[i+1].(type) {
		case int:
			p.Weight = int64(v)
		case string:
			p.Exact, _ = new(big.Int).SetString(v, 10)
		}
		out = append(out, p)
	}
	return out
}

func equal(ids ...string) []trustbot.SplitPart {
	var spec []any
	for _, id := range ids {
		spec = append(spec, id, 1)
	}
	return parts(spec...)
}

func usd(t testing.TB, s string) *big.Int {
	t.Helper()
	v, err := trustbot.ParseAmount(s, usdToken.Decimals, usdToken.Symbol)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestTrip_Lifecycle(t *testing.T) {
	s := newTripStory(t)
	ctx, db := t.Context(), s.db
	var lisbon, porto trustbot.Trip
	start := func(channel, name string, out *trustbot.Trip) func() (string, error) {
		return func() (string, error) {
			tr, err := db.StartTrip(ctx, trustbot.Trip{GuildID: "guild", ChannelID: channel, Name: name, Asset: usdToken, StartedBy: "alice",
				Members: members("alice")})
			if out != nil && err == nil {
				*out = tr
			}
			return tripLine(tr), err
		}
	}
	trip := func(fn func() (trustbot.Trip, error)) func() (string, error) {
		return func() (string, error) {
			tr, err := fn()
			return tripLine(tr), err
		}
	}
	at := func(min int) string { return fmt.Sprintf("2026-03-01T12:%02d:00Z", min) }
	long := strings.Repeat("é", 100)
	for i, c := range []struct {
		name string
		do   func() (string, error)
		code string // "" for none
		msg  string
		want string // the trip after the step
	}{
		{"empty name", start("c1", "   ", nil), trustbot.EInvalid, "A trip needs a name, like /trip start name:Lisbon.", ""},
		{"name of 101 characters", start("c1", long+"x", nil), trustbot.EInvalid, "A trip's name is at most 100 characters; that one has 101.", ""},
		{"name of 100 characters", start("c9", long, nil), "", "", `guild/c9 "` + long + `" USD open by alice at ` + at(2) + ` ended - members alice=Alice`},
		{"start", start("c1", " Lisbon ", &lisbon), "", "", `guild/c1 "Lisbon" USD open by alice at ` + at(3) + ` ended - members alice=Alice`},
		{"second open trip in the channel", start("c1", "Porto", nil), trustbot.EConflict,
			`This channel already has an open trip, "Lisbon": end it with /trip end before starting another.`, ""},
		{"another channel", start("c2", "Porto", nil), "", "", `guild/c2 "Porto" USD open by alice at ` + at(5) + ` ended - members alice=Alice`},
		{"join", trip(func() (trustbot.Trip, error) { return db.JoinTrip(ctx, lisbon.ID, member("bob")) }), "", "",
			`guild/c1 "Lisbon" USD open by alice at ` + at(3) + ` ended - members alice=Alice bob=Bob`},
		{"join twice", trip(func() (trustbot.Trip, error) { return db.JoinTrip(ctx, lisbon.ID, member("bob")) }), trustbot.EConflict,
			`You are already in the trip "Lisbon".`, ""},
		{"bob consumes half of a dinner", func() (string, error) {
			e, err := db.AddExpense(ctx, trustbot.Entry{TripID: lisbon.ID, Memo: "dinner", Payer: "alice", Asset: usdToken, Amount: usd(t, "30"),
				Parts: equal("alice", "bob")})
			return entryLine(e), err
		}, "", "", `#1 spent alice paid 30000000 USD "dinner" equal [alice:1 bob:1] shares [alice:15000000 bob:15000000]`},
		{"leave down", trip(func() (trustbot.Trip, error) { return db.LeaveTrip(ctx, lisbon.ID, "bob") }), trustbot.EInvalid,
			`You are down 15 USD in the trip "Lisbon"; you can leave once your net is zero (/settle).`, ""},
		{"leave up", trip(func() (trustbot.Trip, error) { return db.LeaveTrip(ctx, lisbon.ID, "alice") }), trustbot.EInvalid,
			`You are up 15 USD in the trip "Lisbon"; you can leave once your net is zero (/settle).`, ""},
		{"leave, not in it", trip(func() (trustbot.Trip, error) { return db.LeaveTrip(ctx, lisbon.ID, "carol") }), trustbot.EInvalid,
			`You are not in the trip "Lisbon".`, ""},
		{"carol joins", trip(func() (trustbot.Trip, error) { return db.JoinTrip(ctx, lisbon.ID, member("carol")) }), "", "",
			`guild/c1 "Lisbon" USD open by alice at ` + at(3) + ` ended - members alice=Alice bob=Bob carol=Carol`},
		{"leave at zero", trip(func() (trustbot.Trip, error) { return db.LeaveTrip(ctx, lisbon.ID, "carol") }), "", "",
			`guild/c1 "Lisbon" USD open by alice at ` + at(3) + ` ended - members alice=Alice bob=Bob`},
		{"reopen an open trip", trip(func() (trustbot.Trip, error) { return db.ReopenTrip(ctx, lisbon.ID) }), trustbot.EConflict,
			`The trip "Lisbon" is open already.`, ""},
		{"end", trip(func() (trustbot.Trip, error) { return db.EndTrip(ctx, lisbon.ID) }), "", "",
			`guild/c1 "Lisbon" USD ended by alice at ` + at(3) + ` ended ` + at(15) + ` members alice=Alice bob=Bob`},
		{"end twice", trip(func() (trustbot.Trip, error) { return db.EndTrip(ctx, lisbon.ID) }), trustbot.EConflict,
			`The trip "Lisbon" has already ended; /trip reopen takes late entries.`, ""},
		{"latest: the ended one", trip(func() (trustbot.Trip, error) { return db.LatestTrip(ctx, "guild", "c1") }), "", "",
			`guild/c1 "Lisbon" USD ended by alice at ` + at(3) + ` ended ` + at(15) + ` members alice=Alice bob=Bob`},
		{"no open trip", trip(func() (trustbot.Trip, error) { return db.OpenTrip(ctx, "guild", "c1") }), trustbot.ENotFound, "", ""},
		{"reopen", trip(func() (trustbot.Trip, error) { return db.ReopenTrip(ctx, lisbon.ID) }), "", "",
			`guild/c1 "Lisbon" USD open by alice at ` + at(3) + ` ended - members alice=Alice bob=Bob`},
		{"end again", trip(func() (trustbot.Trip, error) { return db.EndTrip(ctx, lisbon.ID) }), "", "",
			`guild/c1 "Lisbon" USD ended by alice at ` + at(3) + ` ended ` + at(20) + ` members alice=Alice bob=Bob`},
		{"start after the end", start("c1", "Porto", &porto), "", "", `guild/c1 "Porto" USD open by alice at ` + at(21) + ` ended - members alice=Alice`},
		{"reopen while another is open", trip(func() (trustbot.Trip, error) { return db.ReopenTrip(ctx, lisbon.ID) }), trustbot.EConflict,
			`Another trip is open in this channel; end it before reopening "Lisbon".`, ""},
		{"expense on an ended trip", func() (string, error) {
			e, err := db.AddExpense(ctx, trustbot.Entry{TripID: lisbon.ID, Memo: "late", Payer: "alice", Asset: usdToken, Amount: usd(t, "1"),
				Parts: equal("alice")})
			return entryLine(e), err
		}, trustbot.ENotFound, "There is no open trip in this channel; start one with /trip start name:….", ""},
		{"latest: the newest", trip(func() (trustbot.Trip, error) { return db.LatestTrip(ctx, "guild", "c1") }), "", "",
			`guild/c1 "Porto" USD open by alice at ` + at(21) + ` ended - members alice=Alice`},
		{"end the newest", trip(func() (trustbot.Trip, error) { return db.EndTrip(ctx, porto.ID) }), "", "",
			`guild/c1 "Porto" USD ended by alice at ` + at(21) + ` ended ` + at(25) + ` members alice=Alice`},
		{"reopen the older", trip(func() (trustbot.Trip, error) { return db.ReopenTrip(ctx, lisbon.ID) }), "", "",
			`guild/c1 "Lisbon" USD open by alice at ` + at(3) + ` ended - members alice=Alice bob=Bob`},
		{"latest: the open one, older", trip(func() (trustbot.Trip, error) { return db.LatestTrip(ctx, "guild", "c1") }), "", "",
			`guild/c1 "Lisbon" USD open by alice at ` + at(3) + ` ended - members alice=Alice bob=Bob`},
		{"by id", trip(func() (trustbot.Trip, error) { return db.TripByID(ctx, porto.ID) }), "", "",
			`guild/c1 "Porto" USD ended by alice at ` + at(21) + ` ended ` + at(25) + ` members alice=Alice`},
		{"no such trip", trip(func() (trustbot.Trip, error) { return db.TripByID(ctx, 999) }), trustbot.ENotFound, "", ""},
		{"a channel that never had one", trip(func() (trustbot.Trip, error) { return db.LatestTrip(ctx, "guild", "c7") }), trustbot.ENotFound, "", ""},
		{"same channel id, another guild", trip(func() (trustbot.Trip, error) {
			return db.StartTrip(ctx, trustbot.Trip{GuildID: "guild2", ChannelID: "c1", Name: "Faro", Asset: usdToken, StartedBy: "erin",
				Members: members("erin", "dave")})
		}), "", "", `guild2/c1 "Faro" USD open by erin at ` + at(31) + ` ended - members erin=Erin dave=Dave`},
	} {
		s.clk.set(time.Date(2026, 3, 1, 12, i, 0, 0, time.UTC))
		got, err := c.do()
		if c.code != "" {
			if trustbot.ErrorCode(err) != c.code || c.msg != "" && trustbot.ErrorMessage(err) != c.msg {
				t.Fatalf("step %d (%s): got error %q %q, want %q %q", i, c.name, trustbot.ErrorCode(err), trustbot.ErrorMessage(err), c.code, c.msg)
			}
			continue
		}
		if err != nil {
			t.Fatalf("step %d (%s): %v", i, c.name, err)
		}
		if got != c.want {
			t.Errorf("step %d (%s):\ngot  %s\nwant %s", i, c.name, got, c.want)
		}
	}
}

func TestAddExpense_Splits(t *testing.T) {
	s := newTripStory(t)
	ctx := t.Context()
	tr := s.start("channel", "Lisbon", "alice", "bob", "carol")
	var want []string
	for _, c := range []struct {
		name   string
		payer  string
		amount int64
		parts  []trustbot.SplitPart
		want   string
	}{
		{"equal, entry 1: the leftover unit goes to the second", "alice", 100, equal("alice", "bob", "carol"),
			`#1 spent alice paid 100 USD "dinner" equal [alice:1 bob:1 carol:1] shares [alice:33 bob:34 carol:33]`},
		{"equal, entry 2: to the third", "alice", 100, equal("alice", "bob", "carol"),
			`#2 spent alice paid 100 USD "dinner" equal [alice:1 bob:1 carol:1] shares [alice:33 bob:33 carol:34]`},
		{"equal, entry 3: to the first", "alice", 100, equal("alice", "bob", "carol"),
			`#3 spent alice paid 100 USD "dinner" equal [alice:1 bob:1 carol:1] shares [alice:34 bob:33 carol:33]`},
		{"equal, entry 4: two units, from the second", "bob", 101, equal("alice", "bob", "carol"),
			`#4 spent bob paid 101 USD "dinner" equal [alice:1 bob:1 carol:1] shares [alice:33 bob:34 carol:34]`},
		{"weighted", "bob", 100, parts("alice", 1, "bob", 2),
			`#5 spent bob paid 100 USD "dinner" weighted [alice:1 bob:2] shares [alice:33 bob:67]`},
		{"exact", "carol", 100, parts("alice", "40", "bob", "60"),
			`#6 spent carol paid 100 USD "dinner" exact [alice=40 bob=60] shares [alice:40 bob:60]`},
		{"mixed: exact first, the rest by weight", "alice", 101, parts("alice", "10", "bob", 1, "carol", 3),
			`#7 spent alice paid 101 USD "dinner" mixed [alice=10 bob:1 carol:3] shares [alice:10 bob:23 carol:68]`},
		{"a member named in the split joins", "alice", 90, equal("alice", "dave"),
			`#8 spent alice paid 90 USD "dinner" equal [alice:1 dave:1] shares [alice:45 dave:45]`},
		{"a payer outside the split", "erin", 10, equal("bob"),
			`#9 spent erin paid 10 USD "dinner" equal [bob:1] shares [bob:10]`},
	} {
		e, err := s.db.AddExpense(ctx, trustbot.Entry{TripID: tr.ID, Memo: "dinner", Payer: c.payer, Asset: usdToken, Amount: amt(c.amount), Parts: c.parts,
			Shares: []trustbot.Share{{UserID: "alice", Amount: amt(1)}}}) // shares are the store's to work out
		if err != nil {
			t.Fatalf("%s: AddExpense: %v", c.name, err)
		}
		if got := entryLine(e); got != c.want {
			t.Errorf("%s: AddExpense:\ngot  %s\nwant %s", c.name, got, c.want)
		}
		sum := new(big.Int)
		for _, sh := range e.Shares {
			sum.Add(sum, sh.Amount)
		}
		if sum.Int64() != c.amount || e.CreatedBy != c.payer || !e.CreatedAt.Equal(start) {
			t.Errorf("%s: got shares summing to %s, created by %s at %v, want %d, %s, %v", c.name, sum, e.CreatedBy, e.CreatedAt, c.amount, c.payer, start)
		}
		want = append(want, c.want)
	}
	if d := diffLines(entryLines(s.entries(tr.ID)), want); d != "" {
		t.Errorf("TripEntries:%s", d)
	}
	got, err := s.db.TripByID(ctx, tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := `guild/channel "Lisbon" USD open by alice at 2026-03-01T12:00:00Z ended - members alice=Alice bob=Bob carol=Carol dave=Dave erin=`; tripLine(got) != want {
		t.Errorf("the trip after the expenses:\ngot  %s\nwant %s", tripLine(got), want)
	}
	wantBalances := []string{
		"USD alice paid 491 consumed 261 settled 0 net 230",
		"USD bob paid 201 consumed 294 settled 0 net -93",
		"USD carol paid 100 consumed 202 settled 0 net -102",
		"USD dave paid 0 consumed 45 settled 0 net -45",
		"USD erin paid 10 consumed 0 settled 0 net 10",
	}
	if d := diffLines(balanceLines(s.balances(tr.ID)), wantBalances); d != "" {
		t.Errorf("TripBalances:%s", d)
	}

	for _, c := range []struct {
		name string
		e    trustbot.Entry
		code string
		msg  string
	}{
		{"memo of 201 characters", trustbot.Entry{Memo: strings.Repeat("ü", 201), Amount: amt(10), Parts: equal("alice")},
			trustbot.EInvalid, "A memo is at most 200 characters; that one has 201."},
		{"no amount", trustbot.Entry{Memo: "x", Amount: amt(0), Parts: equal("alice")}, trustbot.EInvalid, "An entry's amount must be more than 0."},
		{"nobody consumed it", trustbot.Entry{Memo: "x", Amount: amt(10)}, trustbot.EInvalid, `An expense needs who it was for: a split, like split:"@alice @bob".`},
		{"exact amounts short", trustbot.Entry{Memo: "x", Amount: usd(t, "100"), Parts: parts("alice", "40000000", "bob", "50000000")},
			trustbot.EInvalid, "The exact amounts add up to 90 USD, 10 USD short of the 100 USD spent."},
		{"no such trip", trustbot.Entry{TripID: 999, Memo: "x", Amount: amt(10), Parts: equal("alice")}, trustbot.ENotFound, ""},
	} {
		e := c.e
		if e.TripID == 0 {
			e.TripID = tr.ID
		}
		e.Payer, e.Asset = "alice", usdToken
		_, err := s.db.AddExpense(ctx, e)
		if trustbot.ErrorCode(err) != c.code || c.msg != "" && trustbot.ErrorMessage(err) != c.msg {
			t.Errorf("%s: got error %q %q (%v), want %q %q", c.name, trustbot.ErrorCode(err), trustbot.ErrorMessage(err), err, c.code, c.msg)
		}
	}
	// Refused expenses take no number.
	e, err := s.db.AddExpense(ctx, trustbot.Entry{TripID: tr.ID, Memo: "taxi", Payer: "bob", Asset: usdToken, Amount: amt(7), Parts: equal("bob")})
	if err != nil || e.N != 10 {
		t.Errorf("AddExpense after refusals: got entry %d, %v, want 10", e.N, err)
	}
}

// ledgerStory is a trip with members alice to erin and one entry of each kind: 1, an expense
// alice paid; 2, dave's redemption from bob's reserve; 3 and 4, erin's deep redemption from
// carol's layer over alice's reserve; 5, dave settling with bob.
func ledgerStory(t *testing.T) (*tripStory, trustbot.Trip) {
	s := newTripStory(t)
	tr := s.start("channel", "Lisbon", "alice", "bob", "carol", "dave", "erin")
	if _, err := s.db.AddExpense(t.Context(), trustbot.Entry{TripID: tr.ID, Memo: "dinner", Payer: "alice", Asset: usdToken, Amount: usd(t, "30"),
		Parts: equal("alice", "bob")}); err != nil {
		t.Fatal(err)
	}
	s.chain(redeemOp(resU, h1, 20))
	s.chain(txs(redeemOp(resL, h2, 15), redeemOp(resA, resL, 15)))
	s.settle(tr.ID, "dave", "bob", 5)
	return s, tr
}

func TestRemoveAndTag(t *testing.T) {
	s, tr := ledgerStory(t)
	ctx := t.Context()
	for _, c := range []struct {
		name string
		do   func() (trustbot.Entry, error)
		code string
		msg  string
		want string // the entry after the step
	}{
		{"remove someone else's expense", func() (trustbot.Entry, error) { return s.db.RemoveExpense(ctx, tr.ID, 1, "bob") },
			trustbot.EInvalid, "Entry 1 is <@alice>'s expense; only they can remove it.", ""},
		{"remove a redemption", func() (trustbot.Entry, error) { return s.db.RemoveExpense(ctx, tr.ID, 2, "bob") },
			trustbot.EInvalid, "Entry 2 is a redemption made on chain, so it stays in the ledger; to change what it paid for or who shared it, use /trip tag 2 for:… split:….", ""},
		{"remove a layer", func() (trustbot.Entry, error) { return s.db.RemoveExpense(ctx, tr.ID, 4, "alice") },
			trustbot.EInvalid, "Entry 4 is a layer of a redemption made on chain, so it stays in the ledger.", ""},
		{"remove a settlement", func() (trustbot.Entry, error) { return s.db.RemoveExpense(ctx, tr.ID, 5, "dave") },
			trustbot.EInvalid, "Entry 5 is a settlement made on chain, so it stays in the ledger.", ""},
		{"remove no entry", func() (trustbot.Entry, error) { return s.db.RemoveExpense(ctx, tr.ID, 9, "alice") },
			trustbot.ENotFound, `The trip "Lisbon" has no entry 9; /trip balance lists them.`, ""},
		{"tag an expense", func() (trustbot.Entry, error) { return s.db.TagEntry(ctx, tr.ID, 1, "alice", "food", equal("alice")) },
			trustbot.EInvalid, "Entry 1 is an expense; only a redemption is tagged (an expense is removed and recorded again).", ""},
		{"tag a layer", func() (trustbot.Entry, error) { return s.db.TagEntry(ctx, tr.ID, 4, "carol", "food", equal("carol")) },
			trustbot.EInvalid, "Entry 4 is a layer of a redemption; only a redemption is tagged (an expense is removed and recorded again).", ""},
		{"tag a settlement", func() (trustbot.Entry, error) { return s.db.TagEntry(ctx, tr.ID, 5, "dave", "food", equal("dave")) },
			trustbot.EInvalid, "Entry 5 is a settlement; only a redemption is tagged (an expense is removed and recorded again).", ""},
		{"tag someone else's redemption", func() (trustbot.Entry, error) { return s.db.TagEntry(ctx, tr.ID, 2, "carol", "food", equal("carol")) },
			trustbot.EInvalid, "Entry 2 is <@dave>'s redemption; <@dave> or <@bob> can tag it.", ""},
		{"tag with a split that does not fit", func() (trustbot.Entry, error) {
			return s.db.TagEntry(ctx, tr.ID, 2, "dave", "food", parts("alice", "5", "bob", "5"))
		}, trustbot.EInvalid, "The exact amounts add up to 0.00001 USD, 0.00001 USD short of the 0.00002 USD spent.", ""},
		{"tag with a memo too long", func() (trustbot.Entry, error) {
			return s.db.TagEntry(ctx, tr.ID, 2, "dave", strings.Repeat("m", 201), equal("dave"))
		}, trustbot.EInvalid, "A memo is at most 200 characters; that one has 201.", ""},
		{"the redeemer tags", func() (trustbot.Entry, error) {
			return s.db.TagEntry(ctx, tr.ID, 2, "dave", "groceries", equal("dave", "erin"))
		},
			"", "", `#2 redeem bob paid 20 USD redeemer dave "groceries" equal [dave:1 erin:1] shares [dave:10 erin:10] tx 0001000a log 0 block 3`},
		{"the payer tags again", func() (trustbot.Entry, error) {
			return s.db.TagEntry(ctx, tr.ID, 2, "bob", "groceries and wine", parts("alice", 1, "bob", 1, "dave", 2))
		}, "", "", `#2 redeem bob paid 20 USD redeemer dave "groceries and wine" weighted [alice:1 bob:1 dave:2] shares [alice:5 bob:5 dave:10] tx 0001000a log 0 block 3`},
		{"a memo alone: the redeemer's", func() (trustbot.Entry, error) { return s.db.TagEntry(ctx, tr.ID, 2, "dave", "mine", nil) },
			"", "", `#2 redeem bob paid 20 USD redeemer dave "mine" equal [dave:1] shares [dave:20] tx 0001000a log 0 block 3`},
		{"the payer removes their expense", func() (trustbot.Entry, error) { return s.db.RemoveExpense(ctx, tr.ID, 1, "alice") },
			"", "", `#1 spent alice paid 30000000 USD "dinner" equal [alice:1 bob:1] shares [alice:15000000 bob:15000000]`},
		{"remove it again", func() (trustbot.Entry, error) { return s.db.RemoveExpense(ctx, tr.ID, 1, "alice") },
			trustbot.ENotFound, `The trip "Lisbon" has no entry 1; /trip balance lists them.`, ""},
		{"numbers are not reused", func() (trustbot.Entry, error) {
			return s.db.AddExpense(ctx, trustbot.Entry{TripID: tr.ID, Memo: "taxi", Payer: "erin", Asset: usdToken, Amount: amt(6), Parts: equal("erin", "dave")})
		}, "", "", `#6 spent erin paid 6 USD "taxi" equal [erin:1 dave:1] shares [erin:3 dave:3]`},
		{"tag on an ended trip", func() (trustbot.Entry, error) {
			if _, err := s.db.EndTrip(ctx, tr.ID); err != nil {
				return trustbot.Entry{}, err
			}
			return s.db.TagEntry(ctx, tr.ID, 2, "dave", "food", equal("dave"))
		}, trustbot.ENotFound, "There is no open trip in this channel; start one with /trip start name:….", ""},
		{"remove on an ended trip", func() (trustbot.Entry, error) { return s.db.RemoveExpense(ctx, tr.ID, 6, "erin") },
			trustbot.ENotFound, "There is no open trip in this channel; start one with /trip start name:….", ""},
	} {
		got, err := c.do()
		if c.code != "" {
			if trustbot.ErrorCode(err) != c.code || trustbot.ErrorMessage(err) != c.msg {
				t.Errorf("%s: got error %q %q, want %q %q", c.name, trustbot.ErrorCode(err), trustbot.ErrorMessage(err), c.code, c.msg)
			}
		} else if err != nil {
			t.Errorf("%s: %v", c.name, err)
		} else if entryLine(got) != c.want {
			t.Errorf("%s:\ngot  %s\nwant %s", c.name, entryLine(got), c.want)
		}
		es := s.entries(tr.ID)
		if d := diffLines(balanceLines(s.balances(tr.ID)), balanceLines(ledger.Balances(es))); d != "" {
			t.Errorf("%s: TripBalances (got) and ledger.Balances of TripEntries (want) differ:%s", c.name, d)
		}
	}
	want := []string{
		`#2 redeem bob paid 20 USD redeemer dave "mine" equal [dave:1] shares [dave:20] tx 0001000a log 0 block 3`,
		`#3 redeem carol paid 15 ETH redeemer erin "" none [] shares [erin:15] tx 0001000b log 0 block 4`,
		`#4 layer alice paid 15 ETH redeemer carol "" none [] shares [carol:15] tx 0001000b log 1 block 4`,
		`#5 settle dave paid 5 USD to bob "" none [] shares [] tx 0001000c block 4`,
		`#6 spent erin paid 6 USD "taxi" equal [erin:1 dave:1] shares [erin:3 dave:3]`,
	}
	if d := diffLines(entryLines(s.entries(tr.ID)), want); d != "" {
		t.Errorf("TripEntries:%s", d)
	}
}

func TestIndexer_Redemptions(t *testing.T) {
	s := newTripStory(t)
	ctx := t.Context()
	tr := s.start("channel", "Lisbon", "alice", "bob", "carol", "dave", "erin")
	check := func(step string, want []string) {
		t.Helper()
		es := s.entries(tr.ID)
		if d := diffLines(entryLines(es), want); d != "" {
			t.Fatalf("%s: TripEntries:%s", step, d)
		}
		if d := diffLines(balanceLines(s.balances(tr.ID)), balanceLines(ledger.Balances(es))); d != "" {
			t.Fatalf("%s: TripBalances (got) and ledger.Balances of TripEntries (want) differ:%s", step, d)
		}
	}
	txText := func(h common.Hash) string { return fmt.Sprintf("%x", h[28:]) }

	// Block 3: dave redeems 20 USD from bob's reserve, no request: untagged, his alone.
	plain := s.chain(redeemOp(resU, h1, 20))[0]
	want := []string{`#1 redeem bob paid 20 USD redeemer dave "" none [] shares [dave:20] tx ` + txText(plain) + ` log 0 block 3`}
	check("a redemption", want)

	// Block 4: a redemption reported before it is indexed has its memo and split.
	before := s.request("redeem", "dave", &trustbot.LedgerNote{TripID: tr.ID, Memo: "dinner", Parts: equal("alice", "bob", "dave")})
	hBefore := s.newTx()
	s.report(before, hBefore)
	s.chainAs([]common.Hash{hBefore}, redeemOp(resU, h1, 30))
	want = append(want, `#2 redeem bob paid 30 USD redeemer dave "dinner" equal [alice:1 bob:1 dave:1] shares [alice:10 bob:10 dave:10] tx `+
		txText(hBefore)+` log 0 block 4`)
	check("reported before", want)

	// Block 5: one reported after: untagged, then tagged in place, keeping its number.
	hAfter := s.chain(redeemOp(resU, h1, 40))[0]
	if _, err := s.db.AddExpense(ctx, trustbot.Entry{TripID: tr.ID, Memo: "taxi", Payer: "erin", Asset: usdToken, Amount: amt(8), Parts: equal("erin", "dave")}); err != nil {
		t.Fatal(err)
	}
	after := s.request("redeem", "dave", &trustbot.LedgerNote{TripID: tr.ID, Memo: "museum", Parts: equal("dave", "erin")})
	s.report(after, hAfter)
	want = append(want,
		`#3 redeem bob paid 40 USD redeemer dave "museum" equal [dave:1 erin:1] shares [dave:20 erin:20] tx `+txText(hAfter)+` log 0 block 5`,
		`#4 spent erin paid 8 USD "taxi" equal [erin:1 dave:1] shares [erin:4 dave:4]`)
	check("reported after", want)
	for _, c := range []struct {
		hash common.Hash
		req  string
	}{{plain, ""}, {hBefore, before.ID}, {hAfter, after.ID}} {
		es, err := s.db.EntriesByTx(ctx, c.hash)
		if err != nil || len(es) != 1 || es[0].RequestID != c.req {
			t.Errorf("EntriesByTx(%s): got %d entries %v (%v), want one with request %q", txText(c.hash), len(es), entryLines(es), err, c.req)
		}
	}

	// Block 6: a revoke (a burn Revoked follows) is no entry; nor a redemption by a wallet
	// nobody linked.
	s.chain(revokeOp(resU, h1, 10, amt(10)), redeemOp(resU, stranger, 5))
	check("a revoke and a stranger's redemption", want)

	// Block 7: erin's deep redemption through carol's layer: carol's layer pays, alice's reserve
	// pays carol's layer; carol nets zero.
	deep := s.chain(txs(redeemOp(resL, h2, 15), redeemOp(resA, resL, 15)))[0]
	want = append(want,
		`#5 redeem carol paid 15 ETH redeemer erin "" none [] shares [erin:15] tx `+txText(deep)+` log 0 block 7`,
		`#6 layer alice paid 15 ETH redeemer carol "" none [] shares [carol:15] tx `+txText(deep)+` log 1 block 7`)
	check("a deep redemption", want)
	for _, b := range s.balances(tr.ID) {
		if b.Asset.Symbol == "ETH" && b.UserID == "carol" && b.Net.Sign() != 0 {
			t.Errorf("carol's layer: got net %s ETH, want 0", b.Net)
		}
	}
	if es, err := s.db.EntriesByTx(ctx, deep); err != nil || len(es) != 2 {
		t.Errorf("EntriesByTx(deep): got %v, %v, want entries 5 and 6", entryLines(es), err)
	}

	// Block 8: a deep redemption tagged before it is indexed: the layer below carries the memo.
	deepReq := s.request("redeem", "erin", &trustbot.LedgerNote{TripID: tr.ID, Memo: "boat", Parts: equal("erin", "alice")})
	hDeep := s.newTx()
	s.report(deepReq, hDeep)
	s.chainAs([]common.Hash{hDeep}, txs(redeemOp(resL, h2, 12), redeemOp(resA, resL, 12)))
	want = append(want,
		`#7 redeem carol paid 12 ETH redeemer erin "boat" equal [erin:1 alice:1] shares [erin:6 alice:6] tx `+txText(hDeep)+` log 0 block 8`,
		`#8 layer alice paid 12 ETH redeemer carol "boat" none [] shares [carol:12] tx `+txText(hDeep)+` log 1 block 8`)
	check("a tagged deep redemption", want)

	// Block 9: no open trip, no entry.
	if _, err := s.db.EndTrip(ctx, tr.ID); err != nil {
		t.Fatal(err)
	}
	ended := s.chain(redeemOp(resU, h1, 7))[0]
	if es, err := s.db.EntriesByTx(ctx, ended); err != nil || len(es) != 0 {
		t.Errorf("a redemption with no open trip: got entries %v, %v, want none", entryLines(es), err)
	}
	if _, err := s.db.ReopenTrip(ctx, tr.ID); err != nil {
		t.Fatal(err)
	}
	check("no open trip", want)

	// A reorg back to block 6 takes out the deep redemptions and their totals; back to block 3,
	// the two reported ones too. The expense stays.
	s.rollback(6)
	check("rolled back to block 6", want[:4])
	for _, b := range s.balances(tr.ID) {
		if b.Asset.Symbol == "ETH" && (b.Paid.Sign() != 0 || b.Consumed.Sign() != 0) {
			t.Errorf("after the rollback: got %s, want no ETH left", balanceLine(b))
		}
	}
	s.rollback(3)
	check("rolled back to block 3", []string{want[0], want[3]})

	// Applied again on the new fork, they come back with new numbers, tagged: their requests
	// were reported.
	s.chainAs([]common.Hash{hBefore}, redeemOp(resU, h1, 30))
	s.chainAs([]common.Hash{hAfter}, redeemOp(resU, h1, 40))
	check("applied again", []string{want[0], want[3],
		`#9 redeem bob paid 30 USD redeemer dave "dinner" equal [alice:1 bob:1 dave:1] shares [alice:10 bob:10 dave:10] tx ` + txText(hBefore) + ` log 0 block 4`,
		`#10 redeem bob paid 40 USD redeemer dave "museum" equal [dave:1 erin:1] shares [dave:20 erin:20] tx ` + txText(hAfter) + ` log 0 block 5`,
	})
}

// TestIndexer_WhichTrip checks which trip a redemption goes to: the request's, else the open
// trip of its channel, else the only open trip the redeemer is in.
func TestIndexer_WhichTrip(t *testing.T) {
	s := newTripStory(t)
	ctx := t.Context()
	one := s.start("c1", "One", "bob", "dave")
	two := s.start("c2", "Two", "bob", "erin")
	count := func(trip int64) int { return len(s.entries(trip)) }

	s.chain(redeemOp(resU, h1, 1)) // dave is in One only
	if count(one.ID) != 1 || count(two.ID) != 0 {
		t.Errorf("dave in one open trip: got %d and %d entries, want 1 and 0", count(one.ID), count(two.ID))
	}
	if _, err := s.db.JoinTrip(ctx, two.ID, member("dave")); err != nil {
		t.Fatal(err)
	}
	s.chain(redeemOp(resU, h1, 2)) // in two open trips, no request: neither
	if count(one.ID) != 1 || count(two.ID) != 0 {
		t.Errorf("dave in two open trips: got %d and %d entries, want 1 and 0", count(one.ID), count(two.ID))
	}
	r2 := newRequest("trip-channel-c2-0001", "dave", 1)
	r2.Kind, r2.ChannelID, r2.ExpiresAt = "redeem", "c2", s.clk.Now().Add(time.Hour)
	if _, err := s.db.CreateRequest(ctx, r2); err != nil {
		t.Fatal(err)
	}
	h := s.newTx()
	s.report(r2, h)
	s.chainAs([]common.Hash{h}, redeemOp(resU, h1, 3)) // the request's channel
	if count(one.ID) != 1 || count(two.ID) != 1 {
		t.Errorf("a request in c2: got %d and %d entries, want 1 and 1", count(one.ID), count(two.ID))
	}
	h = s.newTx()
	s.report(s.request("redeem", "dave", &trustbot.LedgerNote{TripID: one.ID, Memo: "lunch", Parts: equal("dave", "bob")}), h)
	s.chainAs([]common.Hash{h}, redeemOp(resU, h1, 4)) // the request's trip
	if count(one.ID) != 2 || count(two.ID) != 1 {
		t.Errorf("a request naming One: got %d and %d entries, want 2 and 1", count(one.ID), count(two.ID))
	}
	// Indexed before its report into One (dave's only open trip then), reported naming Two once
	// it is open again: the entry stays One's and untagged; Two's split does not tag it there.
	if _, err := s.db.EndTrip(ctx, two.ID); err != nil {
		t.Fatal(err)
	}
	h = s.newTx()
	s.chainAs([]common.Hash{h}, redeemOp(resU, h1, 5))
	if _, err := s.db.ReopenTrip(ctx, two.ID); err != nil {
		t.Fatal(err)
	}
	s.report(s.request("redeem", "dave", &trustbot.LedgerNote{TripID: two.ID, Memo: "boat", Parts: equal("erin", "bob")}), h)
	es, err := s.db.EntriesByTx(ctx, h)
	if err != nil || len(es) != 1 || es[0].TripID != one.ID || !es[0].Untagged() {
		t.Errorf("a late report naming another trip: got %v (%v), want one untagged entry of One", entryLines(es), err)
	}
	if count(two.ID) != 1 {
		t.Errorf("a late report naming another trip: Two has %d entries, want 1", count(two.ID))
	}
}

func TestSettlement(t *testing.T) {
	s := newTripStory(t)
	ctx := t.Context()
	tr := s.start("channel", "Lisbon", "alice", "dave")
	if _, err := s.db.AddExpense(ctx, trustbot.Entry{TripID: tr.ID, Memo: "dinner", Payer: "alice", Asset: usdToken, Amount: usd(t, "30"),
		Parts: equal("alice", "dave")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.EndTrip(ctx, tr.ID); err != nil {
		t.Fatal(err)
	}
	r, h := s.settle(tr.ID, "dave", "alice", 15_000_000)
	want := []string{
		`#1 spent alice paid 30000000 USD "dinner" equal [alice:1 dave:1] shares [alice:15000000 dave:15000000]`,
		fmt.Sprintf(`#2 settle dave paid 15000000 USD to alice "" none [] shares [] tx %x block 2`, h[28:]),
	}
	if d := diffLines(entryLines(s.entries(tr.ID)), want); d != "" {
		t.Errorf("TripEntries:%s", d)
	}
	wantBalances := []string{
		"USD alice paid 30000000 consumed 15000000 settled -15000000 net 0",
		"USD dave paid 0 consumed 15000000 settled 15000000 net 0",
	}
	if d := diffLines(balanceLines(s.balances(tr.ID)), wantBalances); d != "" {
		t.Errorf("TripBalances:%s", d)
	}
	es, err := s.db.EntriesByTx(ctx, h)
	if err != nil || len(es) != 1 || es[0].RequestID != r.ID {
		t.Errorf("EntriesByTx: got %v, %v, want the settlement of request %s", entryLines(es), err, r.ID)
	}
	ns, err := s.db.PendingNotices(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 1 || ns[0].TxHash != h || len(ns[0].Events) != 0 || ns[0].Request.ID != r.ID || ns[0].Request.Ledger == nil ||
		ns[0].Request.Ledger.Creditor != "alice" || ns[0].Channel != "channel" {
		t.Errorf("PendingNotices: got %s, want the settlement's, with no events, its request and channel", show(ns))
	}
	if _, changed, err := s.db.ConfirmTx(ctx, h, 3); err != nil || changed {
		t.Errorf("ConfirmTx again: got changed %v, %v, want false, nil", changed, err)
	}
	if d := diffLines(entryLines(s.entries(tr.ID)), want); d != "" {
		t.Errorf("TripEntries after confirming again:%s", d)
	}
	if d := diffLines(balanceLines(s.balances(tr.ID)), wantBalances); d != "" {
		t.Errorf("TripBalances after confirming again:%s", d)
	}
	if ns, err := s.db.PendingNotices(ctx, 10); err != nil || len(ns) != 1 {
		t.Errorf("PendingNotices after confirming again: got %d, %v, want 1", len(ns), err)
	}
	// A failed settlement records nothing.
	failed := s.request("settle", "alice", &trustbot.LedgerNote{TripID: tr.ID, Creditor: "dave", Asset: usdToken, Amount: amt(1)})
	hf := s.newTx()
	s.report(failed, hf)
	if _, _, err := s.db.FailTx(ctx, hf, "reverted"); err != nil {
		t.Fatal(err)
	}
	if got := len(s.entries(tr.ID)); got != 2 {
		t.Errorf("after a failed settlement: got %d entries, want 2", got)
	}
	// The debtor has settled up: they may leave.
	if _, err := s.db.LeaveTrip(ctx, tr.ID, "dave"); err != nil {
		t.Errorf("LeaveTrip after settling: %v", err)
	}
}

func TestTrustedDuring(t *testing.T) {
	s := newTripStory(t)
	ctx := t.Context()
	s.chain(trustOp(resU, h1, 100)) // block 3, before the trip
	tr := s.start("channel", "Lisbon", "alice", "bob", "dave")
	s.chain(
		trustOp(resU, h1, 50), trustOp(resU, h2, 60), trustOp(resU, stranger, 70), trustOp(resL, h1, 80), trustOp(resA, h1, 90),
		trustOp(resU, h1, 25),
	)
	lines := func() []string {
		t.Helper()
		as, err := s.db.TrustedDuring(ctx, tr.ID)
		if err != nil {
			t.Fatalf("TrustedDuring: %v", err)
		}
		out := []string{}
		for _, a := range as {
			out = append(out, accountLine(a.Reserve, a.Holder, a.Balance, a.Budget))
		}
		return out
	}
	want := []string{accountLine(resU, h1, amt(0), amt(75)), accountLine(resA, h1, amt(0), amt(90))}
	if d := diffLines(lines(), want); d != "" {
		t.Errorf("TrustedDuring:%s", d)
	}
	if _, err := s.db.JoinTrip(ctx, tr.ID, member("erin")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.JoinTrip(ctx, tr.ID, member("carol")); err != nil {
		t.Fatal(err)
	}
	want = []string{accountLine(resU, h1, amt(0), amt(75)), accountLine(resU, h2, amt(0), amt(60)), accountLine(resL, h1, amt(0), amt(80)),
		accountLine(resA, h1, amt(0), amt(90))}
	if d := diffLines(lines(), want); d != "" {
		t.Errorf("TrustedDuring after erin and carol joined:%s", d)
	}
	_, err := s.db.TrustedDuring(ctx, 999)
	wantCode(t, err, trustbot.ENotFound)
}

// randomParts is a valid split of amount among some of ids, in a random mode.
func randomParts(rng *rand.Rand, amount *big.Int, ids []string) []trustbot.SplitPart {
	picked := slices.Clone(ids)
	rng.Shuffle(len(picked), func(i, j int) { picked[i], picked[j] = picked[j], picked[i] })
	picked = picked[:1+rng.IntN(len(picked))]
	ps := make([]trustbot.SplitPart, len(picked))
	for i, id := range picked {
		ps[i] = trustbot.SplitPart{Member: member(id), Weight: 1}
	}
	switch mode := rng.IntN(4); {
	case mode == 1: // weighted
		for i := range ps {
			ps[i].Weight = 1 + rng.Int64N(5)
		}
	case mode == 2 && amount.Cmp(big.NewInt(int64(len(ps)))) >= 0: // exact: len(ps) pieces of at least 1
		left := new(big.Int).Sub(amount, big.NewInt(int64(len(ps))))
		for i := range ps {
			piece := new(big.Int)
			if i == len(ps)-1 {
				piece.Set(left)
			} else if left.Sign() > 0 {
				piece.SetInt64(rng.Int64N(left.Int64() + 1))
			}
			left.Sub(left, piece)
			ps[i].Exact = piece.Add(piece, big.NewInt(1))
		}
	case mode == 3 && len(ps) > 1 && amount.Cmp(big.NewInt(2)) >= 0: // mixed: the first exact, leaving the others some
		ps[0].Exact = big.NewInt(1 + rng.Int64N(amount.Int64()-1))
	}
	return ps
}

func randomAmount(rng *rand.Rand) *big.Int {
	switch rng.IntN(3) {
	case 0:
		return big.NewInt(1 + rng.Int64N(10)) // a few units: leftovers and zero shares
	case 1:
		return big.NewInt(1 + rng.Int64N(1_000_000_000))
	}
	return new(big.Int).Mul(big.NewInt(1+rng.Int64N(1_000_000)), big.NewInt(1_000_000_000_000)) // near int64's end: sums go beyond it
}

// TestLedger_KeptTotalsMatchTheEntries runs seeded random sequences of expenses, removals,
// redemptions (plain, deep, reported before or after), tags, settlements and reorgs, and
// requires the kept totals to be exactly what ledger.Balances makes of the entries, with the
// nets of every asset summing to zero.
func TestLedger_KeptTotalsMatchTheEntries(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { randomLedger(t, seed, 150) })
	}
}

func randomLedger(t *testing.T, seed uint64, steps int) {
	rng := rand.New(rand.NewPCG(seed, 0x7219))
	s := newTripStory(t)
	ctx := t.Context()
	ids := []string{"alice", "bob", "carol", "dave", "erin"}
	tr := s.start("channel", "Lisbon", ids...)
	counts := map[string]int{}
	for step := range steps {
		es := s.entries(tr.ID)
		var spent, redeemed []trustbot.Entry
		for _, e := range es {
			switch e.Kind {
			case trustbot.EntrySpent:
				spent = append(spent, e)
			case trustbot.EntryRedeem:
				redeemed = append(redeemed, e)
			}
		}
		var op string
		switch r := rng.IntN(100); {
		case r < 30:
			op = "spend"
			amount := randomAmount(rng)
			_, err := s.db.AddExpense(ctx, trustbot.Entry{TripID: tr.ID, Memo: fmt.Sprint("expense ", step), Payer: ids[rng.IntN(len(ids))],
				Asset: usdToken, Amount: amount, Parts: randomParts(rng, amount, ids)})
			if err != nil {
				t.Fatalf("step %d: AddExpense: %v", step, err)
			}
		case r < 42 && len(spent) > 0:
			op = "remove"
			e := spent[rng.IntN(len(spent))]
			by := e.Payer
			if rng.IntN(4) == 0 {
				by = ids[rng.IntN(len(ids))]
			}
			_, err := s.db.RemoveExpense(ctx, tr.ID, e.N, by)
			if by == e.Payer && err != nil || by != e.Payer && trustbot.ErrorCode(err) != trustbot.EInvalid {
				t.Fatalf("step %d: RemoveExpense(%d) by %s (payer %s): %v", step, e.N, by, e.Payer, err)
			}
		case r < 65:
			op = "redeem"
			amount := 1 + rng.Int64N(1_000_000)
			var logs []ev
			redeemer := "dave"
			switch rng.IntN(3) {
			case 0:
				logs = redeemOp(resU, h1, amount)
			case 1:
				logs = redeemOp(resA, h1, amount)
			default:
				logs, redeemer = txs(redeemOp(resL, h2, amount), redeemOp(resA, resL, amount)), "erin"
			}
			h := s.newTx()
			var note *trustbot.LedgerNote
			if rng.IntN(2) == 0 {
				note = &trustbot.LedgerNote{TripID: tr.ID, Memo: "tagged", Parts: randomParts(rng, big.NewInt(amount), ids)}
			}
			switch rng.IntN(3) {
			case 0: // never reported
				s.chainAs([]common.Hash{h}, logs)
			case 1: // reported before
				s.report(s.request("redeem", redeemer, note), h)
				s.chainAs([]common.Hash{h}, logs)
			default: // reported after
				s.chainAs([]common.Hash{h}, logs)
				s.report(s.request("redeem", redeemer, note), h)
			}
		case r < 80 && len(redeemed) > 0:
			op = "tag"
			e := redeemed[rng.IntN(len(redeemed))]
			by := e.Redeemer
			if rng.IntN(2) == 0 {
				by = e.Payer
			}
			if _, err := s.db.TagEntry(ctx, tr.ID, e.N, by, "tag", randomParts(rng, e.Amount, ids)); err != nil {
				t.Fatalf("step %d: TagEntry(%s): %v", step, entryLine(e), err)
			}
		case r < 92:
			op = "settle"
			d := rng.IntN(len(ids))
			c := (d + 1 + rng.IntN(len(ids)-1)) % len(ids)
			s.settle(tr.ID, ids[d], ids[c], 1+rng.Int64N(1_000_000_000))
		case s.block > 3:
			op = "reorg"
			s.rollback(s.block - 1 - rng.IntN(min(3, s.block-3)))
		default:
			op = "idle"
		}
		counts[op]++
		es = s.entries(tr.ID)
		got, want := s.balances(tr.ID), ledger.Balances(es)
		if d := diffLines(balanceLines(got), balanceLines(want)); d != "" {
			t.Fatalf("step %d (%s): TripBalances (got) and ledger.Balances of TripEntries (want) differ:%s", step, op, d)
		}
		nets := map[common.Address]*big.Int{}
		for _, b := range got {
			if nets[b.Asset.Address] == nil {
				nets[b.Asset.Address] = new(big.Int)
			}
			nets[b.Asset.Address].Add(nets[b.Asset.Address], b.Net)
		}
		for a, n := range nets {
			if n.Sign() != 0 {
				t.Fatalf("step %d (%s): the nets in %s sum to %s, want 0", step, op, a.Hex(), n)
			}
		}
		for _, e := range es {
			if e.Kind == trustbot.EntrySettle {
				continue
			}
			sum := new(big.Int)
			for _, sh := range e.Shares {
				sum.Add(sum, sh.Amount)
			}
			if sum.Cmp(e.Amount) != 0 {
				t.Fatalf("step %d (%s): entry %s: shares sum to %s, want %s", step, op, entryLine(e), sum, e.Amount)
			}
		}
	}
	t.Logf("operations: %v; %d entries", counts, len(s.entries(tr.ID)))
}

// TestJoin_Names checks that members an entry names join in order, each once, and that one
// known by id alone is named by their latest sign-in.
func TestJoin_Names(t *testing.T) {
	s := newTripStory(t)
	ctx := t.Context()
	for i, name := range []string{"Zed", "Zeddy"} {
		n, err := s.db.CreateNonce(ctx, trustbot.SignInNonce{Nonce: fmt.Sprintf("zednonce%d", i), UserID: "zed", UserName: name, ExpiresAt: start.Add(10 * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		s.clk.Add(time.Second)
		if _, err := s.db.UseNonce(ctx, n.Nonce, "zed"); err != nil {
			t.Fatal(err)
		}
	}
	unused, err := s.db.CreateNonce(ctx, trustbot.SignInNonce{Nonce: "yannonce0", UserID: "yan", UserName: "Yan", ExpiresAt: start.Add(10 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	tr := s.start("channel", "Lisbon", "alice")
	e, err := s.db.AddExpense(ctx, trustbot.Entry{TripID: tr.ID, Memo: "dinner", Payer: "xia", Asset: usdToken, Amount: amt(40),
		Parts: []trustbot.SplitPart{{Member: trustbot.Member{ID: "zed"}, Weight: 1}, {Member: member("bob"), Weight: 1},
			{Member: trustbot.Member{ID: unused.UserID}, Weight: 1}, {Member: member("alice"), Weight: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.db.TripByID(ctx, e.TripID)
	if err != nil {
		t.Fatal(err)
	}
	if want := `guild/channel "Lisbon" USD open by alice at 2026-03-01T12:00:02Z ended - members alice=Alice xia= zed=Zeddy bob=Bob yan=`; tripLine(got) != want {
		t.Errorf("members:\ngot  %s\nwant %s", tripLine(got), want)
	}
}
