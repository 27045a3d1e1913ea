package chain_test

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"net"
	"strings"
	"testing"

	"github.com/trustbot/trustbot/chain/chaintest"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/bindings"
	"github.com/trustbot/trustbot/chain/devchain"
)

// deployRuntime deploys a contract whose runtime code is exactly code, from alice.
func deployRuntime(t *testing.T, dc *devchain.Chain, code []byte) common.Address {
	t.Helper()
	// PUSH2 len DUP1 PUSH1 10 PUSH0 CODECOPY PUSH0 RETURN, then the code it copies.
	init := append([]byte{0x61, byte(len(code) >> 8), byte(len(code)), 0x80, 0x60, 10, 0x5f, 0x39, 0x5f, 0xf3}, code...)
	opts := bind.NewKeyedTransactor(chain.DevKey("alice"), dc.ChainID())
	addr, tx, err := bind.DeployContract(opts, init, dc.Client().Eth(), nil)
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	chaintest.WaitMined(t, dc.Client().Eth(), tx.Hash())
	return addr
}

func TestCheckFactory(t *testing.T) {
	ctx := context.Background()
	dc := chaintest.StartDev(t, false)
	ec := dc.Client().Eth()
	factoryBind := bindings.NewTrustReserveFactory()
	out, err := ec.CallContract(ctx, ethereum.CallMsg{To: ptr(dc.Factory()), Data: factoryBind.PackImplementation()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	impl, err := factoryBind.UnpackImplementation(out)
	if err != nil {
		t.Fatal(err)
	}
	code, err := ec.CodeAt(ctx, dc.Factory(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(code, impl.Bytes()) {
		t.Fatalf("the factory's code does not hold its implementation %s", impl.Hex())
	}
	// The factory's code with another implementation: a TestUSD.
	otherImpl := deployRuntime(t, dc, bytes.ReplaceAll(code, impl.Bytes(), dc.TestUSD().Bytes()))
	// The factory's code with one byte changed.
	changed := bytes.Clone(code)
	changed[len(changed)-1] ^= 0xff
	patched := deployRuntime(t, dc, changed)
	// The factory's very code at another address: its implementation belongs to the first one.
	copied := deployRuntime(t, dc, code)

	alice := chaintest.Member(t, dc, "alice").Address()
	for _, tc := range []struct {
		name    string
		factory common.Address
		want    string // "" = it is the factory
	}{
		{"the factory", dc.Factory(), ""},
		{"an account without code", alice,
			fmt.Sprintf("FACTORY_ADDRESS %s has no contract on chain %d", alice.Hex(), devchain.ChainID)},
		{"the zero address", common.Address{},
			fmt.Sprintf("FACTORY_ADDRESS %s has no contract on chain %d", common.Address{}.Hex(), devchain.ChainID)},
		{"a token", dc.TestUSD(),
			fmt.Sprintf("FACTORY_ADDRESS %s is not a TrustReserveFactory of this build (its code differs)", dc.TestUSD().Hex())},
		{"the implementation", impl,
			fmt.Sprintf("FACTORY_ADDRESS %s is not a TrustReserveFactory of this build (its code differs)", impl.Hex())},
		{"a changed factory", patched,
			fmt.Sprintf("FACTORY_ADDRESS %s is not a TrustReserveFactory of this build (its code differs)", patched.Hex())},
		{"a factory cloning something else", otherImpl,
			fmt.Sprintf("FACTORY_ADDRESS %s is not a TrustReserveFactory of this build (the TrustReserve it clones, %s, has different code)",
				otherImpl.Hex(), dc.TestUSD().Hex())},
		{"a copy of the factory", copied,
			fmt.Sprintf("FACTORY_ADDRESS %s is not a TrustReserveFactory of this build (the TrustReserve it clones, %s, has different code)",
				copied.Hex(), impl.Hex())},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := chain.New(ec, dc.ChainID(), tc.factory)
			err := c.CheckFactory(ctx)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("got %v, want nil", err)
			case tc.want == "":
			case trustbot.ErrorCode(err) != trustbot.EInvalid || trustbot.ErrorMessage(err) != tc.want:
				t.Fatalf("got %v (code %q), want code %q and message %q", err, trustbot.ErrorCode(err), trustbot.EInvalid, tc.want)
			}
		})
	}
}

func TestCheckFactoryChainDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	rc, err := rpc.DialContext(context.Background(), closed)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	c := chain.New(ethclient.NewClient(rc), big.NewInt(devchain.ChainID), common.HexToAddress("0x1000000000000000000000000000000000000001"))
	err = c.CheckFactory(context.Background())
	if trustbot.ErrorCode(err) != trustbot.EUnavailable {
		t.Fatalf("got %v (code %q), want code %q", err, trustbot.ErrorCode(err), trustbot.EUnavailable)
	}
	// The text is for whoever set the node's URL: what the node did, without the chat reply.
	if msg := err.Error(); !strings.HasPrefix(msg, "the node does not answer (dial tcp ") || strings.Contains(msg, "Try again") {
		t.Errorf("got %q, want %q without the chat reply", msg, "the node does not answer (dial tcp …)")
	}
}

func ptr[T any](v T) *T { return &v }
