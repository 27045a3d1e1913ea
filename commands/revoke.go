package commands

import (
	"context"
	"fmt"
	"math/big"

	"github.com/trustbot/trustbot/chain"
)

func (h *handlers) revokeDef() Definition {
	return Definition{
		Name: "revoke", Description: "Revoke trust: cut a member's budget and burn their tokens", Chain: true, handler: h.revoke,
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
		return nil, Errorf(EInvalid, "You can't revoke yourself; to take backing out, use /reserve withdraw.")
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
	bal, budget, err := h.Chain.Account(ctx, res.Address, holderAddr)
	if err != nil {
		return nil, err
	}
	if bal.Sign() == 0 && budget.Sign() == 0 {
		return nil, Errorf(EInvalid, "You never trusted %s (no budget and no tokens of yours): nothing to revoke.", m.Mention())
	}
	var amount *big.Int // nil: all
	burn, newBudget := new(big.Int).Set(bal), new(big.Int)
	if text := r.Option("amount"); text != "" {
		if amount, err = ParseAmount(text, t.Decimals, t.Symbol); err != nil {
			return nil, err
		}
		if amount.Cmp(bal) < 0 {
			burn.Set(amount)
		}
		if amount.Cmp(budget) < 0 {
			newBudget.Sub(budget, amount)
		}
	}
	after := new(big.Int).Sub(res.Outstanding, burn)
	what := "all trust"
	if amount != nil {
		what = Money(amount, t.Decimals, t.Symbol) + " of trust"
	}
	summary := fmt.Sprintf("%s revokes %s from %s: budget %s → %s, %s tokens burned.", r.User.Name, what, m.Name,
		FormatAmount(budget, t.Decimals), FormatAmount(newBudget, t.Decimals), FormatAmount(burn, t.Decimals))
	text := fmt.Sprintf("Sign to revoke %s from %s: their budget goes %s → %s and %s of their %s tokens are burned (outstanding %s → %s, %s).",
		what, m.Mention(), FormatAmount(budget, t.Decimals), FormatAmount(newBudget, t.Decimals), FormatAmount(burn, t.Decimals),
		FormatAmount(bal, t.Decimals), FormatAmount(res.Outstanding, t.Decimals), FormatAmount(after, t.Decimals), coverage(res.Reserve, after))
	return h.sign(ctx, r, issuer, "revoke", summary, text, []chain.Call{chain.Revoke(res.Address, holderAddr, amount)}, nil)
}
