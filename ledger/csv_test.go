package ledger_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/ledger"
)

func TestEscapeCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"dinner", "dinner"},
		{"=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")"},
		{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"+1", "'+1"},
		{"@SUM(1+1)", "'@SUM(1+1)"},
		{"@bob", "'@bob"}, // a name never reaches a cell so: see nameOf
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"taxi = 30", "taxi = 30"},
		{"'quoted", "'quoted"},
		{"<@123>", "<@123>"},
	}
	for _, tt := range tests {
		if got := ledger.EscapeCell(tt.in); got != tt.want {
			t.Errorf("EscapeCell(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(data))
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("reading back the CSV: %v\n%s", err, data)
	}
	return rows
}

func TestWriteEntries(t *testing.T) {
	at := time.Date(2026, 7, 14, 19, 30, 0, 0, time.FixedZone("CEST", 2*3600))
	hash := common.HexToHash("0xabc1")
	dinner := spent(t, 1, bob, "60", tUSD, "@alice @bob @carol")
	dinner.Memo, dinner.CreatedAt = `=HYPERLINK("http://evil.example","click")`, at
	taxi := spent(t, 2, carol, "10", tUSD, "@carol @dave:3")
	taxi.Memo = "-2+3+cmd|' /C calc'!A0"
	loan := trustbot.Entry{N: 3, Kind: trustbot.EntryRedeem, Memo: "", Payer: alice.ID, Redeemer: bob.ID, Asset: tUSD,
		Amount: units("15.5"), Split: trustbot.SplitNone, Shares: []trustbot.Share{{UserID: bob.ID, Amount: units("15.5")}}, TxHash: hash}
	back := settle(t, 4, bob, alice, "15.5", tUSD)
	back.TxHash = hash
	gone := trustbot.Entry{N: 5, Kind: trustbot.EntrySpent, Memo: "snacks, and drinks", Payer: alice.ID, Asset: tUSD, Amount: units("1"),
		Split: trustbot.SplitEqual, Shares: []trustbot.Share{{UserID: alice.ID, Amount: units("0.5")}, {UserID: "99", Amount: units("0.5")}}}
	members := []trustbot.Member{alice, bob, carol, {ID: "4"}} // dave without a name: his id

	var buf bytes.Buffer
	if err := ledger.WriteEntries(&buf, []trustbot.Entry{dinner, taxi, loan, back, gone}, members); err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"date", "n", "kind", "memo", "payer", "redeemer", "amount", "asset", "split", "alice", "bob", "carol", "4", "99", "tx"},
		{"2026-07-14T17:30:00Z", "1", "spent", `'=HYPERLINK("http://evil.example","click")`, "bob", "", "60", "tUSD", "equal", "20", "20", "20", "", "", ""},
		{"", "2", "spent", "'-2+3+cmd|' /C calc'!A0", "carol", "", "10", "tUSD", "weighted", "", "", "2.5", "7.5", "", ""},
		{"", "3", "redeem", "", "alice", "bob", "15.5", "tUSD", "none", "", "15.5", "", "", "", hash.Hex()},
		{"", "4", "settle", "", "bob", "alice", "15.5", "tUSD", "", "", "", "", "", "", hash.Hex()},
		{"", "5", "spent", "snacks, and drinks", "alice", "", "1", "tUSD", "equal", "0.5", "", "", "", "0.5", ""},
	}
	got := readCSV(t, buf.Bytes())
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d:\n%s", len(got), len(want), buf.Bytes())
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("row %d:\ngot  %q\nwant %q", i, got[i], want[i])
		}
	}
}

func TestWriteBalances(t *testing.T) {
	entries := []trustbot.Entry{
		spent(t, 1, bob, "60", tUSD, "@alice @bob @carol"),
		{N: 2, Kind: trustbot.EntryRedeem, Payer: alice.ID, Redeemer: bob.ID, Asset: tUSD, Amount: units("15.5"), Split: trustbot.SplitNone,
			Shares: []trustbot.Share{{UserID: bob.ID, Amount: units("15.5")}}},
		settle(t, 3, carol, bob, "5", tUSD),
	}
	var buf bytes.Buffer
	if err := ledger.WriteBalances(&buf, ledger.Balances(entries), []trustbot.Member{alice, bob, {ID: "3", Name: "=carol"}}); err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"member", "asset", "paid", "consumed", "settled", "net"},
		{"alice", "tUSD", "15.5", "20", "0", "-4.5"},
		{"bob", "tUSD", "60", "35.5", "-5", "19.5"},
		{"'=carol", "tUSD", "0", "20", "5", "-15"},
	}
	got := readCSV(t, buf.Bytes())
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

// TestWriteBalancesSumsToZero reads a random trip's balances CSV back as exact decimals: per
// asset the nets, and paid less consumed plus settled, add up to zero.
func TestWriteBalancesSumsToZero(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	members := manyMembers(15)
	var buf bytes.Buffer
	if err := ledger.WriteBalances(&buf, ledger.Balances(randomEntries(t, r, members, 500)), members); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, buf.Bytes())
	net, flows := map[string]*big.Rat{}, map[string]*big.Rat{}
	for _, row := range rows[1:] {
		var v [4]*big.Rat
		for i, cell := range row[2:] {
			x, ok := new(big.Rat).SetString(cell)
			if !ok {
				t.Fatalf("row %q: %q is not a decimal", row, cell)
			}
			v[i] = x
		}
		if net[row[1]] == nil {
			net[row[1]], flows[row[1]] = new(big.Rat), new(big.Rat)
		}
		net[row[1]].Add(net[row[1]], v[3])
		flows[row[1]].Add(flows[row[1]], v[0]).Sub(flows[row[1]], v[1]).Add(flows[row[1]], v[2])
	}
	if len(net) != 2 {
		t.Errorf("got %d assets in the CSV, want 2", len(net))
	}
	for sym := range net {
		if net[sym].Sign() != 0 || flows[sym].Sign() != 0 {
			t.Errorf("%s: got nets summing to %s and paid − consumed + settled to %s, want 0 and 0", sym, net[sym].FloatString(18), flows[sym].FloatString(18))
		}
	}
}

// failing is a writer that refuses everything.
type failing struct{}

func (failing) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrors(t *testing.T) {
	entries := []trustbot.Entry{spent(t, 1, bob, "60", tUSD, "@alice @bob")}
	if err := ledger.WriteEntries(failing{}, entries, nil); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("WriteEntries to a failing writer: got %v, want its error", err)
	}
	if err := ledger.WriteBalances(failing{}, ledger.Balances(entries), nil); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("WriteBalances to a failing writer: got %v, want its error", err)
	}
}
