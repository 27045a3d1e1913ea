package commands

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
)

func (h *handlers) balanceDef() Definition {
	return Definition{
		Name: "balance", Description: "Trust tokens held, budgets given, and what is redeemable now", Chain: true, handler: (*handlers).balance,
		Options: []OptionDef{{Name: "member", Description: "whose (default: yours)", Type: User}},
	}
}

func (h *handlers) balance(ctx context.Context, r *Request) (*Reply, error) {
	m := r.User
	if o := r.MemberOption("member"); o != nil {
		m = *o
	}
	addr, err := h.wallet(ctx, m, m.ID == r.User.ID)
	if err != nil {
		return nil, err
	}
	hs, err := h.holdings(ctx, addr)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s):", m.Mention(), trustbot.ShortAddress(addr))
	if len(hs) == 0 {
		b.WriteString("\nHolds no trust tokens.")
	}
	// What /redeem pays now: a layer's tokens unwind to the base asset, bounded by every layer.
	var lines map[common.Address]CreditLine
	var infos map[common.Address]chain.ReserveInfo
	if len(hs) > 0 {
		g, in, err := h.creditGraph(ctx)
		if err != nil {
			return nil, err
		}
		infos, lines = in, map[common.Address]CreditLine{}
		if c := ComputeCredit(g)[addr]; c != nil {
			for _, l := range c.Lines {
				lines[l.Reserve] = l
			}
		}
	}
	for _, x := range hs {
		redeemable := trustbot.Amt(minBig(x.balance, x.res.Reserve), x.res.AssetToken)
		if l, ok := lines[x.res.Address]; ok && len(l.Path) > 0 {
			redeemable = trustbot.Amt(l.Amount, baseOf(infos, l.Base))
		}
		budget := fmt.Sprintf("holds %s of a %s budget", trustbot.FormatAmount(x.balance, x.res.Decimals), trustbot.FormatAmount(x.budget, x.res.Decimals))
		if x.budget.Sign() == 0 {
			budget = fmt.Sprintf("holds %s, with no budget", trustbot.FormatAmount(x.balance, x.res.Decimals))
		}
		fmt.Fprintf(&b, "\n• %s from %s: %s; redeemable now %s.", x.res.Symbol, h.memberOf(ctx, x.res.Issuer), budget, redeemable)
	}
	known, err := h.v.Reserves(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range known {
		if k.Issuer != addr {
			continue
		}
		res, err := h.v.ReserveAt(ctx, k.Address)
		if err != nil {
			return nil, err
		}
		holders, err := h.holders(ctx, res.Address)
		if err != nil {
			return nil, err
		}
		// A holder is someone given a budget: tokens sent on, or backing a layer, are not.
		budgets, trusted := new(big.Int), 0
		for _, x := range holders {
			if x.budget.Sign() > 0 {
				budgets.Add(budgets, x.budget)
				trusted++
			}
		}
		given := "no budgets given"
		if trusted > 0 {
			given = fmt.Sprintf("budgets of %s given to %s", trustbot.FormatAmount(budgets, res.Decimals), plural(trusted, "holder"))
		}
		fmt.Fprintf(&b, "\n• Issues %s: %s; %s.", res.Symbol, given, reserveLine(res))
	}
	return &Reply{Text: b.String(), Private: true}, nil
}
