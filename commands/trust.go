package commands

import (
	"context"
	"fmt"
	"math/big"

	"github.com/trustbot/trustbot"

	"github.com/trustbot/trustbot/chain"
)

func (h *handlers) trustDef() Definition {
	return Definition{
		Name: "trust", Description: "Extend a member a budget of your trust tokens", Chain: true, handler: (*handlers).trust,
		Options: []OptionDef{
			{Name: "member", Description: "whom you trust", Type: User, Required: true},
			{Name: "amount", Description: "how much, e.g. 50", Type: String, Required: true},
			{Name: "asset", Description: "which of your reserves (default: the first asset)", Type: String, Autocomplete: true},
		},
	}
}

func (h *handlers) trust(ctx context.Context, r *Request) (*Reply, error) {
	m := r.MemberOption("member")
	if m.ID == r.User.ID {
		return nil, trustbot.Errorf(trustbot.EInvalid, "You can't trust yourself: your reserve is already yours to withdraw.")
	}
	issuer, res, err := h.myReserve(ctx, r)
	if err != nil {
		return nil, err
	}
	to, err := h.wallet(ctx, *m, false)
	if err != nil {
		return nil, err
	}
	t := res.AssetToken
	amount, err := trustbot.ParseAmount(r.Option("amount"), t.Decimals, t.Symbol)
	if err != nil {
		return nil, err
	}
	if to == issuer {
		return nil, trustbot.Errorf(trustbot.EInvalid, "%s's wallet is your own wallet; trust someone else.", m.Mention())
	}
	after := new(big.Int).Add(res.Outstanding, amount)
	summary := fmt.Sprintf("%s extends %s a budget of %s.", r.User.Name, m.Name, trustbot.Money(amount, t.Decimals, t.Symbol))
	text := fmt.Sprintf("Sign to extend %s a budget of %s (your reserve: %s backing, %s outstanding → %s, %s).",
		m.Mention(), trustbot.Money(amount, t.Decimals, t.Symbol), trustbot.Money(res.Reserve, t.Decimals, t.Symbol),
		trustbot.FormatAmount(res.Outstanding, t.Decimals), trustbot.FormatAmount(after, t.Decimals), coverage(res.Reserve, after))
	return h.sign(ctx, r, issuer, "trust", summary, text, []trustbot.Call{chain.Trust(res.Address, to, amount)}, nil)
}
