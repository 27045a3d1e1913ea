package ledger

import (
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestGreedyExample is the case that needs the exact plan: greedy pays −9 to +11 first and then
// needs four transfers where three do.
func TestGreedyExample(t *testing.T) {
	ids := []string{"a", "b", "c", "d", "e"}
	vals := []*big.Int{big.NewInt(-9), big.NewInt(-7), big.NewInt(-4), big.NewInt(9), big.NewInt(11)}
	if got := len(greedy(ids, vals)); got != 4 {
		t.Errorf("greedy(−9, −7, −4, +9, +11): got %d transfers, want 4", got)
	}
	if got := len(zeroSumGroups(vals)); got != 2 {
		t.Errorf("zeroSumGroups(−9, −7, −4, +9, +11): got %d groups, want 2 ({−9, +9} and {−7, −4, +11})", got)
	}
}

// TestExactBeatsGreedy compares the plan for 16 non-zero members with greedy's on the same nets.
func TestExactBeatsGreedy(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	better := 0
	for trip := range 50 {
		ids := make([]string, MaxExact)
		vals := make([]*big.Int, MaxExact)
		sum := new(big.Int)
		for i := range vals {
			ids[i] = string(rune('a' + i))
			vals[i] = big.NewInt(r.Int64N(11) + 1)
			if i%2 == 1 {
				vals[i].Neg(vals[i])
			}
			sum.Add(sum, vals[i])
		}
		vals[0].Sub(vals[0], sum) // now sums to zero; redraw if it made vals[0] zero
		if vals[0].Sign() == 0 {
			continue
		}
		nets := map[string]*big.Int{}
		for i, id := range ids {
			nets[id] = vals[i]
		}
		pays, _, err := Plan(nets)
		if err != nil {
			t.Fatal(err)
		}
		g := len(greedy(ids, vals))
		if len(pays) > g {
			t.Errorf("trip %d: got %d transfers, want at most greedy's %d", trip, len(pays), g)
		}
		if len(pays) < g {
			better++
		}
	}
	if better == 0 {
		t.Errorf("got the exact plan shorter than greedy's in none of 50 trips, want some: the nets are too easy")
	}
}

// TestZeroSums checks the word-wise subset sums against big.Int arithmetic, on values that fit
// one word and on values that need several, with more words than needed too.
func TestZeroSums(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for trip := range 200 {
		n := 1 + r.IntN(10)
		shift := uint(r.IntN(200))
		vals := make([]*big.Int, n)
		for i := range vals {
			vals[i] = big.NewInt(r.Int64N(7) - 3)
			vals[i].Lsh(vals[i], shift)
		}
		want := make([]bool, 1<<n)
		for mask := range want {
			s := new(big.Int)
			for i, v := range vals {
				if mask&(1<<i) != 0 {
					s.Add(s, v)
				}
			}
			want[mask] = s.Sign() == 0
		}
		need := limbsFor(vals)
		for _, limbs := range []int{need, need + 1} {
			if got := zeroSums(vals, limbs); !slices.Equal(got, want) {
				t.Errorf("trip %d: zeroSums(%v, %d words): got a different set of zero sums than big.Int's", trip, vals, limbs)
			}
		}
	}
}

func TestLimbsFor(t *testing.T) {
	sixteen := func(v *big.Int) []*big.Int {
		out := make([]*big.Int, 16)
		for i := range out {
			out[i] = v
		}
		return out
	}
	tests := []struct {
		vals []*big.Int
		want int
	}{
		{sixteen(new(big.Int).Lsh(big.NewInt(1), 57)), 1},          // 58 bits: 16 of them fit an int64
		{sixteen(new(big.Int).Lsh(big.NewInt(1), 58)), 2},          // 59 bits: 16 of them might not
		{[]*big.Int{big.NewInt(-1 << 62), big.NewInt(1 << 62)}, 2}, // 63 bits: two of them might not
		{[]*big.Int{new(big.Int).Lsh(big.NewInt(1), 125)}, 2},      // 126 bits, a sign and a carry: 128
		{[]*big.Int{new(big.Int).Lsh(big.NewInt(1), 126)}, 3},
	}
	for _, tt := range tests {
		if got := limbsFor(tt.vals); got != tt.want {
			t.Errorf("limbsFor(%d values of %d bits): got %d, want %d", len(tt.vals), tt.vals[0].BitLen(), got, tt.want)
		}
	}
}
