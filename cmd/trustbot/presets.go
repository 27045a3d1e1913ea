package main

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/index"
)

// chainPreset is what CHAIN sets: the chain's id, Circle's native USDC as the default asset,
// the explorer, a public RPC endpoint (the node when ETH_RPC_URL is empty, and the one wallets
// are offered), and the finality the watcher waits for: a block tag, or latest − Confirmations
// when Finality is "latest".
type chainPreset struct {
	Name          string
	ChainID       uint64
	USDC          string
	Explorer      string
	RPC           string
	Finality      string
	Confirmations uint64
}

// presets are the chains CHAIN names; adding one is one row here and one in TestPresets.
//
// USDC: Circle's native USDC, https://developers.circle.com/stablecoins/usdc-contract-addresses,
// as transcribed in github.com/tristeroresearch/chainconfig usdc.mjs (mainnets) and
// developer.interlace.money/docs/usdc-on-testing-networks (testnets), which agree with each other.
// Finality: Ethereum and Sepolia wait for the finalized checkpoint; the OP Stack and Arbitrum
// chains for "safe", an L2 block whose data is on L1 (it reorgs only with L1); Polygon PoS for
// "finalized", its milestones (PIP-11, Polygon-Improvement-Proposals/PIPs/PIP-11.md).
var presets = []chainPreset{
	{"ethereum", 1, "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", "https://etherscan.io", "https://ethereum-rpc.publicnode.com", index.FinalizedTag, 0},
	{"sepolia", 11155111, "0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238", "https://sepolia.etherscan.io", "https://ethereum-sepolia-rpc.publicnode.com", index.FinalizedTag, 0},
	{"base", 8453, "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913", "https://basescan.org", "https://mainnet.base.org", index.SafeTag, 0},
	{"base-sepolia", 84532, "0x036CbD53842c5426634e7929541eC2318f3dCF7e", "https://sepolia.basescan.org", "https://sepolia.base.org", index.SafeTag, 0},
	{"optimism", 10, "0x0b2C639c533813f4Aa9D7837CAf62653d097Ff85", "https://optimistic.etherscan.io", "https://mainnet.optimism.io", index.SafeTag, 0},
	{"op-sepolia", 11155420, "0x5fd84259d66Cd46123540766Be93DFE6D43130D7", "https://sepolia-optimism.etherscan.io", "https://sepolia.optimism.io", index.SafeTag, 0},
	{"arbitrum", 42161, "0xaf88d065e77c8cC2239327C5EDb3A432268e5831", "https://arbiscan.io", "https://arb1.arbitrum.io/rpc", index.SafeTag, 0},
	{"arbitrum-sepolia", 421614, "0x75faf114eafb1BDbe2F0316DF893fd58CE46AA4d", "https://sepolia.arbiscan.io", "https://sepolia-rollup.arbitrum.io/rpc", index.SafeTag, 0},
	{"polygon", 137, "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359", "https://polygonscan.com", "https://polygon-rpc.com", index.FinalizedTag, 0},
	{"polygon-amoy", 80002, "0x41E94Eb019C0762f9Bfcf9Fb1E58725BfB0e7582", "https://amoy.polygonscan.com", "https://rpc-amoy.polygon.technology", index.FinalizedTag, 0},
}

// presetNames lists the known CHAIN values, for the sentence that refuses another.
func presetNames() string {
	names := make([]string, len(presets))
	for i, p := range presets {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

// chainName is CHAIN: a preset by name, nil when unset.
type chainName struct{ *chainPreset }

func (c *chainName) EnvDecode(_ context.Context, s string) error {
	*c = chainName{}
	if s == "" {
		return nil
	}
	for i := range presets {
		if strings.EqualFold(presets[i].Name, strings.TrimSpace(s)) {
			p := presets[i]
			c.chainPreset = &p
			return nil
		}
	}
	return refuse("CHAIN must be one of %s, got %q", presetNames(), s)
}

// finality is FINALITY: "finalized" or "safe" (the node's block of that tag), "latest"
// (latest − CONFIRMATIONS), or "" (the preset's, else latest).
type finality string

func (f *finality) EnvDecode(_ context.Context, s string) error {
	switch v := strings.ToLower(strings.TrimSpace(s)); v {
	case "", index.FinalizedTag, index.SafeTag, "latest":
		*f = finality(v)
		return nil
	}
	return refuse("FINALITY must be finalized, safe or latest (latest − CONFIRMATIONS), got %q", s)
}

// publicRPCURL is PUBLIC_RPC_URL, the RPC endpoint the signing page offers wallets.
type publicRPCURL struct{ httpURL }

func (u *publicRPCURL) EnvDecode(_ context.Context, s string) error {
	if err := u.decode(s, func(*url.URL) bool { return true }, "PUBLIC_RPC_URL must be an http(s) URL, got %q"); err != nil {
		return err
	}
	if u.IsSet() && keyLike(u.url) {
		return refuse("PUBLIC_RPC_URL is offered to every member's wallet, and %s looks like it carries an API key or password (a query, a password, or a long token in its path): give a public endpoint", u.Redacted())
	}
	return nil
}

// tokenSegment is a path segment that reads as a token: 20 or more letters, digits, - and _.
var tokenSegment = regexp.MustCompile(`^[A-Za-z0-9_-]{20,}$`)

// keyLike reports whether an RPC URL looks like it carries a credential: a user or password,
// any query (?apikey=…, ?key=…), or a path segment that reads as a token (20 or more letters,
// digits, - and _, with a digit or both cases, as in /v2/<key> or /v3/<project id>).
func keyLike(u *url.URL) bool {
	if u.User != nil || u.RawQuery != "" {
		return true
	}
	for _, seg := range strings.Split(u.EscapedPath(), "/") {
		if !tokenSegment.MatchString(seg) {
			continue
		}
		if strings.ContainsAny(seg, "0123456789") || (strings.ToLower(seg) != seg && strings.ToUpper(seg) != seg) {
			return true
		}
	}
	return false
}

// walletRPC is the RPC URL the signing page offers wallets for wallet_addEthereumChain:
// PUBLIC_RPC_URL, else the preset's public RPC, else ETH_RPC_URL unless it looks like it
// carries a key (then none, and withheld is true). Empty for the embedded chain, whose own URL
// the app offers.
func (c *Config) walletRPC() (rpc string, withheld bool) {
	switch {
	case c.PublicRPCURL.IsSet():
		return c.PublicRPCURL.String(), false
	case c.Chain.chainPreset != nil:
		return c.Chain.RPC, false
	case !c.EthRPCURL.IsSet():
		return "", false
	case keyLike(c.EthRPCURL.url):
		return "", true
	}
	return c.EthRPCURL.String(), false
}

// applyPreset fills the settings CHAIN sets and that are unset: CHAIN_ID, ASSETS, EXPLORER_URL,
// ETH_RPC_URL and FINALITY (and CONFIRMATIONS, for a preset of latest − its depth). set reports
// whether a setting was given.
func (c *Config) applyPreset(set func(string) bool) error {
	p := c.Chain.chainPreset
	if p == nil {
		if c.Finality == "" {
			c.Finality = "latest"
		}
		return nil
	}
	if c.ChainID == 0 {
		c.ChainID = p.ChainID
	}
	if len(c.Assets) == 0 {
		c.Assets = assetList{{Symbol: "USDC", Address: common.HexToAddress(p.USDC)}}
		c.presetUSDC = true
	}
	if !c.ExplorerURL.IsSet() {
		if err := c.ExplorerURL.EnvDecode(context.Background(), p.Explorer); err != nil {
			return err
		}
	}
	if !c.EthRPCURL.IsSet() {
		if err := c.EthRPCURL.EnvDecode(context.Background(), p.RPC); err != nil {
			return err
		}
	}
	if c.Finality == "" {
		c.Finality = finality(p.Finality)
	}
	if c.Finality == "latest" && p.Finality == "latest" && !set("CONFIRMATIONS") {
		c.Confirmations = p.Confirmations
	}
	return nil
}

// indexFinality is the watcher's Finality option: the block tag, or "" for latest −
// CONFIRMATIONS.
func (c *Config) indexFinality() string {
	if c.Finality == "latest" {
		return ""
	}
	return string(c.Finality)
}

// checkPresetUSDC checks that the USDC CHAIN made the default asset answers as USDC with 6
// decimals: a wrong row or a chain that is not what CHAIN says stops the start in a sentence.
func (c *Config) checkPresetUSDC(ctx context.Context, cl *chain.Client) error {
	if !c.presetUSDC {
		return nil
	}
	addr := common.HexToAddress(c.Chain.USDC)
	t, err := cl.Token(ctx, addr)
	if err != nil {
		return &startupError{msg: fmt.Sprintf("CHAIN=%s: USDC %s does not answer as a token on chain %d (%s); set ASSETS to the asset to use", c.Chain.Name, addr.Hex(), c.Chain.ChainID, strings.TrimSuffix(trustbot.ErrorMessage(err), ".")), err: err}
	}
	if t.Symbol != "USDC" || t.Decimals != 6 {
		return &startupError{msg: fmt.Sprintf("CHAIN=%s: the USDC at %s answers symbol %q with %d decimals, not USDC with 6; set ASSETS to the asset to use", c.Chain.Name, addr.Hex(), t.Symbol, t.Decimals)}
	}
	return nil
}
