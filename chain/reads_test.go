package chain_test

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/trustbot/trustbot/chain/chaintest"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
)

func wantBig(t *testing.T, what string, got, want *big.Int) {
	t.Helper()
	if got == nil || got.Cmp(want) != 0 {
		t.Errorf("%s: got %v, want %s", what, got, want)
	}
}

// wantRevert checks that err is a *RevertError for call index with the named error and args.
func wantRevert(t *testing.T, err error, index int, name string, args ...any) *chain.RevertError {
	t.Helper()
	rev, ok := err.(*chain.RevertError)
	if !ok {
		t.Fatalf("got error %v (%T), want *chain.RevertError %s", err, err, name)
	}
	if rev.Index != index || rev.Name != name {
		t.Errorf("revert: got call %d %q (%v), want call %d %q", rev.Index, rev.Name, rev, index, name)
	}
	if len(rev.Args) != len(args) {
		t.Fatalf("revert args: got %v, want %v", rev.Args, args)
	}
	for i, a := range args {
		switch w := a.(type) {
		case *big.Int:
			if g, ok := rev.Args[i].(*big.Int); !ok || g.Cmp(w) != 0 {
				t.Errorf("revert arg %d: got %v, want %s", i, rev.Args[i], w)
			}
		default:
			if rev.Args[i] != a {
				t.Errorf("revert arg %d: got %v, want %v", i, rev.Args[i], a)
			}
		}
	}
	if trustbot.ErrorCode(err) != trustbot.EReverted {
		t.Errorf("ErrorCode: got %q, want %q", trustbot.ErrorCode(err), trustbot.EReverted)
	}
	return rev
}

func TestReadsCallsSimulate(t *testing.T) {
	ctx := context.Background()
	dc := chaintest.StartDev(t, false)
	c := dc.Client()
	alice, bob, carol := chaintest.Member(t, dc, "alice"), chaintest.Member(t, dc, "bob"), chaintest.Member(t, dc, "carol")
	usd := dc.TestUSD()

	// Tokens.
	tok, err := c.Token(ctx, usd)
	if err != nil {
		t.Fatal(err)
	}
	if tok != (trustbot.Token{Address: usd, Symbol: "tUSD", Decimals: 6}) {
		t.Errorf("Token(tUSD): got %+v, want tUSD with 6 decimals", tok)
	}
	if tok, _ := c.Token(ctx, common.Address{}); tok != (trustbot.Token{Symbol: "ETH", Decimals: 18}) {
		t.Errorf("Token(0): got %+v, want ETH with 18 decimals", tok)
	}
	if _, err := c.Token(ctx, alice.Address()); trustbot.ErrorCode(err) != trustbot.EInvalid {
		t.Errorf("Token(an account): got %v, want code %s", err, trustbot.EInvalid)
	}

	// Before it exists, a reserve has an address and an asset but nothing else.
	predicted, err := c.Predict(ctx, alice.Address(), usd)
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.ReserveOf(ctx, alice.Address(), usd)
	if err != nil {
		t.Fatal(err)
	}
	if info.Exists || info.Address != predicted || info.Issuer != alice.Address() || info.Asset != usd ||
		info.Decimals != 6 || info.AssetToken.Symbol != "tUSD" || info.Layered {
		t.Errorf("ReserveOf before create: got %+v, want not existing at %s, 6 decimals, tUSD", info, predicted.Hex())
	}
	wantBig(t, "reserve before create", info.Reserve, big.NewInt(0))
	wantBig(t, "outstanding before create", info.Outstanding, big.NewInt(0))
	if _, err := c.ReserveAt(ctx, predicted); trustbot.ErrorCode(err) != trustbot.ENotFound {
		t.Errorf("ReserveAt(not created): got %v, want code %s", err, trustbot.ENotFound)
	}

	// create
	create := chain.CreateReserve(dc.Factory(), usd, "Alice trust", "tALICE")
	if err := c.Simulate(ctx, alice.Address(), []trustbot.Call{create}); err != nil {
		t.Fatalf("Simulate(create): %v", err)
	}
	chaintest.SendOK(t, dc, false, alice, create)
	wantRevert(t, c.Simulate(ctx, alice.Address(), []trustbot.Call{create}), 0, "ReserveExists", predicted)
	info, err = c.ReserveOf(ctx, alice.Address(), usd)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Exists || info.Address != predicted || info.Name != "Alice trust" || info.Symbol != "tALICE" || info.Decimals != 6 {
		t.Errorf("ReserveOf after create: got %+v, want tALICE at %s", info, predicted.Hex())
	}
	r := predicted
	if ok, err := c.IsReserve(ctx, r); err != nil || !ok {
		t.Errorf("IsReserve(reserve): got %v, %v, want true", ok, err)
	}
	if ok, err := c.IsReserve(ctx, usd); err != nil || ok {
		t.Errorf("IsReserve(tUSD): got %v, %v, want false", ok, err)
	}

	// ERC-20 deposit: approve, then deposit. The deposit alone fails: the approve is what makes
	// it work, and the simulation runs them in order.
	deposit := chain.Deposit(r, tok, chaintest.Units(300))
	if len(deposit) != 2 || deposit[0].To != usd || deposit[1].To != r {
		t.Fatalf("Deposit(tUSD): got %d calls, want approve on tUSD then deposit on the reserve", len(deposit))
	}
	if err := c.Simulate(ctx, alice.Address(), deposit); err != nil {
		t.Errorf("Simulate(approve, deposit): got %v, want success", err)
	}
	wantRevert(t, c.Simulate(ctx, alice.Address(), deposit[1:]), 0, "TransferFailed")
	chaintest.SendOK(t, dc, false, alice, deposit...)
	allowance, err := c.Allowance(ctx, usd, alice.Address(), r)
	if err != nil {
		t.Fatal(err)
	}
	wantBig(t, "allowance after deposit", allowance, big.NewInt(0))

	// trust Bob 500 on 300 of backing: a fractional reserve.
	trust := chain.Trust(r, bob.Address(), chaintest.Units(500))
	if err := c.Simulate(ctx, alice.Address(), []trustbot.Call{trust}); err != nil {
		t.Fatalf("Simulate(trust): %v", err)
	}
	wantRevert(t, c.Simulate(ctx, bob.Address(), []trustbot.Call{trust}), 0, "NotIssuer")
	chaintest.SendOK(t, dc, false, alice, trust)
	bal, budget, err := c.Account(ctx, r, bob.Address())
	if err != nil {
		t.Fatal(err)
	}
	wantBig(t, "bob's balance", bal, chaintest.Units(500))
	wantBig(t, "bob's budget", budget, chaintest.Units(500))

	// Redeeming more than the reserve holds would revert with what it holds.
	wantRevert(t, c.Simulate(ctx, bob.Address(), []trustbot.Call{chain.Redeem(r, chaintest.Units(400), bob.Address())}),
		0, "InsufficientReserve", chaintest.Units(300), chaintest.Units(400))
	// The first failing call of a batch is the one reported.
	wantRevert(t, c.Simulate(ctx, bob.Address(), []trustbot.Call{
		chain.Redeem(r, chaintest.Units(200), bob.Address()), chain.Redeem(r, chaintest.Units(200), bob.Address()),
	}), 1, "InsufficientReserve", chaintest.Units(100), chaintest.Units(200))

	redeem := chain.Redeem(r, chaintest.Units(60), bob.Address())
	if err := c.Simulate(ctx, bob.Address(), []trustbot.Call{redeem}); err != nil {
		t.Fatalf("Simulate(redeem 60): %v", err)
	}
	chaintest.SendOK(t, dc, false, bob, redeem)
	got, err := c.BalanceOf(ctx, usd, bob.Address())
	if err != nil {
		t.Fatal(err)
	}
	wantBig(t, "bob's tUSD after redeem", got, chaintest.Units(10_060))
	info, err = c.ReserveAt(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	wantBig(t, "reserve after redeem", info.Reserve, chaintest.Units(240))
	wantBig(t, "outstanding after redeem", info.Outstanding, chaintest.Units(440))

	// reup, reupMany and revoke.
	chaintest.SendOK(t, dc, false, alice, chain.Reup(r, bob.Address(), chaintest.Units(1000)))
	bal, _, _ = c.Account(ctx, r, bob.Address())
	wantBig(t, "bob's balance after reup", bal, chaintest.Units(500))
	chaintest.SendOK(t, dc, false, alice, chain.Trust(r, carol.Address(), chaintest.Units(10)))
	chaintest.SendOK(t, dc, false, carol, chain.Redeem(r, chaintest.Units(4), carol.Address()))
	chaintest.SendOK(t, dc, false, alice, chain.ReupMany(r, []common.Address{bob.Address(), carol.Address()}, []*big.Int{chaintest.Units(5), chaintest.Units(5)}))
	bal, _, _ = c.Account(ctx, r, carol.Address())
	wantBig(t, "carol's balance after reupMany", bal, chaintest.Units(10))
	chaintest.SendOK(t, dc, false, alice, chain.Revoke(r, carol.Address(), nil))
	bal, budget, _ = c.Account(ctx, r, carol.Address())
	wantBig(t, "carol's balance after revoke", bal, big.NewInt(0))
	wantBig(t, "carol's budget after revoke", budget, big.NewInt(0))
	chaintest.SendOK(t, dc, false, alice, chain.Withdraw(r, chaintest.Units(40), alice.Address()))

	// Native coin: one call carrying the value.
	chaintest.SendOK(t, dc, false, carol, chain.CreateReserve(dc.Factory(), common.Address{}, "Carol trust", "tCAROL"))
	native, err := c.ReserveOf(ctx, carol.Address(), common.Address{})
	if err != nil {
		t.Fatal(err)
	}
	dep := chain.Deposit(native.Address, native.AssetToken, chaintest.Ether(2))
	if len(dep) != 1 || dep[0].Value.Cmp(chaintest.Ether(2)) != 0 {
		t.Fatalf("Deposit(ETH): got %d calls, want one carrying 2 ETH", len(dep))
	}
	chaintest.SendOK(t, dc, false, carol, dep...)
	chaintest.SendOK(t, dc, false, carol, chain.Trust(native.Address, bob.Address(), chaintest.Ether(1)))
	before, _ := c.BalanceOf(ctx, common.Address{}, alice.Address())
	chaintest.SendOK(t, dc, false, bob, chain.Redeem(native.Address, chaintest.Ether(1), alice.Address()))
	after, _ := c.BalanceOf(ctx, common.Address{}, alice.Address())
	wantBig(t, "ETH paid to alice", new(big.Int).Sub(after, before), chaintest.Ether(1))
	native, _ = c.ReserveAt(ctx, native.Address)
	wantBig(t, "carol's ETH reserve", native.Reserve, chaintest.Ether(1))
	if native.AssetToken.Symbol != "ETH" || native.Decimals != 18 {
		t.Errorf("native reserve asset: got %+v decimals %d, want ETH 18", native.AssetToken, native.Decimals)
	}
	// A value the sender does not have: the node refuses the batch, and says which call.
	rev := wantRevert(t, c.Simulate(ctx, carol.Address(), []trustbot.Call{
		chain.Trust(native.Address, alice.Address(), chaintest.Ether(1)),
		chain.Deposit(native.Address, native.AssetToken, chaintest.Ether(5000))[0],
	}), 1, "")
	if !strings.Contains(rev.Reason, "insufficient") {
		t.Errorf("reason: got %q, want one about insufficient funds", rev.Reason)
	}

	// Layers: Bob backs his reserve with Alice's token and redeems through both.
	chaintest.SendOK(t, dc, false, bob, chain.CreateReserve(dc.Factory(), r, "Bob on Alice", "tBOB"))
	layer, err := c.ReserveOf(ctx, bob.Address(), r)
	if err != nil {
		t.Fatal(err)
	}
	if !layer.Layered || layer.AssetToken.Symbol != "tALICE" || layer.Decimals != 6 {
		t.Errorf("layered reserve: got %+v, want layered on tALICE with 6 decimals", layer)
	}
	chaintest.SendOK(t, dc, false, bob, chain.Deposit(layer.Address, layer.AssetToken, chaintest.Units(50))...)
	chaintest.SendOK(t, dc, false, bob, chain.Trust(layer.Address, carol.Address(), chaintest.Units(30)))
	deep := chain.RedeemDeep(layer.Address, chaintest.Units(30), carol.Address())
	if err := c.Simulate(ctx, carol.Address(), []trustbot.Call{deep}); err != nil {
		t.Fatalf("Simulate(redeemDeep): %v", err)
	}
	before, _ = c.BalanceOf(ctx, usd, carol.Address())
	chaintest.SendOK(t, dc, false, carol, deep)
	after, _ = c.BalanceOf(ctx, usd, carol.Address())
	wantBig(t, "tUSD from redeemDeep", new(big.Int).Sub(after, before), chaintest.Units(30))
}

func TestDecodeCall(t *testing.T) {
	r := common.HexToAddress("0x00000000000000000000000000000000000000Ab")
	usd := common.HexToAddress("0x00000000000000000000000000000000000000cD")
	bob := common.HexToAddress("0xB0b0000000000000000000000000000000000001")
	carol := common.HexToAddress("0xca40000000000000000000000000000000000002")
	max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	dep := chain.Deposit(r, trustbot.Token{Address: usd, Symbol: "tUSD", Decimals: 6}, big.NewInt(300))
	for _, tc := range []struct {
		call trustbot.Call
		want string
	}{
		{chain.Trust(r, bob, big.NewInt(100)), "trust(holder=" + bob.Hex() + ", amount=100)"},
		{dep[0], "approve(spender=" + r.Hex() + ", amount=300)"},
		{dep[1], "deposit(amount=300)"},
		{chain.CreateReserve(usd, common.Address{}, "Alice trust", "tALICE"), "create(asset=0x0000000000000000000000000000000000000000, name=Alice trust, symbol=tALICE)"},
		{chain.Revoke(r, bob, nil), "revoke(holder=" + bob.Hex() + ", amount=" + max.String() + ")"},
		{chain.ReupMany(r, []common.Address{bob, carol}, []*big.Int{big.NewInt(1), big.NewInt(2)}),
			"reupMany(holders=[" + bob.Hex() + ", " + carol.Hex() + "], maxMints=[1, 2])"},
		{chain.RedeemDeep(r, big.NewInt(5), bob), "redeemDeep(amount=5, to=" + bob.Hex() + ")"},
		{chain.Withdraw(r, big.NewInt(5), bob), "withdraw(amount=5, to=" + bob.Hex() + ")"},
		{chain.Deposit(r, chain.NativeToken(), big.NewInt(9))[0], "deposit(amount=9) with 9 wei"},
	} {
		d, err := chain.DecodeCall(tc.call)
		if err != nil {
			t.Errorf("DecodeCall(%s): %v", tc.want, err)
			continue
		}
		if got := d.String(); got != tc.want {
			t.Errorf("DecodeCall: got %s, want %s", got, tc.want)
		}
	}
	if _, err := chain.DecodeCall(trustbot.Call{To: r, Data: []byte{1, 2, 3, 4}}); !errors.Is(err, chain.ErrUnknownCall) {
		t.Errorf("DecodeCall(unknown selector): got %v, want ErrUnknownCall", err)
	}
}
