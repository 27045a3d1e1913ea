package commands

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/trustbot/trustbot"
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
	for _, x := range hs {
		redeemable := new(big.Int).Set(x.balance)
		if x.res.Reserve.Cmp(redeemable) < 0 {
			redeemable.Set(x.res.Reserve)
		}
		fmt.Fprintf(&b, "\n• %s from %s: holds %s of a %s budget; redeemable now %s.",
			x.res.Symbol, h.memberOf(ctx, x.res.Issuer), trustbot.FormatAmount(x.balance, x.res.Decimals),
			trustbot.FormatAmount(x.budget, x.res.Decimals), trustbot.Money(redeemable, x.res.AssetToken.Decimals, x.res.AssetToken.Symbol))
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
		budgets := new(big.Int)
		for _, x := range holders {
			budgets.Add(budgets, x.budget)
		}
		fmt.Fprintf(&b, "\n• Issues %s: budgets of %s given to %s; %s.", res.Symbol, trustbot.FormatAmount(budgets, res.Decimals),
			plural(len(holders), "holder"), reserveLine(res))
	}
	return &Reply{Text: b.String(), Private: true}, nil
}
