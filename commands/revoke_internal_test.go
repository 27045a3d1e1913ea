package commands

import (
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
)

// TestRevokePreviewText: Alice revokes Bob, burning his wallet's Alice-tokens and those
// backing his reserve. Carol (Bob-tokens) and Dave (Carol-tokens) lose credit
// through Bob; Erin, who holds Alice-tokens directly, does not; Bob himself is not listed.
func TestRevokePreviewText(t *testing.T) {
	tusd := trustbot.Token{Address: common.HexToAddress("0x75d0"), Symbol: "tUSD", Decimals: 6}
	alice, bob, carol := common.HexToAddress("0xa1"), common.HexToAddress("0xb0"), common.HexToAddress("0xca")
	dave, erin := common.HexToAddress("0xda"), common.HexToAddress("0xe0")
	resA, resB, resC := common.HexToAddress("0x1a"), common.HexToAddress("0x1b"), common.HexToAddress("0x1c")
	u := func(v int64) *big.Int { return new(big.Int).Mul(big.NewInt(v), big.NewInt(1_000_000)) }
	infos := map[common.Address]chain.ReserveInfo{
		resA: {Address: resA, Issuer: alice, Asset: tusd.Address, Symbol: "ALICE-tUSD", Decimals: 6, Reserve: u(300), AssetToken: tusd, Exists: true},
		resB: {Address: resB, Issuer: bob, Asset: resA, Symbol: "BOB-ALICE-tUSD", Decimals: 6, Reserve: u(20), Layered: true, Exists: true},
		resC: {Address: resC, Issuer: carol, Asset: resB, Symbol: "CAROL-BOB-ALICE-tUSD", Decimals: 6, Reserve: u(10), Layered: true, Exists: true},
	}
	graph := func() CreditGraph {
		return CreditGraph{
			Reserves: []CreditReserve{
				{Address: resA, Issuer: alice, Asset: tusd.Address, Backing: u(300)},
				{Address: resB, Issuer: bob, Asset: resA, Backing: u(20)},
				{Address: resC, Issuer: carol, Asset: resB, Backing: u(10)},
			},
			Balances: map[common.Address]map[common.Address]*big.Int{
				resA: {resB: u(20), bob: u(5), erin: u(50)},
				resB: {resC: u(10), carol: u(15)},
				resC: {dave: u(10)},
			},
		}
	}
	name := func(a common.Address) string {
		return map[common.Address]string{alice: "@alice", bob: "@bob", carol: "@carol", dave: "@dave", erin: "@erin"}[a]
	}
	for _, tc := range []struct {
		name  string
		burns map[common.Address]*big.Int
		want  string
	}{
		{"backing cut to 5", map[common.Address]*big.Int{bob: u(5), resB: u(15)},
			"Downstream, redeemable credit changes: @carol: 15 → 5 tUSD through @bob; @dave: 10 → 5 tUSD through @carol and @bob."},
		{"burn more than held", map[common.Address]*big.Int{bob: u(500), resB: u(500)},
			"Downstream, redeemable credit changes: @carol: 15 → 0 tUSD through @bob; @dave: 10 → 0 tUSD through @carol and @bob."},
		{"only the wallet", map[common.Address]*big.Int{bob: u(5)}, "Nobody downstream loses credit."},
		// Bob's reserve keeps 15: Carol alone could still redeem her 15, and Dave his 10.
		{"backing still enough", map[common.Address]*big.Int{resB: u(5)}, "Nobody downstream loses credit."},
	} {
		g := graph()
		got := revokePreviewText(g, infos, resA, bob, tc.burns, name)
		if got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
		if g.Balances[resA][resB].Cmp(u(20)) != 0 || g.Balances[resA][bob].Cmp(u(5)) != 0 {
			t.Errorf("%s: the preview changed the graph it was given", tc.name)
		}
	}
}
