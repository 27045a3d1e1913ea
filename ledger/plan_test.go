package ledger_test

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/ledger"
)

// netsOf names values m00, m01, … as a Plan input.
func netsOf(vals ...*big.Int) map[string]*big.Int {
	nets := make(map[string]*big.Int, len(vals))
	for i, v := range vals {
		nets[fmt.Sprintf("m%02d", i)] = v
	}
	return nets
}

func ints(vs ...int64) []*big.Int {
	out := make([]*big.Int, len(vs))
	for i, v := range vs {
		out[i] = big.NewInt(v)
	}
	return out
}

// checkPlan fails unless the payments settle nets: every amount positive, from a debtor to a
// creditor, never between the same two members twice, ordered by From then To, and leaving
// every net at zero. It returns the number of payments.
func checkPlan(t *testing.T, nets map[string]*big.Int, pays []trustbot.Payment) int {
	t.Helper()
	left := map[string]*big.Int{}
	for id, v := range nets {
		left[id] = new(big.Int).Set(trustbot.OrZero(v))
	}
	for i, p := range pays {
		if p.Amount == nil || p.Amount.Sign() <= 0 {
			t.Fatalf("payment %d %s→%s: got amount %v, want > 0", i, p.From, p.To, p.Amount)
		}
		if nets[p.From] == nil || nets[p.From].Sign() >= 0 || nets[p.To] == nil || nets[p.To].Sign() <= 0 {
			t.Fatalf("payment %d %s→%s: got a payer with net %v and payee with net %v, want a debtor paying a creditor", i, p.From, p.To, nets[p.From], nets[p.To])
		}
		if p.Asset != (trustbot.Token{}) {
			t.Fatalf("payment %d: got asset %v, want it left zero", i, p.Asset)
		}
		if i > 0 {
			q := pays[i-1]
			if q.From > p.From || q.From == p.From && q.To >= p.To {
				t.Fatalf("payments %d and %d: got %s→%s before %s→%s, want ordered by debtor then creditor, no pair twice", i-1, i, q.From, q.To, p.From, p.To)
			}
		}
		left[p.From].Add(left[p.From], p.Amount)
		left[p.To].Sub(left[p.To], p.Amount)
	}
	for id, v := range left {
		if v.Sign() != 0 {
			t.Fatalf("after the payments %s has %s left, want 0 (nets %v, payments %v)", id, v, nets, pays)
		}
	}
	return len(pays)
}

// minTransfers is the fewest transfers that settle vals, by exhaustive search, independent of
// Plan's reasoning: the first unsettled member settles in full with some member on the other
// side, which then carries the rest; every choice is tried.
func minTransfers(vals []*big.Int) int {
	bal := make([]*big.Int, len(vals))
	for i, v := range vals {
		bal[i] = new(big.Int).Set(v)
	}
	var dfs func(start int) int
	dfs = func(start int) int {
		for start < len(bal) && bal[start].Sign() == 0 {
			start++
		}
		if start == len(bal) {
			return 0
		}
		best := len(bal) // more than any answer
		for j := start + 1; j < len(bal); j++ {
			if bal[j].Sign()*bal[start].Sign() >= 0 {
				continue
			}
			bal[j].Add(bal[j], bal[start])
			best = min(best, 1+dfs(start+1))
			bal[j].Sub(bal[j], bal[start])
		}
		return best
	}
	return dfs(0)
}

// randomNets is n nets summing to zero, drawn so that zero-sum subgroups are common: values are
// made group by group, each group summing to zero, some with 18-decimal-sized magnitudes.
func randomNets(r *rand.Rand, n int) []*big.Int {
	vals := make([]*big.Int, 0, n)
	scale := big.NewInt(1)
	if r.IntN(3) == 0 {
		scale.Exp(big.NewInt(10), big.NewInt(int64(r.IntN(24))), nil)
	}
	for len(vals) < n {
		size := min(n-len(vals), 1+r.IntN(n))
		if size == 1 {
			vals = append(vals, new(big.Int)) // a settled member
			continue
		}
		sum := new(big.Int)
		for range size - 1 {
			v := big.NewInt(r.Int64N(21) - 10)
			if r.IntN(4) == 0 {
				v.SetUint64(r.Uint64()).Sub(v, new(big.Int).SetUint64(r.Uint64()))
			}
			v.Mul(v, scale)
			vals = append(vals, v)
			sum.Add(sum, v)
		}
		vals = append(vals, sum.Neg(sum))
	}
	r.Shuffle(len(vals), func(i, j int) { vals[i], vals[j] = vals[j], vals[i] })
	return vals
}

func TestPlanIsMinimal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trip := range 500 {
		vals := randomNets(r, 1+r.IntN(8))
		nets := netsOf(vals...)
		pays, exact, err := ledger.Plan(nets)
		if err != nil {
			t.Fatalf("trip %d: Plan(%v): %v", trip, vals, err)
		}
		if !exact {
			t.Errorf("trip %d: Plan(%v): got exact false, want true for %d members", trip, vals, len(vals))
		}
		got := checkPlan(t, nets, pays)
		if want := minTransfers(vals); got != want {
			t.Errorf("trip %d: Plan(%v): got %d transfers %v, want the minimum %d", trip, vals, got, pays, want)
		}
	}
}

func TestPlanExample(t *testing.T) {
	nets := netsOf(ints(-9, -7, -4, 9, 11)...)
	pays, exact, err := ledger.Plan(nets)
	if err != nil {
		t.Fatal(err)
	}
	if got := checkPlan(t, nets, pays); got != 3 || !exact {
		t.Errorf("Plan(−9, −7, −4, +9, +11): got %d transfers %v exact %v, want 3 exact", got, pays, exact)
	}
	want := []trustbot.Payment{
		{From: "m00", To: "m03", Amount: big.NewInt(9)},
		{From: "m01", To: "m04", Amount: big.NewInt(7)},
		{From: "m02", To: "m04", Amount: big.NewInt(4)},
	}
	if !slices.EqualFunc(pays, want, func(a, b trustbot.Payment) bool {
		return a.From == b.From && a.To == b.To && a.Amount.Cmp(b.Amount) == 0
	}) {
		t.Errorf("Plan(−9, −7, −4, +9, +11): got %v, want %v", pays, want)
	}
}

func TestPlanEdges(t *testing.T) {
	tests := []struct {
		name string
		nets map[string]*big.Int
		want int
	}{
		{"nobody", map[string]*big.Int{}, 0},
		{"all settled", map[string]*big.Int{"a": big.NewInt(0), "b": nil}, 0},
		{"two", map[string]*big.Int{"a": big.NewInt(-5), "b": big.NewInt(5), "c": big.NewInt(0)}, 1},
		{"one creditor", netsOf(ints(-1, -2, -3, -4, 10)...), 4},
		{"pairs", netsOf(ints(-1, 1, -2, 2, -3, 3, -4, 4)...), 4},
		{"huge", netsOf(new(big.Int).Lsh(big.NewInt(-1), 300), new(big.Int).Lsh(big.NewInt(1), 300)), 1},
	}
	for _, tt := range tests {
		pays, exact, err := ledger.Plan(tt.nets)
		if err != nil {
			t.Errorf("%s: got error %v, want %d transfers", tt.name, err, tt.want)
			continue
		}
		if got := checkPlan(t, tt.nets, pays); got != tt.want || !exact {
			t.Errorf("%s: got %d transfers %v exact %v, want %d exact", tt.name, got, pays, exact, tt.want)
		}
	}
}

func TestPlanRefusesUnbalancedNets(t *testing.T) {
	_, _, err := ledger.Plan(netsOf(ints(-5, 4)...))
	if code := trustbot.ErrorCode(err); code != trustbot.EInternal {
		t.Errorf("Plan(−5, +4): got %v (code %q), want an %s error", err, code, trustbot.EInternal)
	}
}

func TestPlanDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{8, 16, 40} {
		vals := randomNets(r, n)
		first, _, err := ledger.Plan(netsOf(vals...))
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			again, _, _ := ledger.Plan(netsOf(vals...))
			if fmt.Sprint(again) != fmt.Sprint(first) {
				t.Fatalf("%d members: got %v, then %v, want the same plan each time", n, first, again)
			}
		}
	}
}

// nonZeroNets is n non-zero nets summing to zero; big ones need more than an int64's range for
// their subset sums.
func nonZeroNets(r *rand.Rand, n int, big_ bool) []*big.Int {
	for {
		vals := randomNets(r, n)
		if big_ {
			for _, v := range vals {
				v.Lsh(v, 70)
			}
		}
		if !slices.ContainsFunc(vals, func(v *big.Int) bool { return v.Sign() == 0 }) {
			return vals
		}
	}
}

func TestPlanSixteen(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for trip := range 20 {
		vals := nonZeroNets(r, ledger.MaxExact, trip%2 == 1)
		nets := netsOf(vals...)
		pays, exact, err := ledger.Plan(nets)
		if err != nil {
			t.Fatal(err)
		}
		if !exact {
			t.Errorf("trip %d: got exact false for %d members, want true", trip, len(vals))
		}
		got := checkPlan(t, nets, pays)
		if got > len(vals)-1 {
			t.Errorf("trip %d: got %d transfers for %d members, want at most %d", trip, got, len(vals), len(vals)-1)
		}
	}
}

func TestPlanGreedyBeyondSixteen(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{17, 50, 100} {
		vals := nonZeroNets(r, n, false)
		nets := netsOf(vals...)
		pays, exact, err := ledger.Plan(nets)
		if err != nil {
			t.Fatal(err)
		}
		if exact {
			t.Errorf("%d members: got exact true, want false", n)
		}
		if got := checkPlan(t, nets, pays); got > n-1 {
			t.Errorf("%d members: got %d transfers, want at most %d", n, got, n-1)
		}
	}
}

func BenchmarkPlanExact16(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	nets := netsOf(nonZeroNets(r, ledger.MaxExact, false)...)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ledger.Plan(nets); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/op")
}

func BenchmarkPlanExact16Big(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	nets := netsOf(nonZeroNets(r, ledger.MaxExact, true)...)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ledger.Plan(nets); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/op")
}

func BenchmarkPlanGreedy50(b *testing.B) {
	r := rand.New(rand.NewPCG(11, 12))
	nets := netsOf(nonZeroNets(r, 50, false)...)
	b.ReportAllocs()
	var pays []trustbot.Payment
	for b.Loop() {
		var err error
		if pays, _, err = ledger.Plan(nets); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(pays)), "transfers")
}
