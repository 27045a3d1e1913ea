package bindings_test

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/trustbot/trustbot/chain/bindings"
)

// actor is a funded key on the simulated chain.
type actor struct {
	key  *ecdsa.PrivateKey
	addr common.Address
	opts *bind.TransactOpts
}

func newActor(t *testing.T, chainID *big.Int) actor {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return actor{key: key, addr: crypto.PubkeyToAddress(key.PublicKey), opts: bind.NewKeyedTransactor(key, chainID)}
}

// TestLifecycle runs the committed bytecode (the bytecode forge tested) through the Go bindings:
// create → deposit → trust → redeem → reup → revoke, and decodes InsufficientReserve from a
// reverted call.
func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	chainID := big.NewInt(1337)
	alice, bob := newActor(t, chainID), newActor(t, chainID)
	eth := new(big.Int).Exp(big.NewInt(10), big.NewInt(20), nil)
	sim := simulated.NewBackend(types.GenesisAlloc{alice.addr: {Balance: eth}, bob.addr: {Balance: eth}})
	t.Cleanup(func() { sim.Close() })
	client := sim.Client()

	mine := func(tx *types.Transaction, err error) *types.Receipt {
		t.Helper()
		if err != nil {
			t.Fatalf("send: %v", err)
		}
		sim.Commit()
		rcpt, err := bind.WaitMined(ctx, client, tx.Hash())
		if err != nil {
			t.Fatalf("wait: %v", err)
		}
		if rcpt.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("tx %s reverted", tx.Hash())
		}
		return rcpt
	}
	deploy := func(meta *bind.MetaData) common.Address {
		t.Helper()
		addr, tx, err := bind.DeployContract(alice.opts, common.FromHex(meta.Bin), client, nil)
		mine(tx, err)
		return addr
	}

	factoryABI, reserveABI, usdABI := bindings.NewTrustReserveFactory(), bindings.NewTrustReserve(), bindings.NewTestUSD()
	factoryAddr := deploy(&bindings.TrustReserveFactoryMetaData)
	usdAddr := deploy(&bindings.TestUSDMetaData)
	factory := factoryABI.Instance(client, factoryAddr)
	usd := usdABI.Instance(client, usdAddr)

	// The reserve's address is known before it exists.
	predicted, err := bind.Call(factory, nil, factoryABI.PackPredict(alice.addr, usdAddr), factoryABI.UnpackPredict)
	if err != nil {
		t.Fatal(err)
	}
	rcpt := mine(bind.Transact(factory, alice.opts, factoryABI.PackCreate(usdAddr, "Alice trust tUSD", "tALICE")))
	created, err := factoryABI.UnpackReserveCreatedEvent(rcpt.Logs[len(rcpt.Logs)-1])
	if err != nil {
		t.Fatal(err)
	}
	if created.Reserve != predicted || created.Issuer != alice.addr || created.Asset != usdAddr {
		t.Fatalf("ReserveCreated = %+v, want reserve %s issuer %s asset %s", created, predicted, alice.addr, usdAddr)
	}
	reserve := reserveABI.Instance(client, predicted)

	units := func(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1_000_000)) }
	read := func(data []byte) *big.Int {
		t.Helper()
		v, err := bind.Call(reserve, nil, data, reserveABI.UnpackBalanceOf)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	usdBalance := func(a common.Address) *big.Int {
		t.Helper()
		v, err := bind.Call(usd, nil, usdABI.PackBalanceOf(a), usdABI.UnpackBalanceOf)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	want := func(what string, got, want *big.Int) {
		t.Helper()
		if got.Cmp(want) != 0 {
			t.Fatalf("%s: got %s, want %s", what, got, want)
		}
	}

	// deposit: approve + deposit 300 tUSD.
	mine(bind.Transact(usd, alice.opts, usdABI.PackMint(alice.addr, units(1000))))
	mine(bind.Transact(usd, alice.opts, usdABI.PackApprove(predicted, units(300))))
	mine(bind.Transact(reserve, alice.opts, reserveABI.PackDeposit(units(300))))
	want("reserve after deposit", read(reserveABI.PackReserve()), units(300))

	// trust Bob 100.
	rcpt = mine(bind.Transact(reserve, alice.opts, reserveABI.PackTrust(bob.addr, units(100))))
	trusted, err := reserveABI.UnpackTrustedEvent(rcpt.Logs[1])
	if err != nil {
		t.Fatal(err)
	}
	if trusted.Holder != bob.addr || trusted.Amount.Cmp(units(100)) != 0 {
		t.Fatalf("Trusted = %+v, want holder %s amount %s", trusted, bob.addr, units(100))
	}
	want("bob's balance", read(reserveABI.PackBalanceOf(bob.addr)), units(100))
	want("bob's budget", read(reserveABI.PackBudgetOf(bob.addr)), units(100))

	// Bob redeems 60 for tUSD.
	mine(bind.Transact(reserve, bob.opts, reserveABI.PackRedeem(units(60), bob.addr)))
	want("bob's tUSD", usdBalance(bob.addr), units(60))
	want("bob's balance after redeem", read(reserveABI.PackBalanceOf(bob.addr)), units(40))
	want("reserve after redeem", read(reserveABI.PackReserve()), units(240))

	// Alice re-ups Bob: mints back the 60 he spent.
	mine(bind.Transact(reserve, alice.opts, reserveABI.PackReup(bob.addr, units(60))))
	want("bob's balance after reup", read(reserveABI.PackBalanceOf(bob.addr)), units(100))

	// Alice withdraws 200, leaving 40 behind 100 outstanding: Bob cannot redeem 50.
	mine(bind.Transact(reserve, alice.opts, reserveABI.PackWithdraw(units(200), alice.addr)))
	bobReserve := reserveABI.Instance(client, predicted)
	_, err = bind.Call(bobReserve, &bind.CallOpts{From: bob.addr}, reserveABI.PackRedeem(units(50), bob.addr), func([]byte) (struct{}, error) { return struct{}{}, nil })
	var dataErr rpc.DataError
	if !errors.As(err, &dataErr) {
		t.Fatalf("redeem above the reserve: got %v, want a revert with data", err)
	}
	raw, err := hexutil.Decode(dataErr.ErrorData().(string))
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := reserveABI.UnpackError(raw)
	if err != nil {
		t.Fatalf("UnpackError: %v", err)
	}
	short, ok := decoded.(*bindings.TrustReserveInsufficientReserve)
	if !ok {
		t.Fatalf("decoded %T, want *TrustReserveInsufficientReserve", decoded)
	}
	want("InsufficientReserve.available", short.Available, units(40))
	want("InsufficientReserve.requested", short.Requested, units(50))

	// Alice revokes all of Bob's trust.
	maxUint := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	mine(bind.Transact(reserve, alice.opts, reserveABI.PackRevoke(bob.addr, maxUint)))
	want("bob's balance after revoke", read(reserveABI.PackBalanceOf(bob.addr)), big.NewInt(0))
	want("bob's budget after revoke", read(reserveABI.PackBudgetOf(bob.addr)), big.NewInt(0))
	want("outstanding after revoke", read(reserveABI.PackOutstanding()), big.NewInt(0))
}
