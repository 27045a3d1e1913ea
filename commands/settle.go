package commands

import (
	"context"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
)

func (h *handlers) settleDef() Definition {
	return Definition{
		Name: "settle", Description: "Who pays whom to settle the trip, with the fewest transfers; pay yours", Chain: true, handler: (*handlers).settle,
		Options: []OptionDef{
			{Name: "pay", Description: "the number of your transfer in the plan: makes its signing link", Type: String},
			{Name: "to", Description: "pay this member what the plan says you owe them", Type: User},
			{Name: "amount", Description: "pay part of it (default: all)", Type: String},
			{Name: "into", Description: "wallet: the creditor's wallet (default); reserve: refill their reserve", Type: String, Choices: []string{"wallet", "reserve"}},
		},
	}
}

func (h *handlers) settle(ctx context.Context, r *Request) (*Reply, error) {
	t, err := h.latestTrip(ctx, r)
	if err != nil {
		return nil, err
	}
	bs, err := h.Store.TripBalances(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	plan, exact, err := h.plan(t, bs)
	if err != nil {
		return nil, err
	}
	pick, to := r.Option("pay"), r.MemberOption("to")
	if pick == "" && to == nil {
		if r.Option("amount") != "" || r.Option("into") != "" {
			return nil, trustbot.Errorf(trustbot.EInvalid, "Say which transfer to pay with pay:N (its number in the plan) or to:@member.")
		}
		text := planText(t, plan, exact)
		if len(plan) > 0 {
			text += "\nPay yours with /settle pay:N (into:reserve refills the creditor's reserve instead of their wallet)."
		}
		return &Reply{Text: text}, nil
	}
	// yours says what the member owes in the plan and how to pay it: "you owe @carol 12 tUSD
	// (/settle pay:2)".
	yours := func() string {
		var owed []string
		for i, p := range plan {
			if p.From == r.User.ID {
				owed = append(owed, fmt.Sprintf("%s %s (/settle pay:%d)", trustbot.Mention(p.To), trustbot.Money(p.Amount, p.Asset.Decimals, p.Asset.Symbol), i+1))
			}
		}
		if len(owed) == 0 {
			return fmt.Sprintf("you owe nothing in the trip %q", t.Name)
		}
		return "you owe " + andList(owed)
	}
	var p trustbot.Payment
	switch {
	case pick != "":
		n, err := strconv.Atoi(strings.TrimPrefix(pick, "#"))
		if err != nil || n < 1 || n > len(plan) {
			if len(plan) == 0 {
				return nil, trustbot.Errorf(trustbot.EInvalid, "Everyone in the trip %q is settled: there is nothing to pay.", t.Name)
			}
			return nil, trustbot.Errorf(trustbot.EInvalid, "%q is not a transfer of the plan: give a number from 1 to %d (see /settle); %s.", pick, len(plan), yours())
		}
		p = plan[n-1]
		if p.From != r.User.ID {
			return nil, trustbot.Errorf(trustbot.EInvalid, "Transfer %d is %s's to pay, not yours; %s.", n, trustbot.Mention(p.From), yours())
		}
		if to != nil && to.ID != p.To {
			return nil, trustbot.Errorf(trustbot.EInvalid, "Transfer %d pays %s, not %s.", n, trustbot.Mention(p.To), to.Mention())
		}
	default:
		found := false
		for _, x := range plan {
			if x.From == r.User.ID && x.To == to.ID {
				p, found = x, true
				break
			}
		}
		if !found {
			return nil, trustbot.Errorf(trustbot.EInvalid, "You don't owe %s anything in the settle plan; %s.", to.Mention(), yours())
		}
	}
	// A link already open for this debt counts as paid: two links signed would pay twice.
	open, err := h.Store.PendingRequests(ctx, r.User.ID)
	if err != nil {
		return nil, err
	}
	linked := new(big.Int)
	for _, q := range open {
		if l := q.Ledger; q.Kind == "settle" && l != nil && l.TripID == t.ID && l.Creditor == p.To && l.Asset.Address == p.Asset.Address && l.Amount != nil {
			linked.Add(linked, l.Amount)
		}
	}
	if linked.Sign() > 0 {
		if linked.Cmp(p.Amount) >= 0 {
			return nil, trustbot.Errorf(trustbot.EInvalid, "Your open link already pays %s %s (/pending): sign it, or cancel it first.", trustbot.Mention(p.To),
				trustbot.Money(linked, p.Asset.Decimals, p.Asset.Symbol))
		}
		p.Amount = new(big.Int).Sub(p.Amount, linked)
	}
	amount := p.Amount
	if text := r.Option("amount"); text != "" {
		v, err := trustbot.ParseAmount(text, p.Asset.Decimals, p.Asset.Symbol)
		if err != nil {
			return nil, err
		}
		if v.Cmp(p.Amount) > 0 {
			owe := "You owe"
			if linked.Sign() > 0 {
				owe = "Besides your open link, you owe"
			}
			return nil, trustbot.Errorf(trustbot.EInvalid, "%s %s %s; you can pay at most %s.", owe, trustbot.Mention(p.To),
				trustbot.Money(p.Amount, p.Asset.Decimals, p.Asset.Symbol), trustbot.FormatAmount(p.Amount, p.Asset.Decimals))
		}
		amount = v
	}
	payer, err := h.wallet(ctx, r.User, true)
	if err != nil {
		return nil, err
	}
	creditor := trustbot.Member{ID: p.To}
	for _, m := range t.Members {
		if m.ID == p.To {
			creditor = m
		}
	}
	dest, err := h.wallet(ctx, creditor, false)
	if err != nil {
		return nil, err
	}
	money := trustbot.Money(amount, p.Asset.Decimals, p.Asset.Symbol)
	var calls []trustbot.Call
	where := creditor.Mention() + "'s wallet"
	if r.Option("into") == "reserve" {
		res, err := h.v.ReserveOf(ctx, dest, p.Asset.Address)
		if err != nil || !res.Exists {
			if err != nil && trustbot.ErrorCode(err) != trustbot.ENotFound {
				return nil, err
			}
			return nil, trustbot.Errorf(trustbot.EInvalid, "%s has no %s reserve to deposit into; pay their wallet instead (leave out into:).", creditor.Mention(), p.Asset.Symbol)
		}
		calls = chain.Deposit(res.Address, p.Asset, amount)
		where = creditor.Mention() + "'s reserve"
	} else {
		calls = []trustbot.Call{chain.Pay(p.Asset, dest, amount)}
	}
	held, err := h.Chain.BalanceOf(ctx, p.Asset.Address, payer)
	if err != nil {
		return nil, err
	}
	if held.Cmp(amount) < 0 {
		return nil, trustbot.Errorf(trustbot.EInvalid, "Your wallet holds %s; paying %s needs %s more.", trustbot.Money(held, p.Asset.Decimals, p.Asset.Symbol),
			money, trustbot.FormatAmount(new(big.Int).Sub(amount, held), p.Asset.Decimals))
	}
	summary := fmt.Sprintf("Pay %s %s into %s, settling up in the trip %q.", creditor.Mention(), money, where, t.Name)
	text := fmt.Sprintf("Sign to pay %s %s into %s; once the chain confirms it, the trip %q counts it as settled.", creditor.Mention(), money, where, t.Name)
	if amount.Cmp(p.Amount) < 0 {
		text += fmt.Sprintf(" You will still owe them %s.", trustbot.Money(new(big.Int).Sub(p.Amount, amount), p.Asset.Decimals, p.Asset.Symbol))
	}
	return h.signRequest(ctx, r, trustbot.SigningRequest{
		UserID: r.User.ID, Signer: payer, Kind: "settle", Summary: summary, Calls: calls,
		Ledger: &trustbot.LedgerNote{TripID: t.ID, Creditor: p.To, Asset: p.Asset, Amount: amount},
	}, text, nil, creditor)
}

// tripEnd ends the channel's trip and posts its summary: each member's figures, the settle plan,
// the chart and the entries; each issuer who extended budgets during the trip gets one signing
// link (in their /pending) revoking what is still unspent of them.
func (h *handlers) tripEnd(ctx context.Context, r *Request) (*Reply, error) {
	t, err := h.openTrip(ctx, r)
	if err != nil {
		return nil, err
	}
	if t, err = h.Store.EndTrip(ctx, t.ID); err != nil {
		return nil, err
	}
	entries, bs, err := h.tripBooks(ctx, t)
	if err != nil {
		return nil, err
	}
	plan, exact, err := h.plan(t, bs)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "The trip %q has ended: %d entries, %d members.", t.Name, len(entries), len(t.Members))
	for _, x := range tripBalances(t, bs) {
		b.WriteString("\n" + balanceLine(x))
	}
	b.WriteString("\n" + planText(t, plan, exact))
	if len(plan) > 0 {
		b.WriteString("\nPay yours with /settle pay:N.")
	}
	for _, offer := range h.revokeOffers(ctx, r, t) {
		b.WriteString("\n" + offer)
	}
	files, err := tripFiles(t, entries, bs, false)
	if err != nil {
		return nil, err
	}
	if h.Render != nil {
		png, err := h.Render.RenderTrip(ctx, tripChart(t, bs, plan))
		if err != nil {
			h.Log.Warn("the trip chart was not drawn", "trip", t.ID, "err", err)
		} else {
			files = append([]Attachment{{Name: "trip-chart.png", ContentType: "image/png", Data: png}}, files...)
		}
	}
	return &Reply{Text: b.String(), Files: files}, nil
}

// tripChart is what the chart of a trip shows, in its asset.
func tripChart(t trustbot.Trip, bs []trustbot.Balance, plan []trustbot.Payment) TripChart {
	name := map[string]string{}
	for _, m := range t.Members {
		name[m.ID] = "@" + strings.TrimPrefix(m.Name, "@")
		if m.Name == "" {
			name[m.ID] = trustbot.Mention(m.ID)
		}
	}
	label := func(id string) string {
		if n, ok := name[id]; ok {
			return n
		}
		return trustbot.Mention(id)
	}
	c := TripChart{Title: t.Name, Asset: t.Asset.Symbol}
	d := t.Asset.Decimals
	for _, x := range tripBalances(t, bs) {
		if x.Asset.Address != t.Asset.Address {
			continue
		}
		c.Bars = append(c.Bars, TripBar{Member: label(x.UserID), Paid: x.Paid, Consumed: x.Consumed,
			PaidText: trustbot.FormatAmount(x.Paid, d), ConsumedText: trustbot.FormatAmount(x.Consumed, d), NetText: signed(x.Net, d)})
	}
	for _, p := range plan {
		if p.Asset.Address == t.Asset.Address {
			c.Arrows = append(c.Arrows, TripArrow{From: label(p.From), To: label(p.To), Text: trustbot.Money(p.Amount, d, p.Asset.Symbol)})
		}
	}
	return c
}

// revokeOffers makes, for each member who extended budgets to members during the trip that are
// still unspent, one signing link revoking them, and says so in a line each. A link that cannot
// be made is left out (and logged): the offer is optional.
func (h *handlers) revokeOffers(ctx context.Context, r *Request, t trustbot.Trip) []string {
	grants, err := h.Store.TrustedDuring(ctx, t.ID)
	if err != nil {
		h.Log.Warn("trip end: budgets extended during the trip", "trip", t.ID, "err", err)
		return nil
	}
	if len(grants) == 0 {
		return nil
	}
	if err := h.v.load(ctx); err != nil {
		h.Log.Warn("trip end: the web of trust", "trip", t.ID, "err", err)
		return nil
	}
	type offer struct {
		issuer  common.Address
		calls   []trustbot.Call
		total   *big.Int
		token   trustbot.Token
		holders []string
	}
	var offers []*offer
	by := map[common.Address]*offer{}
	for _, g := range grants {
		res, err := h.v.ReserveAt(ctx, g.Reserve)
		if err != nil {
			continue
		}
		bal, _, err := h.v.Account(ctx, g.Reserve, g.Holder)
		if err != nil || bal.Sign() == 0 {
			continue
		}
		unspent := g.Budget
		if bal.Cmp(unspent) < 0 {
			unspent = bal
		}
		o, ok := by[res.Issuer]
		if !ok {
			o = &offer{issuer: res.Issuer, total: new(big.Int), token: res.AssetToken}
			by[res.Issuer] = o
			offers = append(offers, o)
		}
		o.calls = append(o.calls, chain.Revoke(g.Reserve, g.Holder, unspent))
		o.total.Add(o.total, unspent)
		o.holders = append(o.holders, fmt.Sprintf("%s %s", h.memberOf(ctx, g.Holder), trustbot.FormatAmount(unspent, res.Decimals)))
	}
	var lines []string
	for _, o := range offers {
		issuer := h.v.Owner(ctx, o.issuer)
		if issuer == "" {
			continue
		}
		money := trustbot.Money(o.total, o.token.Decimals, o.token.Symbol)
		summary := fmt.Sprintf("Revoke the %s of budget you extended during the trip %q that is still unspent (%s).", money, t.Name, strings.Join(o.holders, ", "))
		_, err := h.signRequest(ctx, r, trustbot.SigningRequest{UserID: issuer, Signer: o.issuer, Kind: "revoke", Summary: summary, Calls: o.calls}, summary, nil, t.Members...)
		if err != nil {
			h.Log.Warn("trip end: revoke offer", "trip", t.ID, "issuer", issuer, "err", err)
			continue
		}
		lines = append(lines, fmt.Sprintf("%s: a link revoking the %s of budget you extended during the trip that is still unspent (%s) is in your /pending; it is optional.",
			trustbot.Mention(issuer), money, strings.Join(o.holders, ", ")))
	}
	return lines
}
