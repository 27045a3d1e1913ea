package ledger_test

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/ledger"
)

var wETH = trustbot.Token{Address: common.HexToAddress("0x00000000000000000000000000000000000000e7"), Symbol: "wETH", Decimals: 18}

// spent is an entry paid by payer and split by parts.
func spent(t testing.TB, n int, payer trustbot.Member, amount string, asset trustbot.Token, split string) trustbot.Entry {
	t.Helper()
	total, err := trustbot.ParseAmount(amount, asset.Decimals, asset.Symbol)
	if err != nil {
		t.Fatal(err)
	}
	parts, err := ledger.ParseSplit(split, asset, resolve)
	if err != nil {
		t.Fatal(err)
	}
	shares, err := ledger.Shares(total, parts, n, asset)
	if err != nil {
		t.Fatal(err)
	}
	return trustbot.Entry{N: n, Kind: trustbot.EntrySpent, Payer: payer.ID, Asset: asset, Amount: total,
		Split: ledger.Mode(parts), Parts: parts, Shares: shares}
}

func settle(t testing.TB, n int, debtor, creditor trustbot.Member, amount string, asset trustbot.Token) trustbot.Entry {
	t.Helper()
	v, err := trustbot.ParseAmount(amount, asset.Decimals, asset.Symbol)
	if err != nil {
		t.Fatal(err)
	}
	return trustbot.Entry{N: n, Kind: trustbot.EntrySettle, Payer: debtor.ID, To: creditor.ID, Asset: asset, Amount: v}
}

func balancesString(bs []trustbot.Balance) string {
	out := make([]string, len(bs))
	for i, b := range bs {
		d := b.Asset.Decimals
		out[i] = fmt.Sprintf("%s %s paid %s consumed %s settled %s net %s", b.Asset.Symbol, b.UserID,
			trustbot.FormatAmount(b.Paid, d), trustbot.FormatAmount(b.Consumed, d),
			trustbot.FormatAmount(b.Settled, d), trustbot.FormatAmount(b.Net, d))
	}
	return strings.Join(out, "\n")
}

func TestBalances(t *testing.T) {
	entries := []trustbot.Entry{
		spent(t, 1, bob, "60", tUSD, "@alice @bob @carol"), // 20 each
		spent(t, 2, carol, "30", tUSD, "@carol @dave:2"),   // carol 10, dave 20
		{N: 3, Kind: trustbot.EntryRedeem, Payer: alice.ID, Redeemer: bob.ID, Asset: tUSD, Amount: units("15"), Split: trustbot.SplitNone,
			Shares: []trustbot.Share{{UserID: bob.ID, Amount: units("15")}}}, // a loan from alice to bob
		settle(t, 4, dave, carol, "20", tUSD),
		spent(t, 5, alice, "0.3", wETH, "@alice @bob"),
	}
	want := strings.Join([]string{
		"tUSD 1 paid 15 consumed 20 settled 0 net -5",
		"tUSD 2 paid 60 consumed 35 settled 0 net 25",
		"tUSD 3 paid 30 consumed 30 settled -20 net -20",
		"tUSD 4 paid 0 consumed 20 settled 20 net 0",
		"wETH 1 paid 0.3 consumed 0.15 settled 0 net 0.15",
		"wETH 2 paid 0 consumed 0.15 settled 0 net -0.15",
	}, "\n")
	if got := balancesString(ledger.Balances(entries)); got != want {
		t.Errorf("Balances:\ngot\n%s\nwant\n%s", got, want)
	}
	if got := ledger.Balances(nil); len(got) != 0 {
		t.Errorf("Balances(nil): got %s, want none", balancesString(got))
	}
}

// TestBalancesSameSymbol keeps two assets with one symbol apart: they are different tokens.
func TestBalancesSameSymbol(t *testing.T) {
	other := tUSD
	other.Address = common.HexToAddress("0x00000000000000000000000000000000000000aa")
	bs := ledger.Balances([]trustbot.Entry{
		spent(t, 1, bob, "10", tUSD, "@alice"),
		spent(t, 2, alice, "10", other, "@bob"),
	})
	if len(bs) != 4 {
		t.Fatalf("got %d balances:\n%s\nwant 4, two per asset", len(bs), balancesString(bs))
	}
	for i, want := range []common.Address{tUSD.Address, tUSD.Address, other.Address, other.Address} {
		if bs[i].Asset.Address != want {
			t.Errorf("balance %d: got asset %s, want %s", i, bs[i].Asset.Address, want)
		}
	}
}

// randomEntries is a trip of n entries among members, in two assets: spending split every way,
// loans, and settlements.
func randomEntries(tb testing.TB, r *rand.Rand, members []trustbot.Member, n int) []trustbot.Entry {
	entries := make([]trustbot.Entry, 0, n)
	for i := range n {
		asset := tUSD
		if r.IntN(4) == 0 {
			asset = wETH
		}
		payer := members[r.IntN(len(members))]
		amount := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(asset.Decimals)), nil)
		amount.Mul(amount, big.NewInt(1+r.Int64N(500)))
		amount.Add(amount, big.NewInt(r.Int64N(1_000_000)))
		if r.IntN(10) == 0 {
			other := members[r.IntN(len(members))]
			entries = append(entries, trustbot.Entry{N: i + 1, Kind: trustbot.EntrySettle, Payer: payer.ID, To: other.ID, Asset: asset, Amount: amount})
			continue
		}
		k := 3 + r.IntN(4)
		parts := make([]trustbot.SplitPart, 0, k)
		for _, j := range r.Perm(len(members))[:k] {
			parts = append(parts, trustbot.SplitPart{Member: members[j], Weight: 1 + r.Int64N(3)})
		}
		if r.IntN(3) == 0 {
			parts[0].Weight, parts[0].Exact = 0, new(big.Int).Div(amount, big.NewInt(7))
		}
		shares, err := ledger.Shares(amount, parts, i, asset)
		if err != nil {
			tb.Fatal(err)
		}
		entries = append(entries, trustbot.Entry{N: i + 1, Kind: trustbot.EntrySpent, Payer: payer.ID, Asset: asset, Amount: amount,
			Split: ledger.Mode(parts), Parts: parts, Shares: shares})
	}
	return entries
}

func manyMembers(n int) []trustbot.Member {
	out := make([]trustbot.Member, n)
	for i := range out {
		out[i] = trustbot.Member{ID: fmt.Sprintf("%019d", 100000+i), Name: fmt.Sprintf("m%d", i)}
	}
	return out
}

func TestBalancesSumToZero(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	for trip := range 20 {
		entries := randomEntries(t, r, manyMembers(6+r.IntN(20)), 1+r.IntN(300))
		sums := map[string]*big.Int{}
		for _, b := range ledger.Balances(entries) {
			if want := new(big.Int).Add(new(big.Int).Sub(b.Paid, b.Consumed), b.Settled); b.Net.Cmp(want) != 0 {
				t.Errorf("trip %d, %s: got net %s, want paid − consumed + settled = %s", trip, b.UserID, b.Net, want)
			}
			if sums[b.Asset.Symbol] == nil {
				sums[b.Asset.Symbol] = new(big.Int)
			}
			sums[b.Asset.Symbol].Add(sums[b.Asset.Symbol], b.Net)
		}
		for sym, s := range sums {
			if s.Sign() != 0 {
				t.Errorf("trip %d: the %s nets sum to %s, want 0", trip, sym, s)
			}
		}
	}
}

// TestBalancesThenPlan settles a random trip with the plan made from its balances and checks
// that, with the settlements recorded, everyone's net is zero.
func TestBalancesThenPlan(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	members := manyMembers(12)
	entries := randomEntries(t, r, members, 200)
	nets := map[common.Address]map[string]*big.Int{}
	tokens := map[common.Address]trustbot.Token{}
	for _, b := range ledger.Balances(entries) {
		if nets[b.Asset.Address] == nil {
			nets[b.Asset.Address] = map[string]*big.Int{}
		}
		nets[b.Asset.Address][b.UserID] = b.Net
		tokens[b.Asset.Address] = b.Asset
	}
	for addr, n := range nets {
		pays, _, err := ledger.Plan(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pays {
			entries = append(entries, trustbot.Entry{Kind: trustbot.EntrySettle, Payer: p.From, To: p.To, Asset: tokens[addr], Amount: p.Amount})
		}
	}
	for _, b := range ledger.Balances(entries) {
		if b.Net.Sign() != 0 {
			t.Errorf("after the plan's settlements, %s has a %s net of %s, want 0", b.UserID, b.Asset.Symbol, b.Net)
		}
	}
}

func BenchmarkBalances(b *testing.B) {
	r := rand.New(rand.NewPCG(21, 22))
	entries := randomEntries(b, r, manyMembers(50), 10_000)
	b.ReportAllocs()
	for b.Loop() {
		ledger.Balances(entries)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/op")
}
