package main

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/sethvargo/go-envconfig"

	"github.com/trustbot/trustbot/chain/devchain"
)

// TestPresets: every CHAIN row is well formed, and each name gives its chain id and USDC. A new
// chain is one row in presets and one here.
func TestPresets(t *testing.T) {
	want := []struct {
		name string
		id   uint64
		usdc string
	}{
		{"ethereum", 1, "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"},
		{"sepolia", 11155111, "0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238"},
		{"base", 8453, "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"},
		{"base-sepolia", 84532, "0x036CbD53842c5426634e7929541eC2318f3dCF7e"},
		{"optimism", 10, "0x0b2C639c533813f4Aa9D7837CAf62653d097Ff85"},
		{"op-sepolia", 11155420, "0x5fd84259d66Cd46123540766Be93DFE6D43130D7"},
		{"arbitrum", 42161, "0xaf88d065e77c8cC2239327C5EDb3A432268e5831"},
		{"arbitrum-sepolia", 421614, "0x75faf114eafb1BDbe2F0316DF893fd58CE46AA4d"},
		{"polygon", 137, "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359"},
		{"polygon-amoy", 80002, "0x41E94Eb019C0762f9Bfcf9Fb1E58725BfB0e7582"},
	}
	if len(presets) != len(want) {
		t.Errorf("presets: got %d rows, want %d (one test row per chain)", len(presets), len(want))
	}
	names, ids := map[string]bool{}, map[uint64]bool{}
	for _, p := range presets {
		if names[p.Name] || ids[p.ChainID] {
			t.Errorf("%s: got a second row for the name or chain id %d, want one", p.Name, p.ChainID)
		}
		names[p.Name], ids[p.ChainID] = true, true
		if !common.IsHexAddress(p.USDC) || common.HexToAddress(p.USDC).Hex() != p.USDC {
			t.Errorf("%s: USDC %q, want a checksummed 0x address", p.Name, p.USDC)
		}
		for _, u := range []string{p.Explorer, p.RPC} {
			if pu, err := url.Parse(u); err != nil || pu.Scheme != "https" || pu.Host == "" || keyLike(pu) {
				t.Errorf("%s: URL %q, want a public https URL without a key", p.Name, u)
			}
		}
		var f finality
		if err := f.EnvDecode(context.Background(), p.Finality); err != nil || f == "" {
			t.Errorf("%s: finality %q, want finalized, safe or latest", p.Name, p.Finality)
		}
	}
	for _, w := range want {
		cfg := testConfig(t, map[string]string{"CHAIN": w.name, "FACTORY_ADDRESS": "0x00000000000000000000000000000000000000f1"})
		assets := cfg.Assets.Assets()
		if cfg.ChainID != w.id || len(assets) != 1 || assets[0].Symbol != "USDC" || assets[0].Address != common.HexToAddress(w.usdc) {
			t.Errorf("CHAIN=%s: got chain %d and ASSETS %v, want chain %d and USDC=%s", w.name, cfg.ChainID, assets, w.id, w.usdc)
		}
	}
}

// TestPresetConfig: CHAIN fills what is unset, and what is set wins.
func TestPresetConfig(t *testing.T) {
	factory := "0x00000000000000000000000000000000000000f1"
	base := func(env map[string]string) map[string]string {
		out := map[string]string{"CHAIN": "base", "FACTORY_ADDRESS": factory}
		for k, v := range env {
			out[k] = v
		}
		return out
	}
	alchemy := "https://base-mainnet.g.alchemy.com/v2/AbCdEf1234567890ghijklmnopQRST"
	for _, tc := range []struct {
		name                         string
		env                          map[string]string
		rpc, wallet, explorer, final string
		confirmations                uint64
		assets                       string
	}{
		{"the preset", base(nil), "https://mainnet.base.org", "https://mainnet.base.org", "https://basescan.org", "safe", 2, "USDC=0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"},
		{"a provider node", base(map[string]string{"ETH_RPC_URL": alchemy}), alchemy, "https://mainnet.base.org", "https://basescan.org", "safe", 2, "USDC=0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"},
		{"PUBLIC_RPC_URL", base(map[string]string{"PUBLIC_RPC_URL": "https://base.publicnode.example"}), "https://mainnet.base.org", "https://base.publicnode.example", "https://basescan.org", "safe", 2, "USDC=0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"},
		{"FINALITY", base(map[string]string{"FINALITY": "Finalized"}), "https://mainnet.base.org", "https://mainnet.base.org", "https://basescan.org", "finalized", 2, "USDC=0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"},
		{"FINALITY=latest", base(map[string]string{"FINALITY": "latest", "CONFIRMATIONS": "12"}), "https://mainnet.base.org", "https://mainnet.base.org", "https://basescan.org", "latest", 12, "USDC=0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"},
		{"CONFIRMATIONS alone", base(map[string]string{"CONFIRMATIONS": "12"}), "https://mainnet.base.org", "https://mainnet.base.org", "https://basescan.org", "safe", 12, "USDC=0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"},
		{"ASSETS and EXPLORER_URL", base(map[string]string{"ASSETS": "ETH=native", "EXPLORER_URL": "https://base.blockscout.com"}), "https://mainnet.base.org", "https://mainnet.base.org", "https://base.blockscout.com", "safe", 2, "ETH=0x0000000000000000000000000000000000000000"},
		{"CHAIN_ID that agrees", base(map[string]string{"CHAIN_ID": "8453"}), "https://mainnet.base.org", "https://mainnet.base.org", "https://basescan.org", "safe", 2, "USDC=0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"},
		{"no CHAIN", map[string]string{"ETH_RPC_URL": "http://127.0.0.1:8545", "FACTORY_ADDRESS": factory, "ASSETS": "ETH=native"}, "http://127.0.0.1:8545", "http://127.0.0.1:8545", "", "latest", 2, "ETH=0x0000000000000000000000000000000000000000"},
	} {
		cfg := testConfig(t, tc.env)
		wallet, _ := cfg.walletRPC()
		var assets []string
		for _, a := range cfg.Assets.Assets() {
			assets = append(assets, a.Symbol+"="+a.Address.Hex())
		}
		for _, c := range []struct {
			what      string
			got, want any
		}{
			{"ETH_RPC_URL", cfg.EthRPCURL.String(), tc.rpc},
			{"wallet RPC", wallet, tc.wallet},
			{"EXPLORER_URL", cfg.ExplorerURL.String(), tc.explorer},
			{"finality", string(cfg.Finality), tc.final},
			{"CONFIRMATIONS", cfg.Confirmations, tc.confirmations},
			{"ASSETS", strings.Join(assets, ","), tc.assets},
			{"USDC checked", cfg.presetUSDC, strings.HasPrefix(tc.assets, "USDC=")},
		} {
			if c.got != c.want {
				t.Errorf("%s: %s: got %v, want %v", tc.name, c.what, c.got, c.want)
			}
		}
	}
}

// TestPresetRefusals: a CHAIN the bot does not know, a CHAIN_ID that disagrees with CHAIN, a bad
// FINALITY and a PUBLIC_RPC_URL with a key are refused in a sentence naming the setting.
func TestPresetRefusals(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"CHAIN": "basee"}, `CHAIN must be one of ethereum, sepolia, base, base-sepolia, optimism, op-sepolia, arbitrum, arbitrum-sepolia, polygon, polygon-amoy, got "basee"`},
		{map[string]string{"CHAIN": "base", "CHAIN_ID": "1", "FACTORY_ADDRESS": "0x00000000000000000000000000000000000000f1"}, "CHAIN_ID is 1 but CHAIN=base is chain 8453: leave CHAIN_ID empty or make the two agree"},
		{map[string]string{"FINALITY": "final"}, `FINALITY must be finalized, safe or latest (latest − CONFIRMATIONS), got "final"`},
		{map[string]string{"PUBLIC_RPC_URL": "node:8545"}, `PUBLIC_RPC_URL must be an http(s) URL, got "node:8545"`},
		{map[string]string{"PUBLIC_RPC_URL": "https://mainnet.infura.io/v3/0123456789abcdef0123456789abcdef"}, "PUBLIC_RPC_URL is offered to every member's wallet, and https://mainnet.infura.io/v3/0123456789abcdef0123456789abcdef looks like it carries an API key"},
	} {
		_, err := parseConfig(context.Background(), envconfig.MapLookuper(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want an error containing %q", tc.env, err, tc.want)
		}
	}
}

// TestPublicRPCKeyLike: which RPC URLs read as carrying a credential, and so are never offered
// to wallets.
func TestPublicRPCKeyLike(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want bool
	}{
		{"https://mainnet.base.org", false},
		{"https://arb1.arbitrum.io/rpc", false},
		{"https://rpc.ankr.com/eth", false},
		{"https://polygon-amoy-bor-rpc.publicnode.com", false},
		{"https://node.example/arbitrum-sepolia-archive", false},
		{"https://node.example/v2/short1", false},
		{"http://127.0.0.1:8545", false},
		{"http://127.0.0.1:8545/", false},
		{"https://base-mainnet.g.alchemy.com/v2/AbCdEf1234567890ghijklmnopQRST", true},
		{"https://eth-mainnet.g.alchemy.com/v2/abcdefghijklmnopqrstuvwxyzABCDEF", true},
		{"https://mainnet.infura.io/v3/0123456789abcdef0123456789abcdef", true},
		{"https://rpc.ankr.com/eth/ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12", true},
		{"https://example.quiknode.pro/0123456789abcdef0123456789abcdef01234567/", true},
		{"https://node.example/rpc?apikey=abc", true},
		{"https://node.example/?key=x", true},
		{"https://user:secret@node.example", true},
		{"https://token@node.example", true},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := keyLike(u); got != tc.want {
			t.Errorf("keyLike(%s): got %v, want %v", tc.url, got, tc.want)
		}
	}
}

// TestPublicRPCWallet: the RPC URL the signing page offers wallets.
func TestPublicRPCWallet(t *testing.T) {
	factory := "0x00000000000000000000000000000000000000f1"
	for _, tc := range []struct {
		env      map[string]string
		want     string
		withheld bool
	}{
		{map[string]string{}, "", false}, // the embedded chain: the app offers its own URL
		{map[string]string{"ETH_RPC_URL": "http://127.0.0.1:8545", "FACTORY_ADDRESS": factory, "ASSETS": "ETH=native"}, "http://127.0.0.1:8545", false},
		{map[string]string{"ETH_RPC_URL": "https://mainnet.infura.io/v3/0123456789abcdef0123456789abcdef", "FACTORY_ADDRESS": factory, "ASSETS": "ETH=native"}, "", true},
		{map[string]string{"ETH_RPC_URL": "https://node.example/?apikey=x", "PUBLIC_RPC_URL": "https://public.example", "FACTORY_ADDRESS": factory, "ASSETS": "ETH=native"}, "https://public.example", false},
		{map[string]string{"CHAIN": "sepolia", "ETH_RPC_URL": "https://node.example/?apikey=x", "FACTORY_ADDRESS": factory}, "https://ethereum-sepolia-rpc.publicnode.com", false},
	} {
		got, withheld := testConfig(t, tc.env).walletRPC()
		if got != tc.want || withheld != tc.withheld {
			t.Errorf("%v: got %q (withheld %v), want %q (withheld %v)", tc.env, got, withheld, tc.want, tc.withheld)
		}
	}
}

// TestStartupPreset: on a chain a preset names, the bot checks that the preset's USDC answers
// as USDC with 6 decimals, offers wallets the preset's public RPC rather than ETH_RPC_URL, and
// hands the watcher the preset's finality. The dev chain stands in for a real one with a row of
// its own whose "USDC" is the dev chain's tUSD.
func TestStartupPreset(t *testing.T) {
	ctx := context.Background()
	node, err := devchain.Start(ctx, devchain.Options{Members: devMembers})
	if err != nil {
		t.Fatal(err)
	}
	defer node.Close()
	saved := presets
	t.Cleanup(func() { presets = saved })
	presets = append(presets[:len(presets):len(presets)], chainPreset{Name: "devtest", ChainID: devchain.ChainID, USDC: node.TestUSD().Hex(),
		Explorer: "https://explorer.devtest.example", RPC: "https://rpc.devtest.example", Finality: "finalized"})
	env := func(more map[string]string) map[string]string {
		out := map[string]string{"CHAIN": "devtest", "DATA_DIR": t.TempDir(), "LISTEN_ADDR": "127.0.0.1:0", "ETH_RPC_URL": node.URL(), "FACTORY_ADDRESS": node.Factory().Hex()}
		for k, v := range more {
			out[k] = v
		}
		return out
	}

	_, err = newApp(ctx, testConfig(t, env(nil)), "trustbot.db", false, io.Discard, slog.New(slog.DiscardHandler))
	wantStartupSentence(t, err, "CHAIN=devtest: the USDC at "+node.TestUSD().Hex()+` answers symbol "tUSD" with 6 decimals, not USDC with 6; set ASSETS to the asset to use`, "")

	a, err := newApp(ctx, testConfig(t, env(map[string]string{"ASSETS": "tUSD=" + node.TestUSD().Hex()})), "trustbot.db", false, io.Discard, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("with ASSETS: got %v, want a start", err)
	}
	defer a.Close()
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"wallet RPC", a.WalletRPC, "https://rpc.devtest.example"},
		{"node", a.RPCURL, node.URL()},
		{"finality", a.finality, "finalized"},
		{"explorer", a.cfg.ExplorerURL.String(), "https://explorer.devtest.example"},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.what, c.got, c.want)
		}
	}
}

// TestStartupPublicRPCWithheld: an ETH_RPC_URL that carries a key is not offered to wallets;
// the start logs a warning that names PUBLIC_RPC_URL.
func TestStartupPublicRPCWithheld(t *testing.T) {
	ctx := context.Background()
	node, err := devchain.Start(ctx, devchain.Options{Members: devMembers})
	if err != nil {
		t.Fatal(err)
	}
	defer node.Close()
	var logs strings.Builder
	cfg := testConfig(t, map[string]string{"DATA_DIR": t.TempDir(), "LISTEN_ADDR": "127.0.0.1:0", "ETH_RPC_URL": node.URL() + "/?apikey=0123456789abcdef",
		"FACTORY_ADDRESS": node.Factory().Hex(), "ASSETS": "tUSD=" + node.TestUSD().Hex()})
	a, err := newApp(ctx, cfg, "trustbot.db", false, io.Discard, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatalf("got %v, want a start", err)
	}
	defer a.Close()
	if a.WalletRPC != "" {
		t.Errorf("wallet RPC: got %q, want none", a.WalletRPC)
	}
	if want := "set PUBLIC_RPC_URL to a public endpoint"; !strings.Contains(logs.String(), want) || strings.Contains(logs.String(), "0123456789abcdef") {
		t.Errorf("log: got %q, want a warning containing %q and not the key", logs.String(), want)
	}
}
