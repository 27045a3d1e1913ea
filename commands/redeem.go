package commands

import (
	"context"
	"errors"
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
			{Name: "for", Description: "what the money is for, e.g. dinner: a trip expense", Type: String},
			{Name: "split", Description: `who shares it, e.g. "@alice @bob:2 @carol=10" (default: everyone in the trip)`, Type: String},
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
		if rev.Name == "TransferFailed" {
			payer := res
			if deep {
				if base, err := h.baseReserve(ctx, res); err == nil {
					payer = base
				}
			}
			return h.refusedPayout(ctx, payer, paid, to, amount, to == holderAddr)
		}
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
	req := trustbot.SigningRequest{UserID: r.User.ID, Signer: holderAddr, Kind: "redeem", Summary: summary, Calls: []trustbot.Call{call}}
	switch note, trip, err := h.redeemNote(ctx, r, amount, paid); {
	case err != nil:
		return nil, err
	case note != nil:
		req.Ledger = note
		req.Summary = strings.TrimSuffix(summary, ".") + ", for " + note.Memo + "."
		text += fmt.Sprintf(" The trip %q counts it as %s paying for %s, %s.", trip.Name, issuerName, note.Memo, splitWords(previewEntry(amount, note.Parts, paid)))
	case trip.ID != 0:
		text += fmt.Sprintf(" The trip %q counts it as a loan from %s to you until it is tagged; add for: to say what it pays for.", trip.Name, issuerName)
	}
	return h.signRequest(ctx, r, req, text, explain)
}

// baseToken follows a layered reserve's assets down to the base asset.
func (h *handlers) baseToken(ctx context.Context, res chain.ReserveInfo) (trustbot.Token, error) {
	base, err := h.baseReserve(ctx, res)
	if err != nil {
		return trustbot.Token{}, err
	}
	return base.AssetToken, nil
}

// baseReserve follows a layered reserve's assets down to the reserve that holds the base asset.
func (h *handlers) baseReserve(ctx context.Context, res chain.ReserveInfo) (chain.ReserveInfo, error) {
	for i := 0; i < 16 && res.Layered; i++ {
		next, err := h.v.ReserveAt(ctx, res.Asset)
		if err != nil {
			return chain.ReserveInfo{}, err
		}
		res = next
	}
	return res, nil
}

// tokenRefusal asks a token why moving amount from from to to failed, with its own transfer:
// refusesTo when it would refuse that transfer but not from paying itself (as USDC refuses a
// blacklisted recipient), refusesFrom when it would refuse from even paying itself (a
// blacklisted sender); neither when its transfer would go through or the node cannot tell.
func (h *handlers) tokenRefusal(ctx context.Context, t trustbot.Token, from, to common.Address, amount *big.Int) (refusesTo, refusesFrom bool) {
	if t.Native() {
		return false, false
	}
	var rev *chain.RevertError
	if err := h.Chain.Simulate(ctx, from, []trustbot.Call{chain.Pay(t, to, amount)}); !errors.As(err, &rev) {
		return false, false
	}
	switch err := h.Chain.Simulate(ctx, from, []trustbot.Call{chain.Pay(t, from, amount)}); {
	case err == nil:
		return true, false
	case errors.As(err, &rev):
		return false, true
	}
	return false, false
}

// refusedPayout is the sentence for a redemption's payout that the token refuses: to that
// address (or your wallet), or from the paying reserve; nil when the token is not what refuses.
func (h *handlers) refusedPayout(ctx context.Context, payer chain.ReserveInfo, t trustbot.Token, to common.Address, amount *big.Int, own bool) error {
	refusesTo, refusesFrom := h.tokenRefusal(ctx, t, payer.Address, to, amount)
	switch {
	case refusesTo && own:
		return trustbot.Errorf(trustbot.EReverted, "%s refuses transfers to your wallet. Nothing was sent.", t.Symbol)
	case refusesTo:
		return trustbot.Errorf(trustbot.EReverted, "%s refuses transfers to that address. Nothing was sent.", t.Symbol)
	case refusesFrom:
		return trustbot.Errorf(trustbot.EReverted, "%s refuses transfers from %s's reserve, so it cannot pay out now. Nothing was sent.", t.Symbol, h.memberOf(ctx, payer.Issuer))
	}
	return nil
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

// redeemNote is what a redemption adds to the channel's open trip: with for:, its memo and split
// (none: everyone in the trip). Without for:, nil and the open trip, if any: the redemption
// counts there untagged.
func (h *handlers) redeemNote(ctx context.Context, r *Request, amount *big.Int, paid trustbot.Token) (*trustbot.LedgerNote, trustbot.Trip, error) {
	what, err := memo(r.Option("for"))
	if err != nil {
		return nil, trustbot.Trip{}, err
	}
	if what == "" {
		if r.Option("split") != "" {
			return nil, trustbot.Trip{}, trustbot.Errorf(trustbot.EInvalid, "split: goes with for: (what the money is for), like for:dinner split:\"@alice @bob\".")
		}
		t, err := h.Store.OpenTrip(ctx, r.GuildID, r.ChannelID)
		if trustbot.ErrorCode(err) == trustbot.ENotFound {
			return nil, trustbot.Trip{}, nil
		}
		return nil, t, err
	}
	t, err := h.Store.OpenTrip(ctx, r.GuildID, r.ChannelID)
	if trustbot.ErrorCode(err) == trustbot.ENotFound {
		return nil, trustbot.Trip{}, trustbot.Errorf(trustbot.EInvalid, "for: records a trip expense, and this channel has no open trip: start one with /trip start, or leave out for:.")
	} else if err != nil {
		return nil, trustbot.Trip{}, err
	}
	parts, err := h.splitParts(ctx, r, t, r.Option("split"), amount, paid)
	if err != nil {
		return nil, trustbot.Trip{}, err
	}
	return &trustbot.LedgerNote{TripID: t.ID, Memo: what, Parts: parts}, t, nil
}
