package ledger_test

import (
	"math/big"
	"strings"
	"testing"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/ledger"
)

func sharesString(shares []trustbot.Share) string {
	out := make([]string, len(shares))
	for i, s := range shares {
		out[i] = s.UserID + "=" + s.Amount.String()
	}
	return strings.Join(out, " ")
}

func TestShares(t *testing.T) {
	w := func(m trustbot.Member, weight int64) trustbot.SplitPart {
		return trustbot.SplitPart{Member: m, Weight: weight}
	}
	x := func(m trustbot.Member, v int64) trustbot.SplitPart {
		return trustbot.SplitPart{Member: m, Exact: big.NewInt(v)}
	}
	tests := []struct {
		name   string
		total  int64
		parts  []trustbot.SplitPart
		rotate int
		want   string
	}{
		{"equal", 60, []trustbot.SplitPart{w(alice, 1), w(bob, 1), w(carol, 1)}, 0, "1=20 2=20 3=20"},
		{"alone", 7, []trustbot.SplitPart{w(bob, 1)}, 5, "2=7"},
		{"weighted", 60, []trustbot.SplitPart{w(alice, 2), w(bob, 1), w(carol, 3)}, 0, "1=20 2=10 3=30"},
		{"weighted, largest remainder", 10, []trustbot.SplitPart{w(alice, 1), w(bob, 2), w(carol, 4)}, 0, "1=1 2=3 3=6"},
		{"exact", 60, []trustbot.SplitPart{x(alice, 25), x(bob, 35)}, 0, "1=25 2=35"},
		{"mixed", 60, []trustbot.SplitPart{x(alice, 30), w(bob, 1), w(carol, 2)}, 0, "1=30 2=10 3=20"},
		{"mixed, exact last", 61, []trustbot.SplitPart{w(bob, 1), w(carol, 1), x(alice, 30)}, 0, "2=16 3=15 1=30"},
		{"rotate 0", 10, []trustbot.SplitPart{w(alice, 1), w(bob, 1), w(carol, 1)}, 0, "1=4 2=3 3=3"},
		{"rotate 1", 10, []trustbot.SplitPart{w(alice, 1), w(bob, 1), w(carol, 1)}, 1, "1=3 2=4 3=3"},
		{"rotate 2", 10, []trustbot.SplitPart{w(alice, 1), w(bob, 1), w(carol, 1)}, 2, "1=3 2=3 3=4"},
		{"rotate 3 wraps", 10, []trustbot.SplitPart{w(alice, 1), w(bob, 1), w(carol, 1)}, 3, "1=4 2=3 3=3"},
		{"rotate -1", 10, []trustbot.SplitPart{w(alice, 1), w(bob, 1), w(carol, 1)}, -1, "1=3 2=3 3=4"},
		{"rotate 2 of 2 units", 11, []trustbot.SplitPart{w(alice, 1), w(bob, 1), w(carol, 1)}, 2, "1=4 2=3 3=4"},
		// Rotation counts weighted parts only: the exact part at the front is not a position.
		{"rotate past exact", 31, []trustbot.SplitPart{x(dave, 21), w(alice, 1), w(bob, 1), w(carol, 1)}, 1, "4=21 1=3 2=4 3=3"},
		// A larger remainder wins over rotation: rotation starts at carol, but her 5 units are
		// whole and alice's and bob's 2.5 are not.
		{"remainder before rotation", 10, []trustbot.SplitPart{w(alice, 1), w(bob, 1), w(carol, 2)}, 2, "1=3 2=2 3=5"},
		{"fewer units than members", 2, []trustbot.SplitPart{w(alice, 1), w(bob, 1), w(carol, 1)}, 1, "1=0 2=1 3=1"},
	}
	for _, tt := range tests {
		shares, err := ledger.Shares(big.NewInt(tt.total), tt.parts, tt.rotate, tUSD)
		if err != nil {
			t.Errorf("%s: got error %v, want %s", tt.name, err, tt.want)
			continue
		}
		if got := sharesString(shares); got != tt.want {
			t.Errorf("%s: Shares(%d, %s, %d): got %s, want %s", tt.name, tt.total, partsString(tt.parts), tt.rotate, got, tt.want)
		}
	}
}

// TestSharesRotationSpreadsUnits gives 10 units over 3 members for three entries in a row: each
// member gets the extra unit once.
func TestSharesRotationSpreadsUnits(t *testing.T) {
	parts := []trustbot.SplitPart{{Member: alice, Weight: 1}, {Member: bob, Weight: 1}, {Member: carol, Weight: 1}}
	got := map[string]int64{}
	for rotate := range 3 {
		shares, err := ledger.Shares(big.NewInt(10), parts, rotate, tUSD)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range shares {
			got[s.UserID] += s.Amount.Int64()
		}
	}
	for _, m := range []trustbot.Member{alice, bob, carol} {
		if got[m.ID] != 10 {
			t.Errorf("%s over three entries: got %d units, want 10", m.Name, got[m.ID])
		}
	}
}

func TestSharesErrors(t *testing.T) {
	w := func(m trustbot.Member, weight int64) trustbot.SplitPart {
		return trustbot.SplitPart{Member: m, Weight: weight}
	}
	x := func(m trustbot.Member, v string) trustbot.SplitPart {
		return trustbot.SplitPart{Member: m, Exact: units(v)}
	}
	tests := []struct {
		name  string
		total *big.Int
		parts []trustbot.SplitPart
		want  string
	}{
		{"no parts", units("60"), nil, "A split needs at least one member."},
		{"zero total", big.NewInt(0), []trustbot.SplitPart{w(bob, 1)}, "The amount to split must be more than zero, not 0 tUSD."},
		{"nil total", nil, []trustbot.SplitPart{w(bob, 1)}, "The amount to split must be more than zero, not 0 tUSD."},
		{"negative total", big.NewInt(-1_000_000), []trustbot.SplitPart{w(bob, 1)}, "The amount to split must be more than zero, not -1 tUSD."},
		{"exact short", units("60"), []trustbot.SplitPart{x(alice, "30"), x(bob, "25")}, "The exact amounts add up to 55 tUSD, 5 tUSD short of the 60 tUSD spent."},
		{"exact over", units("60"), []trustbot.SplitPart{x(alice, "30"), x(bob, "35")}, "The exact amounts add up to 65 tUSD, 5 tUSD more than the 60 tUSD spent."},
		{"exact use it all", units("60"), []trustbot.SplitPart{x(bob, "60"), w(alice, 1), w(carol, 2)}, "The exact amounts already make 60 tUSD of 60 tUSD; <@1> and <@3> would consume nothing."},
		{"exact beyond", units("60"), []trustbot.SplitPart{x(bob, "60.5"), w(alice, 1)}, "The exact amounts already make 60.5 tUSD of 60 tUSD; <@1> would consume nothing."},
		{"three left out", units("60"), []trustbot.SplitPart{w(alice, 1), x(bob, "70"), w(carol, 1), w(dave, 1)}, "The exact amounts already make 70 tUSD of 60 tUSD; <@1>, <@3> and <@4> would consume nothing."},
		{"zero weight", units("60"), []trustbot.SplitPart{w(alice, 0)}, "<@1>'s weight must be a whole number above 0, not 0."},
		{"zero exact", units("60"), []trustbot.SplitPart{{Member: alice, Exact: new(big.Int)}}, "<@1>'s exact amount must be more than zero, not 0 tUSD."},
	}
	for _, tt := range tests {
		shares, err := ledger.Shares(tt.total, tt.parts, 0, tUSD)
		if err == nil {
			t.Errorf("%s: got %s, want error %q", tt.name, sharesString(shares), tt.want)
			continue
		}
		if code, msg := trustbot.ErrorCode(err), trustbot.ErrorMessage(err); code != trustbot.EInvalid || msg != tt.want {
			t.Errorf("%s: got %s %q, want %s %q", tt.name, code, msg, trustbot.EInvalid, tt.want)
		}
	}
}

// FuzzShares builds a split from bytes (a byte below 64 is a weight, 1 to 64; any other an exact
// amount) and checks what Shares promises: the shares sum to the total, none is negative, exact
// parts keep their amounts, and it refuses only the splits whose exact amounts do not fit.
func FuzzShares(f *testing.F) {
	f.Add(uint64(10), uint8(0), []byte{0, 0, 0}, 0)
	f.Add(uint64(60), uint8(6), []byte{200, 1, 3}, 7)
	f.Add(uint64(1), uint8(18), []byte{63, 63, 63, 63, 63}, -3)
	f.Add(uint64(0), uint8(0), []byte{1}, 0)
	f.Add(uint64(55), uint8(0), []byte{100, 150}, 1)
	f.Fuzz(func(t *testing.T, total uint64, scale uint8, spec []byte, rotate int) {
		if len(spec) == 0 || len(spec) > ledger.MaxSplitMembers {
			return
		}
		tot := new(big.Int).SetUint64(total)
		tot.Mul(tot, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale%40)), nil))
		parts := make([]trustbot.SplitPart, len(spec))
		exactSum, weighted := new(big.Int), 0
		for i, b := range spec {
			parts[i].Member = trustbot.Member{ID: string(rune('a' + i))}
			if b < 64 {
				parts[i].Weight = int64(b) + 1
				weighted++
				continue
			}
			parts[i].Exact = new(big.Int).Mul(big.NewInt(int64(b)-63), new(big.Int).Rsh(tot, 4))
			if parts[i].Exact.Sign() == 0 {
				parts[i].Exact.SetInt64(int64(b) - 63)
			}
			exactSum.Add(exactSum, parts[i].Exact)
		}
		shares, err := ledger.Shares(tot, parts, rotate, tUSD)
		fits := tot.Sign() > 0 && (weighted == 0 && exactSum.Cmp(tot) == 0 || weighted > 0 && exactSum.Cmp(tot) < 0)
		if err != nil {
			if fits {
				t.Fatalf("Shares(%s, %s): got error %v, want shares", tot, partsString(parts), err)
			}
			return
		}
		if !fits {
			t.Fatalf("Shares(%s, %s): got %s, want an error", tot, partsString(parts), sharesString(shares))
		}
		if len(shares) != len(parts) {
			t.Fatalf("got %d shares, want %d", len(shares), len(parts))
		}
		sum := new(big.Int)
		for i, s := range shares {
			if s.UserID != parts[i].Member.ID {
				t.Fatalf("share %d: got user %s, want %s", i, s.UserID, parts[i].Member.ID)
			}
			if s.Amount.Sign() < 0 {
				t.Fatalf("share %d: got %s, want ≥ 0", i, s.Amount)
			}
			if parts[i].Exact != nil && s.Amount.Cmp(parts[i].Exact) != 0 {
				t.Fatalf("share %d: got %s, want the exact %s", i, s.Amount, parts[i].Exact)
			}
			if s.Amount == parts[i].Exact {
				t.Fatalf("share %d shares its *big.Int with the part; want a copy", i)
			}
			sum.Add(sum, s.Amount)
		}
		if sum.Cmp(tot) != 0 {
			t.Fatalf("Shares(%s, %s): got %s summing to %s, want %s", tot, partsString(parts), sharesString(shares), sum, tot)
		}
	})
}
