package commands_test

import (
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot/commands"
)

// The three-layer story: Alice's reserve holds tUSD; Bob's reserve is backed by Alice-tokens,
// Carol's by Bob-tokens; Dave holds Carol-tokens. Bob's reserve, the middle layer, is short:
// it holds 8 Alice-tokens while 10 Bob-tokens sit in Carol's reserve and 10 with Carol.
var (
	tUSD                    = common.HexToAddress("0x00000000000000000000000000000000000075d0")
	alice, bob, carol, dave = addr(0xa1), addr(0xb0), addr(0xca), addr(0xda)
	erin                    = addr(0xe0)
	resA, resB, resC        = addr(0x1a), addr(0x1b), addr(0x1c)
)

func addr(n int64) common.Address { return common.BigToAddress(big.NewInt(n)) }

func n(v int64) *big.Int { return big.NewInt(v) }

func story(carolHoldsC int64) commands.CreditGraph {
	g := commands.CreditGraph{
		Reserves: []commands.CreditReserve{
			{Address: resA, Issuer: alice, Asset: tUSD, Backing: n(300)},
			{Address: resB, Issuer: bob, Asset: resA, Backing: n(8)},
			{Address: resC, Issuer: carol, Asset: resB, Backing: n(10)},
		},
		Balances: map[common.Address]map[common.Address]*big.Int{
			resA: {resB: n(8), carol: n(5), erin: n(100)},
			resB: {resC: n(10), carol: n(10)},
			resC: {dave: n(30)},
		},
	}
	if carolHoldsC > 0 {
		g.Balances[resC][carol] = n(carolHoldsC)
	}
	return g
}

func TestCreditThreeLayers(t *testing.T) {
	type line struct {
		reserve      common.Address
		held, amount int64
		layers       int
		limit        common.Address
	}
	for _, tc := range []struct {
		name        string
		carolHoldsC int64
		holder      common.Address
		lines       []line
		total       int64
	}{
		{"dave three layers down, bounded by the short middle layer", 0, dave,
			[]line{{resC, 30, 8, 3, resB}}, 8},
		{"carol through bob and alice directly", 0, carol,
			[]line{{resA, 5, 5, 1, common.Address{}}, {resB, 10, 8, 2, resB}}, 13},
		{"carol's lines share bob's layer: total counts it once", 4, carol,
			[]line{{resA, 5, 5, 1, common.Address{}}, {resB, 10, 8, 2, resB}, {resC, 4, 4, 3, common.Address{}}}, 13},
		{"erin's 100 alice-tokens, alone", 0, erin,
			[]line{{resA, 100, 100, 1, common.Address{}}}, 100},
		{"bob's reserve as a holder: its whole backing", 0, resB,
			[]line{{resA, 8, 8, 1, common.Address{}}}, 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := commands.ComputeCredit(story(tc.carolHoldsC))[tc.holder]
			if c == nil {
				t.Fatal("no credit for the holder")
			}
			if len(c.Lines) != len(tc.lines) {
				t.Fatalf("%d lines, want %d: %+v", len(c.Lines), len(tc.lines), c.Lines)
			}
			for i, want := range tc.lines {
				got := c.Lines[i]
				if got.Reserve != want.reserve || got.Held.Int64() != want.held || got.Amount.Int64() != want.amount ||
					len(got.Path) != want.layers || got.Limit != want.limit || got.Base != tUSD {
					t.Errorf("line %d = %+v, want %+v", i, got, want)
				}
			}
			if got := c.Total[tUSD]; got == nil || got.Int64() != tc.total {
				t.Errorf("total = %v, want %d", got, tc.total)
			}
		})
	}
}

func TestExposureThreeLayers(t *testing.T) {
	g := story(0)
	for _, tc := range []struct {
		reserve common.Address
		want    int64
	}{
		// Alice: Carol 5 + Erin 100 directly, plus Bob's layer passing at most its 8.
		{resA, 113},
		// Bob: Carol's 10 plus Carol's layer passing min(10, Dave's 30), capped by Bob's 8.
		{resB, 8},
		{resC, 10},
		{addr(0x99), 0},
	} {
		if got := commands.Exposure(g, tc.reserve); got.Int64() != tc.want {
			t.Errorf("exposure of %s = %s, want %d", tc.reserve.Hex(), got, tc.want)
		}
	}
	// A full middle layer: Alice's exposure is bounded by her backing.
	g.Reserves[0].Backing = n(50)
	if got := commands.Exposure(g, resA); got.Int64() != 50 {
		t.Errorf("exposure bounded by backing = %s, want 50", got)
	}
}

func TestCreditLoopReachesNoBase(t *testing.T) {
	x, y := addr(0x2a), addr(0x2b)
	g := commands.CreditGraph{
		Reserves: []commands.CreditReserve{{Address: x, Issuer: alice, Asset: y}, {Address: y, Issuer: bob, Asset: x}},
		Balances: map[common.Address]map[common.Address]*big.Int{x: {carol: n(5), y: n(5)}, y: {x: n(5)}},
	}
	c := commands.ComputeCredit(g)[carol]
	if c == nil || len(c.Lines) != 1 || c.Lines[0].Amount.Sign() != 0 || len(c.Lines[0].Path) != 0 || len(c.Total) != 0 {
		t.Fatalf("credit through a loop = %+v", c)
	}
	if got := commands.Exposure(g, x); got.Sign() < 0 {
		t.Fatalf("exposure = %s", got)
	}
}
