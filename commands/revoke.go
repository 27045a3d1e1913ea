package commands

import (
	"context"
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/trustbot/trustbot"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot/chain"
)

func (h *handlers) revokeDef() Definition {
	return Definition{
		Name: "revoke", Description: "Revoke trust: cut a member's budget and burn their tokens", Chain: true, handler: (*handlers).revoke,
		Options: []OptionDef{
			{Name: "member", Description: "whose trust", Type: User, Required: true},
			{Name: "amount", Description: "how much (default: all of it)", Type: String},
			{Name: "asset", Description: "which of your reserves", Type: String, Autocomplete: true},
		},
	}
}

func (h *handlers) revoke(ctx context.Context, r *Request) (*Reply, error) {
	m := r.MemberOption("member")
	if m.ID == r.User.ID {
		return nil, trustbot.Errorf(trustbot.EInvalid, "You can't revoke yourself; to take backing out, use /reserve withdraw.")
	}
	issuer, res, err := h.myReserve(ctx, r)
	if err != nil {
		return nil, err
	}
	holderAddr, err := h.wallet(ctx, *m, false)
	if err != nil {
		return nil, err
	}
	t := res.AssetToken
	bal, budget, err := h.v.Account(ctx, res.Address, holderAddr)
	if err != nil {
		return nil, err
	}
	// The member's own reserve backed by this one: the tokens they deposited as backing sit
	// there, and a revoke burns them too, after the ones in their wallet.
	layer, err := h.v.ReserveOf(ctx, holderAddr, res.Address)
	if err != nil {
		return nil, err
	}
	layerBal := new(big.Int)
	if layer.Exists {
		if layerBal, _, err = h.v.Account(ctx, res.Address, layer.Address); err != nil {
			return nil, err
		}
	}
	if bal.Sign() == 0 && budget.Sign() == 0 && layerBal.Sign() == 0 {
		return nil, trustbot.Errorf(trustbot.EInvalid, "You never trusted %s (no budget and no tokens of yours): nothing to revoke.", m.Mention())
	}
	var amount *big.Int // nil: all
	burn, newBudget := new(big.Int).Set(bal), new(big.Int)
	layerBurn := new(big.Int).Set(layerBal)
	if text := r.Option("amount"); text != "" {
		if amount, err = trustbot.ParseAmount(text, t.Decimals, t.Symbol); err != nil {
			return nil, err
		}
		// More than the budget and every token the member holds of this reserve would act as
		// "all of it" now, but not if balances move before it is mined: refuse it, so a typo
		// (500 for 50) burns nothing, and point at the command that means all.
		held := new(big.Int).Add(bal, layerBal)
		if held.Cmp(budget) > 0 && amount.Cmp(held) > 0 {
			return nil, trustbot.Errorf(trustbot.EInvalid, "You can revoke at most %s of %s's trust, the tokens of yours they hold; /revoke %s takes all of it.",
				trustbot.FormatAmount(held, t.Decimals), m.Mention(), m.Mention())
		}
		if held.Cmp(budget) <= 0 && amount.Cmp(budget) > 0 {
			return nil, trustbot.Errorf(trustbot.EInvalid, "You can revoke at most %s of %s's budget; /revoke %s takes all of it.",
				trustbot.FormatAmount(budget, t.Decimals), m.Mention(), m.Mention())
		}
		if amount.Cmp(bal) < 0 {
			burn.Set(amount)
		}
		if amount.Cmp(budget) < 0 {
			newBudget.Sub(budget, amount)
		}
		layerBurn = minBig(new(big.Int).Sub(amount, burn), layerBal)
	}
	calls := []trustbot.Call{chain.Revoke(res.Address, holderAddr, amount)}
	if layerBurn.Sign() > 0 {
		calls = append(calls, chain.Revoke(res.Address, layer.Address, layerBurn))
	}
	total := new(big.Int).Add(burn, layerBurn)
	after := new(big.Int).Sub(res.Outstanding, total)
	what := "all trust"
	summary := fmt.Sprintf("Revoke all of @%s's trust.", m.Name)
	if amount != nil {
		what = trustbot.Money(amount, t.Decimals, t.Symbol) + " of trust"
		summary = fmt.Sprintf("Revoke %s of @%s's trust.", trustbot.Money(amount, t.Decimals, t.Symbol), m.Name)
	}
	// The summary is the "Confirmed" line: what was asked. What burned is the chain's to say,
	// and the notice says it from the events.
	text := fmt.Sprintf("Sign to revoke %s from %s: their budget goes %s → %s", what, m.Mention(),
		trustbot.FormatAmount(budget, t.Decimals), trustbot.FormatAmount(newBudget, t.Decimals))
	if budget.Sign() == 0 {
		text = fmt.Sprintf("Sign to revoke %s from %s: they have no budget", what, m.Mention())
	}
	backingBurn := fmt.Sprintf("%s of the %s %s backing their reserve", trustbot.FormatAmount(layerBurn, t.Decimals), trustbot.FormatAmount(layerBal, t.Decimals), res.Symbol)
	backingAfter := fmt.Sprintf(" (%s → %s)", trustbot.FormatAmount(layerBal, t.Decimals), trustbot.FormatAmount(new(big.Int).Sub(layerBal, layerBurn), t.Decimals))
	switch {
	case bal.Sign() > 0:
		text += fmt.Sprintf(" and %s of their %s tokens are burned", trustbot.FormatAmount(burn, t.Decimals), trustbot.FormatAmount(bal, t.Decimals))
		if layerBurn.Sign() > 0 {
			text += ", and so are " + backingBurn + backingAfter
		}
	case layerBurn.Sign() > 0:
		text += "; their wallet holds none of your tokens, and " + backingBurn + " are burned" + backingAfter
	default:
		text += "; they hold none of your tokens, so none are burned"
	}
	text += fmt.Sprintf("; outstanding %s → %s, %s.", trustbot.FormatAmount(res.Outstanding, t.Decimals), trustbot.FormatAmount(after, t.Decimals), coverage(res.Reserve, after))
	burns := map[common.Address]*big.Int{holderAddr: burn}
	if layer.Exists {
		burns[layer.Address] = layerBurn
	}
	preview, err := h.revokePreview(ctx, res, holderAddr, burns)
	if err != nil {
		return nil, err
	}
	text += "\n" + preview
	return h.sign(ctx, r, issuer, "revoke", summary, text, calls, nil)
}

// revokePreview says who downstream loses how much redeemable credit when burns[account] of
// res's tokens are burned: ComputeCredit on the graph now and on the graph after the revoke,
// one line per member (other than the revoked holder) whose credit in res's base asset changes.
func (h *handlers) revokePreview(ctx context.Context, res chain.ReserveInfo, holderAddr common.Address, burns map[common.Address]*big.Int) (string, error) {
	g, infos, err := h.creditGraph(ctx)
	if err != nil {
		return "", err
	}
	if _, ok := infos[res.Address]; !ok {
		return "Nobody downstream loses credit.", nil
	}
	return revokePreviewText(g, infos, res.Address, holderAddr, burns, func(a common.Address) string { return h.memberOf(ctx, a) }), nil
}

// revokeAfter is g with burns[account] of reserve's tokens burned (each at most the balance).
func revokeAfter(g CreditGraph, reserve common.Address, burns map[common.Address]*big.Int) CreditGraph {
	after := CreditGraph{Reserves: g.Reserves, Balances: map[common.Address]map[common.Address]*big.Int{}}
	for ra, bals := range g.Balances {
		after.Balances[ra] = bals
	}
	bals := map[common.Address]*big.Int{}
	for a, v := range g.Balances[reserve] {
		bals[a] = v
	}
	for a, b := range burns {
		cur := bals[a]
		if cur == nil || b == nil || b.Sign() <= 0 {
			continue
		}
		bals[a] = new(big.Int).Sub(cur, minBig(b, cur))
	}
	after.Balances[reserve] = bals
	return after
}

// revokePreviewText compares every non-reserve account's credit in the revoked reserve's base
// asset before and after: "@carol: 15 → 5 tUSD through @bob".
func revokePreviewText(g CreditGraph, infos map[common.Address]chain.ReserveInfo, reserve, holderAddr common.Address,
	burns map[common.Address]*big.Int, name func(common.Address) string) string {
	ix := indexCredit(g)
	_, base, ok := ix.path(reserve)
	if !ok {
		return "Nobody downstream loses credit."
	}
	baseTok := baseOf(infos, base)
	before, after := ComputeCredit(g), ComputeCredit(revokeAfter(g, reserve, burns))
	accounts := map[common.Address]bool{}
	for a := range before {
		accounts[a] = true
	}
	for a := range after {
		accounts[a] = true
	}
	var list []common.Address
	for a := range accounts {
		if _, isReserve := ix.byAddr[a]; !isReserve && a != holderAddr {
			list = append(list, a)
		}
	}
	sort.Slice(list, func(i, j int) bool { return strings.Compare(list[i].Hex(), list[j].Hex()) < 0 })
	total := func(c *Credit) *big.Int {
		if c == nil || c.Total[base] == nil {
			return new(big.Int)
		}
		return c.Total[base]
	}
	type change struct{ name, line string }
	var changes []change
	for _, a := range list {
		b, aft := total(before[a]), total(after[a])
		if b.Cmp(aft) == 0 {
			continue
		}
		// The layers above the revoked reserve on the lines that lose.
		var through []string
		seen := map[common.Address]bool{}
		if c := before[a]; c != nil {
			for _, l := range c.Lines {
				if !containsAddr(l.Path, reserve) {
					continue
				}
				for _, p := range l.Path {
					if p == reserve {
						break
					}
					if iss := ix.byAddr[p].Issuer; !seen[iss] {
						seen[iss] = true
						through = append(through, name(iss))
					}
				}
			}
		}
		who := name(a)
		line := fmt.Sprintf("%s: %s → %s", who, trustbot.FormatAmount(b, baseTok.Decimals), trustbot.Money(aft, baseTok.Decimals, baseTok.Symbol))
		if len(through) > 0 {
			line += " through " + strings.Join(through, " and ")
		}
		changes = append(changes, change{who, line})
	}
	sort.SliceStable(changes, func(i, j int) bool { return changes[i].name < changes[j].name })
	var lines []string
	for _, c := range changes {
		lines = append(lines, c.line)
	}
	if len(lines) == 0 {
		return "Nobody downstream loses credit."
	}
	return "Downstream, redeemable credit changes: " + strings.Join(lines, "; ") + "."
}

func containsAddr(list []common.Address, a common.Address) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}
