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
	_, budget, err := h.v.Account(ctx, res.Address, to)
	if err != nil {
		return nil, err
	}
	after := new(big.Int).Add(res.Outstanding, amount)
	money := trustbot.Money(amount, t.Decimals, t.Symbol)
	// The budget grows by amount: a member already trusted hears the before and after.
	summary := fmt.Sprintf("Trust @%s with %s.", m.Name, money)
	what := fmt.Sprintf("extend %s a budget of %s", m.Mention(), money)
	if budget.Sign() > 0 {
		newBudget := new(big.Int).Add(budget, amount)
		summary = fmt.Sprintf("Add %s to @%s's budget.", money, m.Name)
		what = fmt.Sprintf("add %s to %s's budget: %s → %s", money, m.Mention(), trustbot.FormatAmount(budget, t.Decimals), trustbot.FormatAmount(newBudget, t.Decimals))
	}
	text := fmt.Sprintf("Sign to %s (your reserve: %s backing, %s outstanding → %s, %s).",
		what, trustbot.Money(res.Reserve, t.Decimals, t.Symbol),
		trustbot.FormatAmount(res.Outstanding, t.Decimals), trustbot.FormatAmount(after, t.Decimals), coverage(res.Reserve, after))
	return h.sign(ctx, r, issuer, "trust", summary, text, []trustbot.Call{chain.Trust(res.Address, to, amount)}, nil)
}
