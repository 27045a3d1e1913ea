package commands

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/trustbot/trustbot"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot/chain"
)

func (h *handlers) reupDef() Definition {
	return Definition{
		Name: "reup", Description: "Restore spent budgets: one member, or everyone below budget", Chain: true, handler: (*handlers).reup,
		Options: []OptionDef{
			{Name: "member", Description: "whose budget (default: everyone below budget)", Type: User},
			{Name: "asset", Description: "which of your reserves", Type: String, Autocomplete: true},
		},
	}
}

func (h *handlers) reup(ctx context.Context, r *Request) (*Reply, error) {
	issuer, res, err := h.myReserve(ctx, r)
	if err != nil {
		return nil, err
	}
	t := res.AssetToken
	type gap struct {
		who  string
		name string
		addr common.Address
		mint *big.Int
	}
	var gaps []gap
	if m := r.MemberOption("member"); m != nil {
		addr, err := h.wallet(ctx, *m, false)
		if err != nil {
			return nil, err
		}
		bal, budget, err := h.v.Account(ctx, res.Address, addr)
		if err != nil {
			return nil, err
		}
		if budget.Sign() == 0 {
			return nil, trustbot.Errorf(trustbot.EInvalid, "You haven't trusted %s, so there is no budget to restore — use /trust.", m.Mention())
		}
		if bal.Cmp(budget) >= 0 {
			return nil, trustbot.Errorf(trustbot.EInvalid, "%s holds %s of a %s budget: nothing to re-up.", m.Mention(), trustbot.FormatAmount(bal, t.Decimals), trustbot.Money(budget, t.Decimals, t.Symbol))
		}
		gaps = append(gaps, gap{m.Mention(), "@" + m.Name, addr, new(big.Int).Sub(budget, bal)})
	} else {
		hs, err := h.holders(ctx, res.Address)
		if err != nil {
			return nil, err
		}
		for _, x := range hs {
			if x.balance.Cmp(x.budget) < 0 {
				gaps = append(gaps, gap{h.memberOf(ctx, x.addr), trustbot.ShortAddress(x.addr), x.addr, new(big.Int).Sub(x.budget, x.balance)})
			}
		}
		if len(gaps) == 0 {
			return nil, trustbot.Errorf(trustbot.EInvalid, "Everyone you trust holds their full budget: nothing to re-up.")
		}
	}
	total := new(big.Int)
	var parts, named []string
	for _, g := range gaps {
		total.Add(total, g.mint)
		parts = append(parts, fmt.Sprintf("%s +%s", g.who, trustbot.FormatAmount(g.mint, t.Decimals)))
		named = append(named, fmt.Sprintf("%s +%s", g.name, trustbot.FormatAmount(g.mint, t.Decimals)))
	}
	var call trustbot.Call
	if len(gaps) == 1 {
		call = chain.Reup(res.Address, gaps[0].addr, gaps[0].mint)
	} else {
		addrs := make([]common.Address, len(gaps))
		mints := make([]*big.Int, len(gaps))
		for i, g := range gaps {
			addrs[i], mints[i] = g.addr, g.mint
		}
		call = chain.ReupMany(res.Address, addrs, mints)
	}
	after := new(big.Int).Add(res.Outstanding, total)
	// The summary is read outside the chat (the signing page, "Confirmed"), where a mention does
	// not render and only the member option carries a name.
	summary := fmt.Sprintf("Re-up %s (%s in all).", strings.Join(named, ", "), trustbot.Money(total, t.Decimals, t.Symbol))
	if r.MemberOption("member") == nil {
		summary = fmt.Sprintf("Re-up everyone below budget: %s, %s in all.", plural(len(gaps), "holder"), trustbot.Money(total, t.Decimals, t.Symbol))
	}
	text := fmt.Sprintf("Sign to re-up %s: %s in all (your reserve: %s backing, %s outstanding → %s, %s). Each mint is capped at the amount shown, so nobody gets more if balances move meanwhile.",
		strings.Join(parts, ", "), trustbot.Money(total, t.Decimals, t.Symbol), trustbot.Money(res.Reserve, t.Decimals, t.Symbol),
		trustbot.FormatAmount(res.Outstanding, t.Decimals), trustbot.FormatAmount(after, t.Decimals), coverage(res.Reserve, after))
	return h.sign(ctx, r, issuer, "reup", summary, text, []trustbot.Call{call}, nil)
}
