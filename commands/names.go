package commands

import (
	"context"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
)

// pageNames are the names the signing page shows for calls signed by signer: a label for each
// address the calls touch that the bot can name from the snapshot and the members the request
// names ("your wallet", "@bob", "your ALICE-tUSD reserve", "the tUSD token"), and the token each
// call's amounts count. It reads no chain: an address it cannot name is left to the page, which
// shortens it.
func (h *handlers) pageNames(ctx context.Context, r *Request, signer common.Address, calls []trustbot.Call, known ...trustbot.Member) (map[common.Address]string, []trustbot.Token) {
	names := map[string]string{r.User.ID: r.User.Name}
	for _, m := range known {
		if m.Name != "" {
			names[m.ID] = m.Name
		}
	}
	for _, o := range r.Options {
		if o.Member != nil && o.Member.Name != "" {
			names[o.Member.ID] = o.Member.Name
		}
	}
	at := func(id string) string {
		if n := strings.TrimLeft(names[id], "@"); n != "" {
			return "@" + n
		}
		return ""
	}
	label := func(a common.Address) string {
		switch {
		case a == signer:
			return "your wallet"
		case a == h.Chain.Factory():
			return "the reserve factory"
		}
		if res, err := h.v.ReserveAt(ctx, a); err == nil {
			switch who := at(h.v.Owner(ctx, res.Issuer)); {
			case res.Issuer == signer:
				return "your " + res.Symbol + " reserve"
			case who != "":
				return who + "'s " + res.Symbol + " reserve"
			default:
				return "the " + res.Symbol + " reserve"
			}
		}
		if t, ok := h.knownToken(ctx, a); ok {
			return "the " + t.Symbol + " token"
		}
		return at(h.v.Owner(ctx, a))
	}
	labels := map[common.Address]string{}
	add := func(a common.Address) {
		if _, done := labels[a]; done || a == (common.Address{}) || len(labels) == trustbot.MaxLabels {
			return
		}
		if l := label(a); l != "" {
			labels[a] = l
		}
	}
	units := make([]trustbot.Token, len(calls))
	for i, c := range calls {
		add(c.To)
		d, err := chain.DecodeCall(c)
		if err != nil {
			continue
		}
		for _, arg := range d.Args {
			switch arg.Type {
			case "address":
				add(common.HexToAddress(arg.Value))
			case "address[]":
				for _, v := range strings.Split(strings.Trim(arg.Value, "[]"), ", ") {
					if common.IsHexAddress(v) {
						add(common.HexToAddress(v))
					}
				}
			}
		}
		units[i] = h.unitOf(ctx, c.To, d.Method)
	}
	return labels, units
}

// unitOf is the token the amounts of a call of method to `to` count: a reserve's own token for
// what moves its tokens (redeem, transfer, approve), its asset for the rest (trust, re-up,
// revoke, deposit, withdraw: budgets and backing, counted in the asset); a token's own units.
func (h *handlers) unitOf(ctx context.Context, to common.Address, method string) trustbot.Token {
	if res, err := h.v.ReserveAt(ctx, to); err == nil {
		switch method {
		case "redeem", "redeemDeep", "transfer", "transferFrom", "approve":
			return trustbot.Token{Address: res.Address, Symbol: res.Symbol, Decimals: res.Decimals}
		}
		return res.AssetToken
	}
	t, _ := h.knownToken(ctx, to)
	return t
}

// knownToken is a configured asset or a known reserve's asset, without asking the chain.
func (h *handlers) knownToken(ctx context.Context, a common.Address) (trustbot.Token, bool) {
	for _, t := range h.Assets {
		if t.Address == a && !t.Native() {
			return t, true
		}
	}
	rs, err := h.v.Reserves(ctx)
	if err != nil {
		return trustbot.Token{}, false
	}
	for _, r := range rs {
		if r.Asset.Address == a && r.Asset.Symbol != "" && !r.Asset.Native() {
			return r.Asset, true
		}
	}
	return trustbot.Token{}, false
}
