package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/chaintest"
	"github.com/trustbot/trustbot/chain/devchain"
)

// mockContract is a test token's ABI and creation code, exported by contracts/script/export-artifacts.js.
type mockContract struct {
	abi abi.ABI
	bin []byte
}

func loadMock(t *testing.T, name string) mockContract {
	t.Helper()
	dir := filepath.Join("..", "..", "contracts", "artifacts", "mocks")
	abiJSON, err := os.ReadFile(filepath.Join(dir, name+".abi"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := abi.JSON(bytes.NewReader(abiJSON))
	if err != nil {
		t.Fatalf("%s.abi: %v", name, err)
	}
	bin, err := os.ReadFile(filepath.Join(dir, name+".bin"))
	if err != nil {
		t.Fatal(err)
	}
	return mockContract{abi: a, bin: common.FromHex(strings.TrimSpace(string(bin)))}
}

// pack is the calldata of method with args, or the constructor's input when method is "".
func (m mockContract) pack(t *testing.T, method string, args ...any) []byte {
	t.Helper()
	data, err := m.abi.Pack(method, args...)
	if err != nil {
		t.Fatalf("pack %s: %v", method, err)
	}
	return data
}

// realTokens are the three real-world-like tokens of TestTokens on a node of their own.
type realTokens struct {
	node            *devchain.Chain
	usdc, usdt, fee common.Address
	usdcABI         mockContract
}

// deployRealTokens starts a dev chain and deploys, from its deployer: a USDC-like token (6
// decimals, with a blacklist) behind an EIP-1967 proxy, a USDT-like one (no return values,
// approve refused from one non-zero allowance to another) and a fee-on-transfer one (1%); it
// mints 1,000 of each to every dev member.
func deployRealTokens(t *testing.T, ctx context.Context) realTokens {
	t.Helper()
	node := startNode(t, ctx)
	ec := node.Client().Eth()
	opts := bind.NewKeyedTransactor(node.Deployer().Key, node.ChainID())
	opts.Context = ctx
	deploy := func(m mockContract, input []byte) common.Address {
		t.Helper()
		addr, tx, err := bind.DeployContract(opts, m.bin, ec, input)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bind.WaitDeployed(ctx, ec, tx.Hash()); err != nil {
			t.Fatal(err)
		}
		return addr
	}
	send := func(to common.Address, data []byte) {
		t.Helper()
		hash, err := node.Deployer().Send(ctx, ec, node.ChainID(), trustbot.Call{To: to, Data: data})
		if err != nil {
			t.Fatal(err)
		}
		if r := chaintest.WaitMined(t, ec, hash); r.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("set-up transaction %s to %s failed", hash.Hex(), to.Hex())
		}
	}
	impl, proxy := loadMock(t, "BlacklistToken"), loadMock(t, "Eip1967Proxy")
	usdt, fee := loadMock(t, "NoReturnToken"), loadMock(t, "FeeUSD")
	implAddr := deploy(impl, nil)
	init := impl.pack(t, "initialize", "USD Coin", "USDC", uint8(6), node.Deployer().Address())
	rt := realTokens{node: node, usdcABI: impl}
	rt.usdc = deploy(proxy, proxy.pack(t, "", implAddr, init))
	rt.usdt = deploy(usdt, nil)
	rt.fee = deploy(fee, nil)
	for _, m := range devMembers {
		for _, tok := range []struct {
			addr common.Address
			m    mockContract
		}{{rt.usdc, impl}, {rt.usdt, usdt}, {rt.fee, fee}} {
			send(tok.addr, tok.m.pack(t, "mint", devAddress(m), tokens(1000)))
		}
	}
	return rt
}

// TestTokens runs tokens that behave like real-world ones through the bot's console: for a
// USDC-like token behind a proxy, a USDT-like one and a fee-on-transfer one, a member creates a
// reserve, deposits, trusts, and the trusted member redeems, then the issuer revokes; the
// balances are checked on the chain at each step. The fee token's deposit notice and backing
// say what arrived; a second USDT deposit over a leftover allowance sets it to 0 first; and a
// USDC redemption to a blacklisted address, or a deposit from a blacklisted wallet, is refused
// by the pre-flight in words, with no signing link. All of it on a node with eth_simulateV1 and
// on one that refuses it (the pre-flight's eth_call fallback).
func TestTokens(t *testing.T) {
	for _, refuse := range []bool{false, true} {
		name := "simulateV1"
		if refuse {
			name = "eth_call fallback"
		}
		t.Run(name, func(t *testing.T) { tokensStory(t, refuse) })
	}
}

// tokensStory is TestTokens on a dev chain of its own, behind a proxy that refuses
// eth_simulateV1 when refuse is set.
func tokensStory(t *testing.T, refuse bool) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rt := deployRealTokens(t, ctx)
	node := rt.node
	url := node.URL()
	if refuse {
		url = chaintest.NewRefuser(t, url, func(r chaintest.Request) (int, string, bool) {
			return -32601, "the method eth_simulateV1 does not exist/is not available", r.Method == "eth_simulateV1"
		}).URL
	}
	cfg := testConfig(t, map[string]string{"DATA_DIR": t.TempDir(), "LISTEN_ADDR": "127.0.0.1:0",
		"ETH_RPC_URL": url, "CHAIN_ID": "1337", "FACTORY_ADDRESS": node.Factory().Hex(),
		"ASSETS":        "USDC=" + rt.usdc.Hex() + ",USDT=" + rt.usdt.Hex() + ",FEE=" + rt.fee.Hex(),
		"POLL_INTERVAL": "50ms", "CONFIRMATIONS": "0"})
	out := &syncBuffer{}
	p, err := startPlayground(ctx, cfg, out, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if refuse {
		defer func() {
			if !p.Chain.SimulateV1Missing() {
				t.Error("the playground never fell back from eth_simulateV1")
			}
		}()
	}
	p.Console.Wait = 30 * time.Second
	_, offset := out.Since(0)
	run := func(line string) string {
		t.Helper()
		p.Console.Exec(ctx, line)
		var got string
		got, offset = out.Since(offset)
		return got
	}
	balance := func(token common.Address, who string) *big.Int {
		t.Helper()
		b, err := p.Chain.BalanceOf(ctx, token, devAddress(who))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	want := func(what string, got, want *big.Int) {
		t.Helper()
		if got.Cmp(want) != 0 {
			t.Fatalf("%s: got %s, want %s", what, trustbot.FormatAmount(got, 6), trustbot.FormatAmount(want, 6))
		}
	}
	units := func(s string) *big.Int {
		v, err := trustbot.ParseAmount(s, 6, "")
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, m := range []string{"alice", "bob", "carol", "dave"} {
		run("/as " + m)
		run("/wallet link")
		mustContain(t, "/approve (link "+m+")", run("/approve"), "Linked "+devAddress(m).Hex()+" to @"+m)
	}

	// Each token has its own issuer, so that dave's redemptions name them with from:.
	cases := []struct {
		symbol, issuer string
		token          common.Address
		arrives        func(sent string) string // what reaches the recipient of a transfer of sent
	}{
		{"USDC", "alice", rt.usdc, func(s string) string { return s }},
		{"USDT", "bob", rt.usdt, func(s string) string { return s }},
		{"FEE", "carol", rt.fee, func(s string) string {
			v := units(s)
			return trustbot.FormatAmount(new(big.Int).Sub(v, new(big.Int).Div(v, big.NewInt(100))), 6)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.symbol, func(t *testing.T) {
			sym, issuer := tc.symbol, tc.issuer
			run("/as " + issuer)
			mustContain(t, "/reserve create asset:"+sym, run("/reserve create asset:"+sym), "Sign to create your "+sym+" reserve")
			mustContain(t, "/approve ("+issuer+" create)", run("/approve"), "@"+issuer+" created a "+sym+" reserve")
			res, err := p.Chain.ReserveOf(ctx, devAddress(issuer), tc.token)
			if err != nil || !res.Exists {
				t.Fatalf("%s's %s reserve: %+v, %v", issuer, sym, res, err)
			}

			held := balance(tc.token, issuer)
			mustContain(t, "/reserve deposit 100 asset:"+sym, run("/reserve deposit 100 asset:"+sym), "Your wallet will ask twice")
			arrived := tc.arrives("100")
			mustContain(t, "/approve ("+issuer+" deposit)", run("/approve"),
				"@"+issuer+" deposited "+arrived+" "+sym+" into their reserve (backing now "+arrived+").")
			want(issuer+"'s "+sym+" after depositing 100", balance(tc.token, issuer), new(big.Int).Sub(held, units("100")))
			backing := units(arrived)
			if res, err = p.Chain.ReserveAt(ctx, res.Address); err != nil {
				t.Fatal(err)
			}
			want(sym+" reserve's backing after depositing 100", res.Reserve, backing)

			if sym == "USDT" {
				// A deposit signed only halfway leaves an allowance: the next deposit sets it to 0
				// before approving its own amount, which USDT refuses to do from a non-zero one.
				w := chain.Wallet{Key: chain.DevKey(issuer)}
				hash, err := w.Send(ctx, node.Client().Eth(), node.ChainID(), chain.Approve(tc.token, res.Address, units("5")))
				if err != nil {
					t.Fatal(err)
				}
				if r := chaintest.WaitMined(t, node.Client().Eth(), hash); r.Status != types.ReceiptStatusSuccessful {
					t.Fatal("the leftover approve of 5 USDT failed")
				}
				var rev *chain.RevertError
				if err := p.Chain.Simulate(ctx, devAddress(issuer), chain.Deposit(res.Address, trustbot.Token{Address: tc.token}, units("30"))); !errors.As(err, &rev) {
					t.Fatalf("approve 30 over an allowance of 5, then deposit: got %v, want USDT to refuse it", err)
				}
				mustContain(t, "/reserve deposit 30 asset:USDT (over an allowance of 5)", run("/reserve deposit 30 asset:USDT"),
					"Your wallet will ask three times: first to set the 5 USDT the reserve may still take from you to 0")
				mustContain(t, "/approve (bob's second deposit)", run("/approve"), "@bob deposited 30 USDT into their reserve (backing now 130).")
				left, err := p.Chain.Allowance(ctx, tc.token, devAddress(issuer), res.Address)
				if err != nil || left.Sign() != 0 {
					t.Fatalf("USDT allowance left to the reserve: got %v (%v), want 0", left, err)
				}
				backing = units("130")
				if res, err = p.Chain.ReserveAt(ctx, res.Address); err != nil {
					t.Fatal(err)
				}
				want("USDT reserve's backing after the second deposit", res.Reserve, backing)
			}

			mustContain(t, "/trust @dave 50 asset:"+sym, run("/trust @dave 50 asset:"+sym), "Sign to")
			mustContain(t, "/approve (trust dave)", run("/approve"), "@"+issuer+" extended @dave a budget of 50 "+sym)

			run("/as dave")
			daveHeld := balance(tc.token, "dave")
			mustContain(t, "/redeem 20 from:@"+issuer, run("/redeem 20 from:@"+issuer), "Sign to redeem 20 "+res.Symbol+" for 20 "+sym)
			mustContain(t, "/approve (dave redeem)", run("/approve"), "@dave redeemed 20 "+sym+" from @"+issuer+"'s reserve")
			want("dave's "+sym+" after redeeming 20", balance(tc.token, "dave"), new(big.Int).Add(daveHeld, units(tc.arrives("20"))))
			backing.Sub(backing, units("20"))
			if res, err = p.Chain.ReserveAt(ctx, res.Address); err != nil {
				t.Fatal(err)
			}
			want(sym+" reserve's backing after the redemption", res.Reserve, backing)
			want(sym+" reserve's outstanding after the redemption", res.Outstanding, units("30"))

			if sym == "USDC" {
				// USDC's blacklist: a redemption to a blacklisted address is refused in words.
				blocked := common.HexToAddress("0x00000000000000000000000000000000000B1AC4")
				blacklist := func(method string, who common.Address) {
					t.Helper()
					hash, err := node.Deployer().Send(ctx, node.Client().Eth(), node.ChainID(), trustbot.Call{To: tc.token, Data: rt.usdcABI.pack(t, method, who)})
					if err != nil {
						t.Fatal(err)
					}
					if r := chaintest.WaitMined(t, node.Client().Eth(), hash); r.Status != types.ReceiptStatusSuccessful {
						t.Fatalf("%s %s failed", method, who.Hex())
					}
				}
				blacklist("blacklist", blocked)
				line := "/redeem 5 from:@alice to:" + blocked.Hex()
				got := run(line)
				mustContain(t, line, got, "USDC refuses transfers to that address.")
				if strings.Contains(got, "/s/") {
					t.Fatalf("%s made a signing link: %s", line, got)
				}
				if b, _ := p.Chain.BalanceOf(ctx, tc.token, blocked); b.Sign() != 0 {
					t.Fatalf("the blacklisted address holds %s USDC, want none", b)
				}
				line = "/redeem 5 from:@alice to:" + devAddress("erin").Hex()
				mustContain(t, line, run(line), "Sign to redeem 5 "+res.Symbol+" for 5 USDC, paid to "+devAddress("erin").Hex())

				// A blacklisted issuer's deposit is refused in words too.
				blacklist("blacklist", devAddress("alice"))
				run("/as alice")
				got = run("/reserve deposit 10 asset:USDC")
				mustContain(t, "/reserve deposit 10 asset:USDC (alice blacklisted)", got, "USDC refuses transfers from your wallet.")
				if strings.Contains(got, "/s/") {
					t.Fatalf("a blacklisted deposit made a signing link: %s", got)
				}
				blacklist("unBlacklist", devAddress("alice"))
			}

			run("/as " + issuer)
			mustContain(t, "/revoke @dave asset:"+sym, run("/revoke @dave asset:"+sym), "Sign to revoke")
			mustContain(t, "/approve (revoke dave)", run("/approve"), "@"+issuer+" revoked all of @dave's trust")
			bal, budget, err := p.Chain.Account(ctx, res.Address, devAddress("dave"))
			if err != nil || bal.Sign() != 0 || budget.Sign() != 0 {
				t.Fatalf("dave's %s tokens after the revoke: balance %v, budget %v (%v); want none", sym, bal, budget, err)
			}
			if res, err = p.Chain.ReserveAt(ctx, res.Address); err != nil {
				t.Fatal(err)
			}
			want(sym+" reserve's outstanding after the revoke", res.Outstanding, new(big.Int))
			want(sym+" reserve's backing after the revoke", res.Reserve, backing)
		})
	}
}
