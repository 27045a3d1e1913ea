package chain_test

import (
	"bytes"
	"context"
	"net"
	"testing"
	"time"

	"github.com/trustbot/trustbot/chain/chaintest"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/devchain"
)

func TestDevChain(t *testing.T) {
	ctx := context.Background()
	dc := chaintest.StartDev(t, false)

	// An outside client (a wallet, cast) sees the chain over HTTP.
	ec, err := ethclient.Dial(dc.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()
	id, err := ec.ChainID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if id.Int64() != 1337 {
		t.Errorf("chain id: got %s, want 1337", id)
	}
	if dc.Factory() != chain.FactoryAddress() {
		t.Errorf("factory at %s, want the address computed offline, %s (the deterministic deployer's)", dc.Factory().Hex(), chain.FactoryAddress().Hex())
	}
	if code, err := ec.CodeAt(ctx, chain.Deployer, nil); err != nil || !bytes.Equal(code, chain.DeployerCode) {
		t.Errorf("deployer %s: got code %x (%v), want the deterministic deployer's", chain.Deployer.Hex(), code, err)
	}
	for name, addr := range map[string]common.Address{"factory": dc.Factory(), "tUSD": dc.TestUSD()} {
		code, err := ec.CodeAt(ctx, addr, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(code) == 0 {
			t.Errorf("%s at %s: got no code, want the deployed contract", name, addr.Hex())
		}
	}
	c := dc.Client()
	for _, name := range chaintest.DevMembers {
		w := chaintest.Member(t, dc, name)
		usd, err := c.BalanceOf(ctx, dc.TestUSD(), w.Address())
		if err != nil {
			t.Fatal(err)
		}
		if usd.Cmp(chaintest.Units(10_000)) != 0 {
			t.Errorf("%s's tUSD: got %s, want %s", name, usd, chaintest.Units(10_000))
		}
		eth, err := ec.BalanceAt(ctx, w.Address(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if eth.Cmp(chaintest.Ether(1000)) != 0 {
			t.Errorf("%s's ETH: got %s, want %s", name, eth, chaintest.Ether(1000))
		}
	}
	if _, ok := dc.Member("mallory"); ok {
		t.Errorf("Member(mallory): got a wallet, want none")
	}

	// A transaction sent over HTTP is sealed without anyone calling Commit.
	alice := chaintest.Member(t, dc, "alice")
	start := time.Now()
	hash, err := alice.Send(ctx, ec, dc.ChainID(), chain.CreateReserve(dc.Factory(), dc.TestUSD(), "Alice trust", "tALICE"))
	if err != nil {
		t.Fatal(err)
	}
	for {
		r, err := ec.TransactionReceipt(ctx, hash)
		if err == nil {
			if r.Status != types.ReceiptStatusSuccessful {
				t.Fatalf("create: got status %d, want 1", r.Status)
			}
			break
		}
		if time.Since(start) > time.Second {
			t.Fatalf("tx %s: not mined after %v, want within a second", hash.Hex(), time.Since(start))
		}
		time.Sleep(5 * time.Millisecond)
	}
	info, err := c.ReserveOf(ctx, alice.Address(), dc.TestUSD())
	if err != nil {
		t.Fatal(err)
	}
	if !info.Exists || info.Symbol != "tALICE" {
		t.Errorf("reserve after create: got exists=%v symbol=%q, want true tALICE", info.Exists, info.Symbol)
	}

	// Close is idempotent.
	dc.Close()
	dc.Close()
}

func TestDevChainPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dc, err := devchain.Start(context.Background(), devchain.Options{Members: []string{"alice"}, Addr: ln.Addr().String()})
	if err == nil {
		dc.Close()
		t.Fatalf("StartDevChain on a busy port %s: got no error, want one", ln.Addr())
	}
}

func TestDevChainFixedPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dc, err := devchain.Start(context.Background(), devchain.Options{Members: []string{"alice"}, Addr: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer dc.Close()
	if got, want := dc.URL(), "http://"+addr; got != want {
		t.Errorf("URL: got %s, want %s", got, want)
	}
}
