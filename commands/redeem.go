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

func (h *handlers) redeemDef() Definition {
	return Definition{
		Name: "redeem", Description: "Redeem trust tokens you hold for the asset behind them", Chain: true, handler: (*handlers).redeem,
		Options: []OptionDef{
			{Name: "amount", Description: "how much, e.g. 20", Type: String, Required: true},
			{Name: "from", Description: "whose tokens (needed when you hold several)", Type: User, Autocomplete: true},
			{Name: "to", Description: "pay to this address (default: your wallet)", Type: String},
			{Name: "layer", Description: "deep: unwind to the base asset (default); one: take the next layer's token", Type: String, Choices: []string{"deep", "one"}},
		},
	}
}

// holding is a reserve whose tokens a member holds.
type holding struct {
	res             chain.ReserveInfo
	balance, budget *big.Int
}

// holdings lists the known reserves in which addr holds tokens or has a budget.
func (h *handlers) holdings(ctx context.Context, addr common.Address) ([]holding, error) {
	accts, err := h.v.Holdings(ctx, addr)
	if err != nil {
		return nil, err
	}
	var out []holding
	for _, a := range accts {
		res, err := h.v.ReserveAt(ctx, a.Reserve)
		if err != nil {
			return nil, err
		}
		out = append(out, holding{res, a.Balance, a.Budget})
	}
	return out, nil
}

func (h *handlers) redeem(ctx context.Context, r *Request) (*Reply, error) {
	holderAddr, err := h.wallet(ctx, r.User, true)
	if err != nil {
		return nil, err
	}
	to := holderAddr
	if text := r.Option("to"); text != "" {
		if !common.IsHexAddress(text) {
			return nil, trustbot.Errorf(trustbot.EInvalid, "%q is not an address: give 0x followed by 40 hex digits.", text)
		}
		to = common.HexToAddress(text)
		if to == (common.Address{}) {
			return nil, trustbot.Errorf(trustbot.EInvalid, "Paying to the zero address would burn the money; give your own address.")
		}
	}
	hs, err := h.holdings(ctx, holderAddr)
	if err != nil {
		return nil, err
	}
	var held []holding
	for _, x := range hs {
		if x.balance.Sign() > 0 {
			held = append(held, x)
		}
	}
	var from *holding
	if m := r.MemberOption("from"); m != nil {
		issuer, err := h.wallet(ctx, *m, false)
		if err != nil {
			return nil, err
		}
		for i := range held {
			if held[i].res.Issuer == issuer {
				from = &held[i]
				break
			}
		}
		if from == nil {
			return nil, trustbot.Errorf(trustbot.EInvalid, "You hold no trust tokens from %s.", m.Mention())
		}
	} else {
		switch len(held) {
		case 0:
			return nil, trustbot.Errorf(trustbot.EInvalid, "You hold no trust tokens to redeem.")
		case 1:
			from = &held[0]
		default:
			var names []string
			for _, x := range held {
				names = append(names, h.memberOf(ctx, x.res.Issuer))
			}
			return nil, trustbot.Errorf(trustbot.EInvalid, "You hold tokens from %s: say whose with from:.", strings.Join(names, " and "))
		}
	}
	res := from.res
	t := res.AssetToken
	amount, err := trustbot.ParseAmount(r.Option("amount"), res.Decimals, res.Symbol)
	if err != nil {
		return nil, err
	}
	issuerName := h.memberOf(ctx, res.Issuer)
	if from.balance.Cmp(amount) < 0 {
		return nil, trustbot.Errorf(trustbot.EInvalid, "You hold %s of %s's tokens; you can redeem at most %s.", trustbot.FormatAmount(from.balance, res.Decimals), issuerName, trustbot.FormatAmount(from.balance, res.Decimals))
	}
	call := chain.Redeem(res.Address, amount, to)
	paid := t
	deep := res.Layered && r.Option("layer") != "one"
	if deep {
		call = chain.RedeemDeep(res.Address, amount, to)
		if base, err := h.baseToken(ctx, res); err == nil {
			paid = base
		}
	}
	explain := func(rev *chain.RevertError) error {
		if rev.Name != "InsufficientReserve" || len(rev.Args) != 2 {
			return nil
		}
		if deep {
			if e := h.shortLayer(ctx, res, amount); e != nil {
				return e
			}
		}
		avail, _ := rev.Args[0].(*big.Int)
		if avail == nil {
			return nil
		}
		if avail.Sign() == 0 {
			return trustbot.Errorf(trustbot.EInvalid, "%s's reserve holds no %s now: nothing can be redeemed from it until it is refilled.", issuerName, t.Symbol)
		}
		return trustbot.Errorf(trustbot.EInvalid, "%s's reserve holds %s; you can redeem at most %s now.", issuerName, trustbot.Money(avail, t.Decimals, t.Symbol), trustbot.FormatAmount(avail, t.Decimals))
	}
	dest := "your wallet"
	if to != holderAddr {
		dest = to.Hex()
	}
	summary := fmt.Sprintf("Redeem %s %s for %s.", trustbot.FormatAmount(amount, res.Decimals), res.Symbol, trustbot.Money(amount, paid.Decimals, paid.Symbol))
	text := fmt.Sprintf("Sign to redeem %s %s for %s, paid to %s (%s's reserve: %s).", trustbot.FormatAmount(amount, res.Decimals), res.Symbol,
		trustbot.Money(amount, paid.Decimals, paid.Symbol), dest, issuerName, reserveLine(res))
	if res.Layered && !deep {
		text += fmt.Sprintf(" You are paid in %s, the token of the layer below, not in the base asset; without layer:one the redemption unwinds every layer.", paid.Symbol)
	} else if deep {
		text += fmt.Sprintf(" It unwinds every layer in one transaction and pays %s.", paid.Symbol)
	}
	return h.sign(ctx, r, holderAddr, "redeem", summary, text, []trustbot.Call{call}, explain)
}

// baseToken follows a layered reserve's assets down to the base asset.
func (h *handlers) baseToken(ctx context.Context, res chain.ReserveInfo) (trustbot.Token, error) {
	for i := 0; i < 16 && res.Layered; i++ {
		next, err := h.v.ReserveAt(ctx, res.Asset)
		if err != nil {
			return trustbot.Token{}, err
		}
		res = next
	}
	return res.AssetToken, nil
}

// shortLayer walks a layered reserve's path down to the base asset with live reads and, when a
// layer holds less of the layer below (or of the base asset) than amount, names the one that
// binds: "@bob's reserve holds 8 ALICE-tUSD; you can redeem at most 8 through it now." It
// returns nil when no layer is short (the revert came from elsewhere).
func (h *handlers) shortLayer(ctx context.Context, res chain.ReserveInfo, amount *big.Int) error {
	var short *chain.ReserveInfo
	var least *big.Int
	for i := 0; i < 16; i++ {
		held := res.Reserve
		if res.Layered {
			bal, _, err := h.v.Account(ctx, res.Asset, res.Address)
			if err != nil {
				return nil
			}
			held = bal
		}
		if held != nil && held.Cmp(amount) < 0 && (least == nil || held.Cmp(least) < 0) {
			r := res
			short, least = &r, held
		}
		if !res.Layered {
			break
		}
		next, err := h.v.ReserveAt(ctx, res.Asset)
		if err != nil {
			return nil
		}
		res = next
	}
	if short == nil {
		return nil
	}
	t := short.AssetToken
	if short.Layered {
		t.Decimals = short.Decimals
	}
	if least.Sign() == 0 {
		return trustbot.Errorf(trustbot.EInvalid, "%s's reserve holds no %s now: nothing can be redeemed through it until it is refilled.", h.memberOf(ctx, short.Issuer), t.Symbol)
	}
	return trustbot.Errorf(trustbot.EInvalid, "%s's reserve holds %s; you can redeem at most %s through it now.", h.memberOf(ctx, short.Issuer),
		trustbot.Money(least, t.Decimals, t.Symbol), trustbot.FormatAmount(least, t.Decimals))
}
