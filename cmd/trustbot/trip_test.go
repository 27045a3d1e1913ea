package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"image/png"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
)

// The trip tests keep their own book of what each command adds to the ledger, in micro-tUSD
// (tUSD has 6 decimals), and compare it with what the bot prints and writes.

const microUSD = 1_000_000

// tUSD is whole tUSD in micro-tUSD.
func tUSD(n int64) int64 { return n * microUSD }

// parseUnits reads an amount the bot printed ("38.333333", "-5", "+65", "0") as micro-tUSD.
func parseUnits(t testing.TB, s string) int64 {
	t.Helper()
	sign := int64(1)
	switch {
	case strings.HasPrefix(s, "-"):
		sign, s = -1, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 6 {
		t.Fatalf("amount %q has more than 6 decimals", s)
	}
	v, err := strconv.ParseInt(whole+frac+strings.Repeat("0", 6-len(frac)), 10, 64)
	if err != nil {
		t.Fatalf("amount %q: %v", s, err)
	}
	return sign * v
}

// amt writes micro-tUSD as the bot does: "38.333333", "20", "-5".
func amt(v int64) string { return trustbot.FormatAmount(big.NewInt(v), 6) }

// splitPart is one member's part of a split as the test writes it: a weight, or an exact amount.
type splitPart struct {
	who    string
	weight int64
	exact  int64 // micro-tUSD; 0: by weight
}

func equalParts(names ...string) []splitPart {
	ps := make([]splitPart, len(names))
	for i, n := range names {
		ps[i] = splitPart{who: n, weight: 1}
	}
	return ps
}

// tripShare is what one member consumed of an entry.
type tripShare struct {
	who    string
	amount int64
}

// apportion divides total among parts the way the house rule says: exact amounts first, the
// rest by weight, each weighted part its floor, the leftover units one each to the largest
// remainders, a tie going to the part first from position n mod k among the k weighted parts
// (entry n's leftovers go round the members in turn).
func apportion(total int64, n int, parts []splitPart) []tripShare {
	out := make([]tripShare, len(parts))
	gap, weights := total, int64(0)
	var weighted []int
	for i, p := range parts {
		out[i].who = p.who
		if p.exact > 0 {
			out[i].amount = p.exact
			gap -= p.exact
			continue
		}
		weighted = append(weighted, i)
		weights += p.weight
	}
	if len(weighted) == 0 {
		return out
	}
	k := len(weighted)
	rem := make([]int64, k)
	left := gap
	for j, i := range weighted {
		out[i].amount = gap * parts[i].weight / weights
		rem[j] = gap * parts[i].weight % weights
		left -= out[i].amount
	}
	given := make([]bool, k)
	for ; left > 0; left-- {
		best := -1
		for j := range k {
			if given[j] {
				continue
			}
			if best < 0 || rem[j] > rem[best] || (rem[j] == rem[best] && (j-n%k+k)%k < (best-n%k+k)%k) {
				best = j
			}
		}
		given[best] = true
		out[weighted[best]].amount++
	}
	return out
}

// bookEntry is one entry as the test expects it.
type bookEntry struct {
	n      int
	kind   string // redeem, layer, spent, settle
	memo   string
	payer  string
	other  string // the redeemer; a layer's consumer; a settlement's creditor
	amount int64
	shares []tripShare
}

// tripFigures are one member's position.
type tripFigures struct{ paid, consumed, settled, net int64 }

// tripBook is the test's own ledger of a trip.
type tripBook struct {
	members []string
	entries []bookEntry
}

func (b *tripBook) add(e bookEntry) { b.entries = append(b.entries, e) }

func (b *tripBook) entry(t testing.TB, n int) *bookEntry {
	t.Helper()
	for i := range b.entries {
		if b.entries[i].n == n {
			return &b.entries[i]
		}
	}
	t.Fatalf("the test's book has no entry %d", n)
	return nil
}

func (b *tripBook) remove(t testing.TB, n int) {
	t.Helper()
	for i := range b.entries {
		if b.entries[i].n == n {
			b.entries = append(b.entries[:i], b.entries[i+1:]...)
			return
		}
	}
	t.Fatalf("the test's book has no entry %d", n)
}

// figures is every member's position: paid − consumed + paid back − received.
func (b *tripBook) figures() map[string]tripFigures {
	f := map[string]tripFigures{}
	for _, m := range b.members {
		f[m] = tripFigures{}
	}
	for _, e := range b.entries {
		if e.kind == "settle" {
			x, y := f[e.payer], f[e.other]
			x.settled += e.amount
			y.settled -= e.amount
			f[e.payer], f[e.other] = x, y
			continue
		}
		x := f[e.payer]
		x.paid += e.amount
		f[e.payer] = x
		for _, s := range e.shares {
			y := f[s.who]
			y.consumed += s.amount
			f[s.who] = y
		}
	}
	for m, x := range f {
		x.net = x.paid - x.consumed + x.settled
		f[m] = x
	}
	return f
}

var balanceLineRE = regexp.MustCompile(`(?m)^@(\w+) paid ([0-9.]+), consumed ([0-9.]+)(?:, (paid back|was paid back) ([0-9.]+))?: net ([+-]?[0-9.]+) tUSD$`)

// parseBalances reads the member lines of /trip balance or /trip end.
func parseBalances(t testing.TB, out string) map[string]tripFigures {
	t.Helper()
	got := map[string]tripFigures{}
	for _, m := range balanceLineRE.FindAllStringSubmatch(out, -1) {
		f := tripFigures{paid: parseUnits(t, m[2]), consumed: parseUnits(t, m[3]), net: parseUnits(t, m[6])}
		switch m[4] {
		case "paid back":
			f.settled = parseUnits(t, m[5])
		case "was paid back":
			f.settled = -parseUnits(t, m[5])
		}
		if _, dup := got[m[1]]; dup {
			t.Fatalf("@%s has two lines:\n%s", m[1], out)
		}
		got[m[1]] = f
	}
	return got
}

// checkFigures compares figures the bot showed with the book's, member by member, and checks
// that each shown net is paid − consumed + settled and that the nets sum to zero.
func checkFigures(t testing.TB, what string, got, want map[string]tripFigures) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d members' figures %v, want %d %v", what, len(got), got, len(want), want)
	}
	var sum int64
	for m, w := range want {
		g, ok := got[m]
		if !ok {
			t.Fatalf("%s: no figures for @%s; got %v", what, m, got)
		}
		if g != w {
			t.Fatalf("%s: @%s got paid %s, consumed %s, settled %s, net %s; want paid %s, consumed %s, settled %s, net %s", what, m,
				amt(g.paid), amt(g.consumed), amt(g.settled), amt(g.net), amt(w.paid), amt(w.consumed), amt(w.settled), amt(w.net))
		}
		if g.net != g.paid-g.consumed+g.settled {
			t.Fatalf("%s: @%s's net %s is not paid %s − consumed %s + settled %s", what, m, amt(g.net), amt(g.paid), amt(g.consumed), amt(g.settled))
		}
		sum += g.net
	}
	if sum != 0 {
		t.Fatalf("%s: the nets sum to %s, want 0", what, amt(sum))
	}
}

// line is the line /trip balance shows for who's figures.
func (f tripFigures) line(who string) string {
	s := fmt.Sprintf("@%s paid %s, consumed %s", who, amt(f.paid), amt(f.consumed))
	switch {
	case f.settled > 0:
		s += ", paid back " + amt(f.settled)
	case f.settled < 0:
		s += ", was paid back " + amt(-f.settled)
	}
	net := amt(f.net)
	if f.net > 0 {
		net = "+" + net
	}
	return s + ": net " + net + " tUSD"
}

// planTransfer is one line of a settle plan.
type planTransfer struct {
	n        int
	from, to string
	amount   int64
}

var planLineRE = regexp.MustCompile(`(?m)^(\d+)\. @(\w+) pays @(\w+) ([0-9.]+) tUSD$`)

func parsePlan(t testing.TB, out string) []planTransfer {
	t.Helper()
	var plan []planTransfer
	for _, m := range planLineRE.FindAllStringSubmatch(out, -1) {
		n, _ := strconv.Atoi(m[1])
		plan = append(plan, planTransfer{n: n, from: m[2], to: m[3], amount: parseUnits(t, m[4])})
	}
	return plan
}

// checkPlan checks that carrying out the plan zeroes every net of the book, each transfer going
// from a member who is down to one who is up, numbered from 1.
func checkPlan(t testing.TB, what string, plan []planTransfer, want map[string]tripFigures) {
	t.Helper()
	nets := map[string]int64{}
	up := 0
	for m, f := range want {
		nets[m] = f.net
		if f.net != 0 {
			up++
		}
	}
	if up > 0 && (len(plan) == 0 || len(plan) > up-1) {
		t.Fatalf("%s: got %d transfers for %d members up or down, want between 1 and %d", what, len(plan), up, up-1)
	}
	for i, p := range plan {
		if p.n != i+1 {
			t.Fatalf("%s: transfer %d is numbered %d", what, i+1, p.n)
		}
		if want[p.from].net >= 0 || want[p.to].net <= 0 || p.amount <= 0 {
			t.Fatalf("%s: transfer %d, @%s pays @%s %s, is not from a member down to a member up (nets %s, %s)", what, p.n, p.from, p.to,
				amt(p.amount), amt(want[p.from].net), amt(want[p.to].net))
		}
		nets[p.from] += p.amount
		nets[p.to] -= p.amount
	}
	for m, v := range nets {
		if v != 0 {
			t.Fatalf("%s: after the plan @%s's net is %s, want 0 (plan %v)", what, m, amt(v), plan)
		}
	}
}

var wroteRE = regexp.MustCompile(`(?m)^Wrote (\S+) \((\d+) bytes\): (\S+)$`)

// written maps each attachment the console wrote to its file's contents, checking that it is in
// dir and has the size printed.
func written(t testing.TB, dir, out string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, m := range wroteRE.FindAllStringSubmatch(out, -1) {
		if filepath.Dir(m[3]) != filepath.Clean(dir) {
			t.Fatalf("%s: written to %s, want it in the data dir %s", m[1], m[3], dir)
		}
		data, err := os.ReadFile(m[3])
		if err != nil {
			t.Fatalf("%s: %v", m[1], err)
		}
		if strconv.Itoa(len(data)) != m[2] {
			t.Fatalf("%s: got %d bytes on disk, want the %s printed", m[1], len(data), m[2])
		}
		files[m[1]] = data
	}
	return files
}

// readCSV parses a CSV attachment into its header and rows.
func readCSV(t testing.TB, name string, data []byte) ([]string, [][]string) {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("%s: %v (%d rows)", name, err, len(rows))
	}
	return rows[0], rows[1:]
}

// memberCell reads a member cell of the export, which names members bare ("bob"); it fails on
// anything a spreadsheet would read as a formula.
func memberCell(t testing.TB, s string) string {
	t.Helper()
	if s != "" && strings.ContainsRune("=+-@'", rune(s[0])) {
		t.Fatalf("member cell %q: want a bare name", s)
	}
	return s
}

// checkEntriesCSV compares the entries export with the book, row by row and share by share.
func checkEntriesCSV(t testing.TB, name string, data []byte, b *tripBook) {
	t.Helper()
	header, rows := readCSV(t, name, data)
	wantHead := "date,n,kind,memo,payer,redeemer,amount,asset,split"
	if got := strings.Join(header[:9], ","); got != wantHead {
		t.Fatalf("%s header: got %s, want it to begin %s", name, got, wantHead)
	}
	cols := map[string]int{}
	for i, h := range header[9 : len(header)-1] {
		cols[memberCell(t, h)] = 9 + i
	}
	for _, m := range b.members {
		if _, ok := cols[m]; !ok {
			t.Fatalf("%s header %v has no column for @%s", name, header, m)
		}
	}
	if len(rows) != len(b.entries) {
		t.Fatalf("%s: got %d rows, want %d entries", name, len(rows), len(b.entries))
	}
	for i, row := range rows {
		e := b.entries[i]
		got := fmt.Sprintf("#%s %s %q %s→%s %s tUSD", row[1], row[2], row[3], memberCell(t, row[4]), memberCell(t, row[5]), row[6])
		want := fmt.Sprintf("#%d %s %q %s→%s %s tUSD", e.n, e.kind, e.memo, e.payer, e.other, amt(e.amount))
		if got != want || row[7] != "tUSD" {
			t.Fatalf("%s row %d: got %s (asset %s), want %s", name, i+1, got, row[7], want)
		}
		wantShares := map[string]int64{}
		for _, s := range e.shares {
			wantShares[s.who] += s.amount
		}
		var sum int64
		for m, c := range cols {
			cell, w := row[c], wantShares[m]
			if cell == "" {
				if w != 0 {
					t.Fatalf("%s entry %d: @%s's share is empty, want %s", name, e.n, m, amt(w))
				}
				continue
			}
			if g := parseUnits(t, cell); g != w {
				t.Fatalf("%s entry %d: @%s's share got %s, want %s", name, e.n, m, cell, amt(w))
			}
			sum += wantShares[m]
		}
		if e.kind != "settle" && sum != e.amount {
			t.Fatalf("%s entry %d: the shares sum to %s, want the amount %s", name, e.n, amt(sum), amt(e.amount))
		}
		if onChain := e.kind != "spent"; onChain != strings.HasPrefix(row[len(row)-1], "0x") {
			t.Fatalf("%s entry %d (%s): got tx %q", name, e.n, e.kind, row[len(row)-1])
		}
	}
}

// checkBalancesCSV compares the balances export with the book; its nets sum to zero.
func checkBalancesCSV(t testing.TB, name string, data []byte, b *tripBook) {
	t.Helper()
	header, rows := readCSV(t, name, data)
	if got, want := strings.Join(header, ","), "member,asset,paid,consumed,settled,net"; got != want {
		t.Fatalf("%s header: got %s, want %s", name, got, want)
	}
	got := map[string]tripFigures{}
	for _, r := range rows {
		if r[1] != "tUSD" {
			t.Fatalf("%s: got asset %s, want tUSD", name, r[1])
		}
		got[memberCell(t, r[0])] = tripFigures{paid: parseUnits(t, r[2]), consumed: parseUnits(t, r[3]), settled: parseUnits(t, r[4]), net: parseUnits(t, r[5])}
	}
	checkFigures(t, name, got, b.figures())
}

// TestTripLedgerStory is a five-member trip through the console, from linking wallets to the
// export: redemptions with for: and a split, an untagged one tagged later, a deep redemption
// through two layers, expenses split equally, by weight and exactly, one taken back, re-ups and
// revokes that leave the ledger alone, a settle plan paid in full and in part, the end and the
// export. After each step every member's figures are checked against the test's own book.
func TestTripLedgerStory(t *testing.T) {
	p, run := testPlayground(t)
	ctx := context.Background()
	dc := p.DevChain
	addr := func(name string) common.Address { w, _ := dc.Member(name); return w.Address() }
	wallet := func(name string) int64 {
		t.Helper()
		b, err := p.Chain.BalanceOf(ctx, dc.TestUSD(), addr(name))
		if err != nil {
			t.Fatal(err)
		}
		return b.Int64()
	}
	members := []string{"alice", "bob", "carol", "dave", "erin"}
	book := &tripBook{members: members}
	as := func(name string) { mustContain(t, "/as "+name, run("/as "+name), "You are now @"+name+".") }
	approve := func(what string, wants ...string) {
		t.Helper()
		mustContain(t, "/approve ("+what+")", run("/approve"), append(wants, "Confirmed")...)
	}
	balance := func(step string) string {
		t.Helper()
		out := run("/trip balance")
		checkFigures(t, "/trip balance after "+step, parseBalances(t, out), book.figures())
		return out
	}

	for _, m := range members {
		as(m)
		run("/wallet link")
		mustContain(t, "/approve (link "+m+")", run("/approve"), "Linked "+addr(m).Hex()+" to @"+m)
	}
	as("alice")
	run("/reserve create")
	approve("alice's reserve", "@alice created a tUSD reserve")
	run("/reserve deposit 400")
	approve("alice's deposit", "@alice deposited 400 tUSD into their reserve")
	mustContain(t, "/trip start", run(`/trip start name:Lisbon members:"@bob @carol @dave @erin"`),
		`Started the trip "Lisbon", counted in tUSD, with @alice, @bob, @carol, @dave and @erin.`)
	balance("the start")
	run("/trust @bob 150")
	approve("trust bob", "@alice extended @bob a budget of 150 tUSD.")
	run("/trust @carol 100")
	approve("trust carol", "@alice extended @carol a budget of 100 tUSD.")

	// Bob's reserve holds Alice-tokens and backs Dave: Dave's redemption goes through two layers.
	as("bob")
	run("/reserve create backed-by:@alice")
	approve("bob's reserve", "@bob created an ALICE-tUSD reserve")
	run("/reserve deposit 50")
	approve("bob's deposit", "@bob deposited 50 ALICE-tUSD into their reserve")
	run("/trust @dave 40")
	approve("trust dave", "@bob extended @dave a budget of 40 ALICE-tUSD.")
	balance("trusts and deposits")

	// A redemption with for: and a split: Alice paid (her reserve's money), three consumed.
	mustContain(t, "/redeem 60 for:dinner", run(`/redeem 60 for:dinner split:"@alice @bob @carol"`),
		`The trip "Lisbon" counts it as @alice paying for dinner, split 3 ways (20 each).`)
	book.add(bookEntry{n: 1, kind: "redeem", memo: "dinner", payer: "alice", other: "bob", amount: tUSD(60),
		shares: apportion(tUSD(60), 1, equalParts("alice", "bob", "carol"))})
	approve("redeem for dinner", `[notice] @bob paid 60 tUSD for dinner from @alice's reserve, split 3 ways (20 each) (entry 1 of the trip "Lisbon").`)
	balance("the dinner")

	// Without for: it is a loan from Alice to Bob until tagged.
	mustContain(t, "/redeem 10", run("/redeem 10"), `The trip "Lisbon" counts it as a loan from @alice to you until it is tagged; add for: to say what it pays for.`)
	book.add(bookEntry{n: 2, kind: "redeem", payer: "alice", other: "bob", amount: tUSD(10), shares: []tripShare{{"bob", tUSD(10)}}})
	approve("untagged redeem", `[notice] @bob redeemed 10 tUSD from @alice's reserve. In the trip "Lisbon" it is entry 2, a loan from @alice until tagged: /trip tag 2 for:… says what it paid for.`)
	balance("the untagged redemption")
	snacks := apportion(tUSD(10), 2, equalParts("bob", "dave", "erin"))
	if snacks[0].amount+snacks[1].amount+snacks[2].amount != tUSD(10) || snacks[2].amount != snacks[0].amount+1 {
		t.Fatalf("the test's apportioning of 10 among 3 at entry 2: got %v, want the extra unit on the third", snacks)
	}
	mustContain(t, "/trip tag 2", run(`/trip tag 2 for:snacks split:"@bob @dave @erin"`),
		fmt.Sprintf("Entry 2 is now snacks: @alice paid 10 tUSD for it, split @bob %s, @dave %s, @erin %s.", amt(snacks[0].amount), amt(snacks[1].amount), amt(snacks[2].amount)))
	e := book.entry(t, 2)
	e.memo, e.shares = "snacks", snacks
	balance("tagging entry 2")

	// Dave's deep redemption: Bob paid for the tickets, Alice paid Bob's layer.
	as("dave")
	daveUSD := wallet("dave")
	mustContain(t, "/redeem 30 for:tickets", run("/redeem 30 for:tickets"), "for 30 tUSD", "It unwinds every layer in one transaction and pays tUSD.",
		`The trip "Lisbon" counts it as @bob paying for tickets, split 5 ways (6 each).`)
	book.add(bookEntry{n: 3, kind: "redeem", memo: "tickets", payer: "bob", other: "dave", amount: tUSD(30), shares: apportion(tUSD(30), 3, equalParts(members...))})
	book.add(bookEntry{n: 4, kind: "layer", memo: "tickets", payer: "alice", other: "bob", amount: tUSD(30), shares: []tripShare{{"bob", tUSD(30)}}})
	approve("deep redeem", `[notice] @dave paid 30 tUSD for tickets from @bob's reserve (through @alice's reserve), split 5 ways (6 each) (entry 3 of the trip "Lisbon").`)
	if got, want := wallet("dave"), daveUSD+tUSD(30); got != want {
		t.Fatalf("dave's tUSD after the deep redemption: got %s, want %s", amt(got), amt(want))
	}
	balance("the deep redemption")

	// Expenses out of pocket: equal among everyone, by weight, exact.
	as("carol")
	mustContain(t, "/spent 45", run("/spent 45 for:taxi"), `@carol paid 45 tUSD for taxi, split 5 ways (9 each). (Entry 5 of the trip "Lisbon"; /trip remove 5 takes it back.)`)
	book.add(bookEntry{n: 5, kind: "spent", memo: "taxi", payer: "carol", amount: tUSD(45), shares: apportion(tUSD(45), 5, equalParts(members...))})
	balance("the taxi")
	groceries := apportion(tUSD(40), 6, []splitPart{{who: "carol", weight: 1}, {who: "dave", weight: 2}, {who: "erin", weight: 3}})
	mustContain(t, "/spent 40 weighted", run(`/spent 40 for:groceries split:"@carol @dave:2 @erin:3"`),
		fmt.Sprintf(`@carol paid 40 tUSD for groceries, split @carol %s, @dave %s, @erin %s. (Entry 6`, amt(groceries[0].amount), amt(groceries[1].amount), amt(groceries[2].amount)))
	book.add(bookEntry{n: 6, kind: "spent", memo: "groceries", payer: "carol", amount: tUSD(40), shares: groceries})
	balance("the groceries")
	as("erin")
	museum := []splitPart{{who: "carol", exact: tUSD(10)}, {who: "dave", exact: 7_500_000}, {who: "erin", exact: 7_500_000}}
	mustContain(t, "/spent 25 exact", run(`/spent 25 for:museum split:"@carol=10 @dave=7.5 @erin=7.5"`),
		`@erin paid 25 tUSD for museum, split @carol 10, @dave 7.5, @erin 7.5. (Entry 7`)
	book.add(bookEntry{n: 7, kind: "spent", memo: "museum", payer: "erin", amount: tUSD(25), shares: apportion(tUSD(25), 7, museum)})
	before := balance("the museum")

	as("dave")
	mustContain(t, "/spent 12", run(`/spent 12 for:coffee split:"@alice @dave"`), "(Entry 8")
	book.add(bookEntry{n: 8, kind: "spent", memo: "coffee", payer: "dave", amount: tUSD(12), shares: apportion(tUSD(12), 8, equalParts("alice", "dave"))})
	balance("the coffee")
	mustContain(t, "/trip remove 8", run("/trip remove 8"), "@dave took back entry 8: 12 tUSD paid for coffee. The trip's balances no longer count it.")
	book.remove(t, 8)
	if got := balance("removing the coffee"); got != before {
		t.Fatalf("/trip balance after removing entry 8:\n got: %s\nwant: %s", got, before)
	}
	// On-chain entries stay.
	for _, c := range []struct{ line, want string }{
		{"/trip remove 3", "Entry 3 is a redemption made on chain, so it stays in the ledger; to change what it paid for or who shared it, use /trip tag 3 for:… split:…."},
		{"/trip remove 4", "Entry 4 is a layer of a redemption made on chain, so it stays in the ledger."},
		{"/trip remove 8", `The trip "Lisbon" has no entry 8; /trip balance lists them.`},
	} {
		if got := strings.TrimSpace(run(c.line)); got != c.want {
			t.Fatalf("%s: got %q, want %q", c.line, got, c.want)
		}
	}
	if got := balance("refused removals"); got != before {
		t.Fatalf("/trip balance after refused removals:\n got: %s\nwant: %s", got, before)
	}

	// Re-ups and revokes change capacity, not the ledger.
	as("alice")
	entries := func() []trustbot.Entry {
		t.Helper()
		trip, err := p.DB.LatestTrip(ctx, p.Console.GuildID, p.Console.ChannelID)
		if err != nil {
			t.Fatal(err)
		}
		es, err := p.DB.TripEntries(ctx, trip.ID)
		if err != nil {
			t.Fatal(err)
		}
		return es
	}
	entriesBefore := len(entries())
	mustContain(t, "/reup @bob", run("/reup @bob"), "Sign to re-up @bob +120")
	approve("reup bob", "@alice re-upped @bob with 120 tUSD.")
	mustContain(t, "/revoke @carol 30", run("/revoke @carol 30"), "their budget goes 100 → 70")
	approve("revoke carol", "@alice cut @carol's budget by 30 tUSD (now 70)")
	if got := balance("the re-up and the revoke"); got != before {
		t.Fatalf("/trip balance after a re-up and a revoke:\n got: %s\nwant: %s", got, before)
	}
	if got := len(entries()); got != entriesBefore {
		t.Fatalf("entries after a re-up and a revoke: got %d, want %d", got, entriesBefore)
	}
	mustContain(t, "/trip balance member:@bob", run("/trip balance member:@bob"), book.figures()["bob"].line("bob"),
		"#4 tickets, a layer below: @alice paid 30 tUSD for @bob's reserve", "#3 tickets: @dave redeemed 30 tUSD from @bob's reserve, split 5 ways (6 each); @bob's share 6",
		"To settle: @bob pays")

	// The plan settles everyone; Bob pays his first transfer in full, Dave part of his.
	out := run("/settle")
	plan := parsePlan(t, out)
	checkPlan(t, "/settle", plan, book.figures())
	mustContain(t, "/settle", out, fmt.Sprintf(`To settle the trip "Lisbon", %d transfers (the fewest possible):`, len(plan)), "Pay yours with /settle pay:N")
	mine := func(plan []planTransfer, who string) (first planTransfer, owed int64) {
		t.Helper()
		for _, x := range plan {
			if x.from == who {
				if first.n == 0 {
					first = x
				}
				owed += x.amount
			}
		}
		if first.n == 0 {
			t.Fatalf("@%s has no transfer in the plan %v", who, plan)
		}
		return first, owed
	}
	as("bob")
	pay, owed := mine(plan, "bob")
	if want := -book.figures()["bob"].net; owed != want {
		t.Fatalf("bob's transfers in the plan: got %s, want his net %s", amt(owed), amt(want))
	}
	// Another member's transfer is refused with what bob owes, each with its command.
	var bobs []string
	other := 0
	for _, x := range plan {
		if x.from == "bob" {
			bobs = append(bobs, fmt.Sprintf("@%s %s tUSD (/settle pay:%d)", x.to, amt(x.amount), x.n))
		} else if other == 0 {
			other = x.n
		}
	}
	if len(bobs) != 2 || other == 0 {
		t.Fatalf("the plan %v: want two transfers of bob's and one of someone else's", plan)
	}
	refused := fmt.Sprintf("Transfer %d is @%s's to pay, not yours; you owe %s and %s.", other, plan[other-1].from, bobs[0], bobs[1])
	if got := strings.TrimSpace(run(fmt.Sprintf("/settle pay:%d", other))); got != refused {
		t.Fatalf("/settle pay:%d as bob: got %q, want %q", other, got, refused)
	}
	balance("a refused /settle pay:")
	bobUSD, toUSD := wallet("bob"), wallet(pay.to)
	mustContain(t, fmt.Sprintf("/settle pay:%d", pay.n), run(fmt.Sprintf("/settle pay:%d", pay.n)),
		fmt.Sprintf(`Sign to pay @%s %s tUSD into @%s's wallet; once the chain confirms it, the trip "Lisbon" counts it as settled.`, pay.to, amt(pay.amount), pay.to))
	approve("bob settles", fmt.Sprintf(`[notice] @bob paid @%s %s tUSD, settling up in the trip "Lisbon".`, pay.to, amt(pay.amount)))
	book.add(bookEntry{n: 9, kind: "settle", payer: "bob", other: pay.to, amount: pay.amount})
	if got, want := wallet("bob"), bobUSD-pay.amount; got != want {
		t.Fatalf("bob's tUSD after settling: got %s, want %s", amt(got), amt(want))
	}
	if got, want := wallet(pay.to), toUSD+pay.amount; got != want {
		t.Fatalf("%s's tUSD after bob settled: got %s, want %s", pay.to, amt(got), amt(want))
	}
	out = balance("bob's settlement")
	if got, want := parseBalances(t, out)["bob"].net, -(owed - pay.amount); got != want {
		t.Fatalf("bob's net after paying transfer %d: got %s, want what remains of his transfers, %s", pay.n, amt(got), amt(want))
	}
	mustContain(t, "/trip balance after bob's settlement", out, book.figures()["bob"].line("bob"), book.figures()[pay.to].line(pay.to), ", paid back ", ", was paid back ")
	if rest := run("/settle"); strings.Contains(rest, fmt.Sprintf("@bob pays @%s %s tUSD", pay.to, amt(pay.amount))) {
		t.Fatalf("/settle after bob paid still has his transfer: %s", rest)
	}

	as("dave")
	plan = parsePlan(t, run("/settle"))
	checkPlan(t, "/settle after bob paid", plan, book.figures())
	pay, _ = mine(plan, "dave")
	partial := tUSD(10)
	if pay.amount <= partial {
		t.Fatalf("dave's transfer %v: want more than %s to pay part of it", pay, amt(partial))
	}
	mustContain(t, "/settle to: amount:", run(fmt.Sprintf("/settle to:@%s amount:10", pay.to)),
		fmt.Sprintf("Sign to pay @%s 10 tUSD into @%s's wallet", pay.to, pay.to), fmt.Sprintf("You will still owe them %s tUSD.", amt(pay.amount-partial)))
	approve("dave pays part", fmt.Sprintf(`[notice] @dave paid @%s 10 tUSD, settling up in the trip "Lisbon".`, pay.to))
	book.add(bookEntry{n: 10, kind: "settle", payer: "dave", other: pay.to, amount: partial})
	balance("dave's part payment")
	if got := strings.TrimSpace(run("/trip remove 10")); got != "Entry 10 is a settlement made on chain, so it stays in the ledger." {
		t.Fatalf("/trip remove 10: got %q", got)
	}

	// The end: every member's line, the plan, the chart and the entries.
	as("alice")
	out = run("/trip end")
	final := book.figures()
	want := []string{fmt.Sprintf(`The trip "Lisbon" has ended: %d entries, 5 members.`, len(book.entries)), "Pay yours with /settle pay:N.",
		"@alice: a link revoking the 220 tUSD of budget you extended during the trip that is still unspent (@bob 150, @carol 70) is in your /pending; it is optional.",
		"@bob: a link revoking the 10 ALICE-tUSD of budget you extended during the trip that is still unspent (@dave 10) is in your /pending; it is optional."}
	for _, m := range members {
		want = append(want, final[m].line(m))
	}
	mustContain(t, "/trip end", out, want...)
	checkFigures(t, "/trip end", parseBalances(t, out), final)
	endPlan := parsePlan(t, out)
	checkPlan(t, "/trip end", endPlan, final)
	if settle := parsePlan(t, run("/settle")); fmt.Sprint(settle) != fmt.Sprint(endPlan) {
		t.Fatalf("/settle after the end: got %v, want the plan /trip end gave, %v", settle, endPlan)
	}
	files := written(t, p.Console.Dir, out)
	chart, ok := files["trip-chart.png"]
	if !ok {
		t.Fatalf("/trip end wrote %v, want trip-chart.png", out)
	}
	if cfg, err := png.DecodeConfig(bytes.NewReader(chart)); err != nil || cfg.Width < 100 || cfg.Height < 100 {
		t.Fatalf("trip-chart.png: got %dx%d, %v; want a PNG image", cfg.Width, cfg.Height, err)
	}
	csvEntries, ok := files["trip-lisbon-entries.csv"]
	if !ok {
		t.Fatalf("/trip end wrote %v, want trip-lisbon-entries.csv", out)
	}
	checkEntriesCSV(t, "/trip end: trip-lisbon-entries.csv", csvEntries, book)
	if _, ok := files["trip-lisbon-balances.csv"]; ok {
		t.Fatalf("/trip end wrote the balances CSV; want only /trip export to")
	}

	out = run("/trip export")
	mustContain(t, "/trip export", out, fmt.Sprintf(`The trip "Lisbon": %d entries, 5 members.`, len(book.entries)))
	files = written(t, p.Console.Dir, out)
	for _, name := range []string{"trip-lisbon-entries.csv", "trip-lisbon-balances.csv"} {
		data, ok := files[name]
		if !ok {
			t.Fatalf("/trip export wrote %v, want %s", out, name)
		}
		if name == "trip-lisbon-entries.csv" {
			checkEntriesCSV(t, "/trip export: "+name, data, book)
		} else {
			checkBalancesCSV(t, "/trip export: "+name, data, book)
		}
	}
	if got := strings.TrimSpace(run("/trip end")); got != `The trip "Lisbon" has ended; /trip reopen takes late entries, or /trip start begins a new one.` {
		t.Fatalf("/trip end twice: got %q", got)
	}
}

// TestTripBadInput: each bad trip line is answered with its sentence and records nothing: the
// trip, its entries and balances, and everyone's open signing requests are as before.
func TestTripBadInput(t *testing.T) {
	p, run := testPlayground(t)
	ctx := context.Background()
	for _, m := range []string{"alice", "bob", "carol"} {
		run("/as " + m)
		run("/wallet link")
		mustContain(t, "link "+m, run("/approve"), "Linked")
	}
	run("/as alice")
	for _, line := range []string{"/reserve create", "/reserve deposit 100", "/trust @bob 50"} {
		run(line)
		mustContain(t, line, run("/approve"), "Confirmed")
	}

	state := func() string {
		t.Helper()
		var b strings.Builder
		trip, err := p.DB.LatestTrip(ctx, p.Console.GuildID, p.Console.ChannelID)
		switch {
		case trustbot.ErrorCode(err) == trustbot.ENotFound:
			b.WriteString("no trip\n")
		case err != nil:
			t.Fatal(err)
		default:
			fmt.Fprintf(&b, "trip %d %q %s, %d members\n", trip.ID, trip.Name, trip.Status, len(trip.Members))
			es, err := p.DB.TripEntries(ctx, trip.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range es {
				fmt.Fprintf(&b, "#%d %s %q %s %s %s %s:", e.N, e.Kind, e.Memo, e.Payer, e.To, e.Amount, e.Split)
				for _, s := range e.Shares {
					fmt.Fprintf(&b, " %s=%s", s.UserID, s.Amount)
				}
				b.WriteString("\n")
			}
			bs, err := p.DB.TripBalances(ctx, trip.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range bs {
				fmt.Fprintf(&b, "%s %s %s %s %s\n", x.UserID, x.Paid, x.Consumed, x.Settled, x.Net)
			}
		}
		for _, m := range devMembers {
			reqs, err := p.DB.PendingRequests(ctx, "dev-"+m)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s: %d open requests\n", m, len(reqs))
		}
		return b.String()
	}
	type badCase struct{ as, line, want string }
	bad := func(cases []badCase) {
		t.Helper()
		for _, c := range cases {
			before := state()
			run("/as " + c.as)
			got := strings.TrimSpace(run(c.line))
			if got != c.want {
				t.Fatalf("@%s %s\n got: %s\nwant: %s", c.as, c.line, got, c.want)
			}
			if after := state(); after != before {
				t.Fatalf("@%s %s changed what is recorded:\nbefore: %s\n after: %s", c.as, c.line, before, after)
			}
		}
	}
	noTrip := "There is no open trip in this channel; start one with /trip start name:…."
	neverStarted := "No trip was started in this channel yet; start one with /trip start name:…."
	long := strings.Repeat("x", 201)
	tooLong := "What it was for (for:) is at most 200 characters; that has 201."
	bad([]badCase{
		{"alice", "/trip balance", neverStarted},
		{"alice", "/settle", neverStarted},
		{"alice", "/trip export", neverStarted},
		{"alice", "/trip reopen", neverStarted},
		{"alice", "/spent 10 for:taxi", noTrip},
		{"alice", "/trip tag 1 for:taxi", noTrip},
		{"alice", "/trip remove 1", noTrip},
		{"alice", "/trip join", noTrip},
		{"alice", "/trip leave", noTrip},
		{"alice", "/trip end", noTrip},
		{"bob", "/redeem 6 for:dinner", "for: records a trip expense, and this channel has no open trip: start one with /trip start, or leave out for:."},
		{"bob", `/redeem 6 split:"@alice @bob"`, `split: goes with for: (what the money is for), like for:dinner split:"@alice @bob".`},
	})

	run("/as alice")
	mustContain(t, "/trip start", run(`/trip start name:Lisbon members:"@bob @carol"`), `Started the trip "Lisbon", counted in tUSD, with @alice, @bob and @carol.`)
	run("/as bob")
	run("/redeem 6 for:dinner")
	mustContain(t, "/approve (redeem)", run("/approve"), `(entry 1 of the trip "Lisbon")`, "Confirmed")
	run("/as carol")
	mustContain(t, "/spent 30", run("/spent 30 for:taxi"), "(Entry 2 of")
	// alice −6, bob −12, carol +18: alice pays carol 6, bob pays carol 12.
	mustContain(t, "/settle", run("/settle"), "1. @alice pays @carol 6 tUSD\n2. @bob pays @carol 12 tUSD")

	bobOwes := "you owe @carol 12 tUSD (/settle pay:2)"
	bad([]badCase{
		{"alice", "/trip start name:Porto", `This channel already has an open trip, "Lisbon": end it with /trip end before starting another.`},
		{"carol", `/spent 10 for:x split:"@alice @zed"`, "@zed is not a member here; the members are @alice, @bob, @carol, @dave, @erin, @frank."},
		{"carol", `/spent 10 for:x split:"@alice @bob:0"`, "@bob:0 — a weight is a whole number above 0, like @bob:2."},
		{"carol", `/spent 10 for:x split:"@alice @bob:-1"`, "@bob:-1 — a weight is a whole number above 0, like @bob:2."},
		{"carol", `/spent 10 for:x split:"@alice @bob:two"`, "@bob:two — a weight is a whole number above 0, like @bob:2."},
		{"carol", `/spent 10 for:x split:"@alice @bob:1.5"`, "@bob:1.5 — a weight is a whole number above 0, like @bob:2."},
		{"carol", `/spent 25 for:museum split:"@alice=10 @bob=10"`, "The exact amounts add up to 20 tUSD, 5 tUSD short of the 25 tUSD spent."},
		{"carol", `/spent 25 for:museum split:"@alice=20 @bob=10.5"`, "The exact amounts add up to 30.5 tUSD, 5.5 tUSD more than the 25 tUSD spent."},
		{"carol", `/spent 25 for:museum split:"@alice=25 @bob"`, "The exact amounts already make 25 tUSD of 25 tUSD; @bob would consume nothing."},
		{"carol", `/spent 10 for:x split:"@alice @alice"`, "@alice is in the split twice: name each member once."},
		{"carol", "/spent 0 for:x", "The amount must be more than zero."},
		{"carol", "/spent 10 for:" + long, tooLong},
		{"carol", "/trip remove 1", "Entry 1 is a redemption made on chain, so it stays in the ledger; to change what it paid for or who shared it, use /trip tag 1 for:… split:…."},
		{"carol", "/trip tag 2 for:y", "Entry 2 is an expense; only a redemption is tagged (an expense is removed and recorded again)."},
		{"bob", "/trip remove 2", "Entry 2 is @carol's expense; only they can remove it."},
		{"bob", "/trip remove 99", `The trip "Lisbon" has no entry 99; /trip balance lists them.`},
		{"bob", "/trip remove two", `"two" is not an entry number: give the number /trip balance shows, like 3.`},
		{"bob", "/trip tag 1 for:" + long, tooLong},
		{"bob", `/trip tag 1 for:lunch split:"@zed"`, "@zed is not a member here; the members are @alice, @bob, @carol, @dave, @erin, @frank."},
		{"bob", "/redeem 6 for:" + long, tooLong},
		{"bob", `/redeem 6 for:lunch split:"@alice @zed"`, "@zed is not a member here; the members are @alice, @bob, @carol, @dave, @erin, @frank."},
		{"bob", `/redeem 6 for:lunch split:"@alice=1 @bob=2"`, "The exact amounts add up to 3 tUSD, 3 tUSD short of the 6 tUSD spent."},
		{"bob", "/settle pay:1", "Transfer 1 is @alice's to pay, not yours; " + bobOwes + "."},
		{"bob", "/settle pay:9", `"9" is not a transfer of the plan: give a number from 1 to 2 (see /settle); ` + bobOwes + "."},
		{"bob", "/settle to:@alice", "You don't owe @alice anything in the settle plan; " + bobOwes + "."},
		{"bob", "/settle pay:2 amount:20", "You owe @carol 12 tUSD; you can pay at most 12."},
		{"bob", "/settle to:@carol amount:12.000001", "You owe @carol 12 tUSD; you can pay at most 12."},
		{"bob", "/settle pay:2 to:@alice", "Transfer 2 pays @carol, not @alice."},
		{"bob", "/settle amount:3", "Say which transfer to pay with pay:N (its number in the plan) or to:@member."},
		{"carol", "/settle pay:1", `Transfer 1 is @alice's to pay, not yours; you owe nothing in the trip "Lisbon".`},
		{"carol", "/settle to:@bob", `You don't owe @bob anything in the settle plan; you owe nothing in the trip "Lisbon".`},
		{"bob", "/trip leave", `You are down 12 tUSD in the trip "Lisbon"; you can leave once your net is zero (/settle).`},
		{"carol", "/trip leave", `You are up 18 tUSD in the trip "Lisbon"; you can leave once your net is zero (/settle).`},
		{"dave", "/trip leave", `You are not in the trip "Lisbon".`},
		{"bob", "/trip join", `You are already in the trip "Lisbon".`},
	})

	run("/as carol")
	mustContain(t, "/trip end", run("/trip end"), `The trip "Lisbon" has ended: 2 entries, 3 members.`)
	ended := `The trip "Lisbon" has ended; /trip reopen takes late entries, or /trip start begins a new one.`
	bad([]badCase{
		{"carol", "/trip end", ended},
		{"carol", "/spent 5 for:x", ended},
		{"bob", "/trip tag 1 for:x", ended},
		{"carol", "/trip remove 2", ended},
		{"bob", "/trip leave", ended},
		{"bob", "/redeem 6 for:dinner", "for: records a trip expense, and this channel has no open trip: start one with /trip start, or leave out for:."},
	})
}
