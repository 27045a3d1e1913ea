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

// Notice composes the notice of one transaction the bot asked for, from its indexed events and
// the store's projection: no chain read, so a notice can always be written. Events of the
// transaction that say nothing new give a Notice with no Text.
func (s *Set) Notice(ctx context.Context, events []trustbot.Event, req trustbot.SigningRequest, channel string) (trustbot.Notice, error) {
	h := s.h.forRequest(false)
	if err := h.v.load(ctx); err != nil {
		return trustbot.Notice{}, err
	}
	n := trustbot.Notice{GuildID: req.GuildID, ChannelID: channel, Request: req}
	settle := req.Kind == "settle" && req.Ledger != nil && len(req.Txs) > 0
	switch {
	case len(events) > 0:
		n.TxHash = events[0].TxHash
	case settle:
		n.TxHash = req.Txs[len(req.Txs)-1].Hash
	default:
		return n, nil
	}
	n.Nonce = noticeNonce(n.TxHash)
	entries, err := h.Store.EntriesByTx(ctx, n.TxHash)
	if err != nil {
		return trustbot.Notice{}, err
	}
	h.entries = entries
	var lines []string
	for i := range events {
		if line := h.sentence(ctx, events, i); line != "" {
			lines = append(lines, line)
		}
	}
	if settle {
		l := req.Ledger
		line := fmt.Sprintf("%s paid %s %s, settling up", trustbot.Mention(req.UserID), trustbot.Mention(l.Creditor), trustbot.Money(l.Amount, l.Asset.Decimals, l.Asset.Symbol))
		if t, err := h.Store.TripByID(ctx, l.TripID); err == nil {
			line += fmt.Sprintf(" in the trip %q", t.Name)
		}
		lines = append(lines, line+".")
	}
	if len(lines) > 0 {
		n.Text = strings.Join(lines, "\n") + " · tx " + shortHash(n.TxHash)
	}
	return n, nil
}

// noticeNonce names a transaction's notice the same way at every delivery (Discord's nonce is at
// most 25 characters).
func noticeNonce(h common.Hash) string { return "tx" + h.Hex()[2:25] }

func shortHash(h common.Hash) string {
	x := h.Hex()
	return x[:10] + "…" + x[len(x)-4:]
}

// sentence describes tx[i] in words, or "" when another event of the transaction says it.
func (h *handlers) sentence(ctx context.Context, tx []trustbot.Event, i int) string {
	e := tx[i]
	var next trustbot.EventData
	if i+1 < len(tx) && tx[i+1].Address == e.Address {
		next = tx[i+1].Data
	}
	if c, ok := e.Data.(*trustbot.ReserveCreated); ok {
		res, err := h.v.ReserveAt(ctx, c.Reserve)
		if err != nil {
			return fmt.Sprintf("%s created a reserve.", h.memberOf(ctx, c.Issuer))
		}
		return fmt.Sprintf("%s created %s %s reserve; its trust token is %s.", h.memberOf(ctx, c.Issuer), article(res.AssetToken.Symbol), res.AssetToken.Symbol, res.Symbol)
	}
	res, err := h.v.ReserveAt(ctx, e.Address)
	if err != nil {
		return ""
	}
	issuer := h.memberOf(ctx, res.Issuer)
	asset := res.AssetToken
	money := func(v *big.Int) string { return trustbot.Money(v, asset.Decimals, asset.Symbol) }
	switch d := e.Data.(type) {
	case *trustbot.Deposited:
		whose := issuer + "'s"
		if d.From == res.Issuer {
			whose = "their"
		}
		return fmt.Sprintf("%s deposited %s into %s reserve (backing now %s).", h.memberOf(ctx, d.From), money(d.Amount), whose, trustbot.FormatAmount(res.Reserve, asset.Decimals))
	case *trustbot.Withdrawn:
		return fmt.Sprintf("%s withdrew %s from their reserve (backing now %s).", issuer, money(d.Amount), trustbot.FormatAmount(res.Reserve, asset.Decimals))
	case *trustbot.Transfer:
		if h.movedBacking(tx, d) || h.unwound(ctx, tx, i) {
			return ""
		}
		_, trusted := next.(*trustbot.Trusted)
		revoked, isRevoke := next.(*trustbot.Revoked)
		switch {
		case d.Mint() && trusted:
			// The projection holds the budget after: a member trusted before hears what was added.
			if _, budget, err := h.v.Account(ctx, res.Address, d.To); err == nil && budget.Cmp(d.Amount) > 0 {
				return fmt.Sprintf("%s added %s to %s's budget (now %s).", issuer, money(d.Amount), h.memberOf(ctx, d.To), trustbot.FormatAmount(budget, asset.Decimals))
			}
			return fmt.Sprintf("%s extended %s a budget of %s.", issuer, h.memberOf(ctx, d.To), money(d.Amount))
		case d.Mint():
			return fmt.Sprintf("%s re-upped %s with %s.", issuer, h.memberOf(ctx, d.To), money(d.Amount))
		case d.Burn() && isRevoke:
			if line := h.revokedBacking(ctx, issuer, res, d.From, d.Amount); line != "" {
				return line
			}
			burned := fmt.Sprintf("%s of their tokens were burned", trustbot.FormatAmount(d.Amount, res.Decimals))
			if d.Amount.Sign() == 0 {
				burned = "their wallet held none of the tokens to burn"
			}
			if revoked.Amount.BitLen() == 256 {
				return fmt.Sprintf("%s revoked all of %s's trust; %s.", issuer, h.memberOf(ctx, d.From), burned)
			}
			_, budget, err := h.v.Account(ctx, res.Address, d.From)
			if err != nil {
				budget = new(big.Int)
			}
			return fmt.Sprintf("%s cut %s's budget by %s (now %s); %s.", issuer, h.memberOf(ctx, d.From), money(revoked.Amount), trustbot.FormatAmount(budget, asset.Decimals), burned)
		case d.Burn():
			if line := h.redemptionEntry(ctx, tx, i, issuer); line != "" {
				return line
			}
			if paid, through := h.unwinding(ctx, tx, i); len(through) > 0 {
				return fmt.Sprintf("%s redeemed %s from %s's reserve, paid through %s.", h.memberOf(ctx, d.From),
					trustbot.Money(d.Amount, paid.Decimals, paid.Symbol), issuer, h.reservesOf(ctx, through))
			}
			return fmt.Sprintf("%s redeemed %s from %s's reserve.", h.memberOf(ctx, d.From), money(d.Amount), issuer)
		default:
			return fmt.Sprintf("%s sent %s %s to %s.", h.memberOf(ctx, d.From), trustbot.FormatAmount(d.Amount, res.Decimals), res.Symbol, h.memberOf(ctx, d.To))
		}
	}
	return "" // Trusted and Revoked are said with the Transfer before them
}

// movedBacking reports whether a token transfer is the asset side of a deposit into or a
// withdrawal from a reserve in the same transaction (a layer's backing moving), which the
// Deposited or Withdrawn event says.
func (h *handlers) movedBacking(tx []trustbot.Event, d *trustbot.Transfer) bool {
	for _, e := range tx {
		switch x := e.Data.(type) {
		case *trustbot.Deposited:
			if e.Address == d.To && x.Amount.Cmp(d.Amount) == 0 {
				return true
			}
		case *trustbot.Withdrawn:
			if e.Address == d.From && x.Amount.Cmp(d.Amount) == 0 {
				return true
			}
		}
	}
	return false
}

// unwound reports whether tx[i] is a layer burning its backing inside a deep redemption: a burn
// from a reserve of the tokens backing it, after that reserve burned its own tokens in the same
// transaction. The redemption's first burn says it all.
func (h *handlers) unwound(ctx context.Context, tx []trustbot.Event, i int) bool {
	d, ok := tx[i].Data.(*trustbot.Transfer)
	if !ok || !d.Burn() {
		return false
	}
	if i+1 < len(tx) && tx[i+1].Address == tx[i].Address {
		if _, revoke := tx[i+1].Data.(*trustbot.Revoked); revoke {
			return false
		}
	}
	layer, err := h.v.ReserveAt(ctx, d.From)
	if err != nil || layer.Asset != tx[i].Address {
		return false
	}
	for _, e := range tx[:i] {
		if b, ok := e.Data.(*trustbot.Transfer); ok && e.Address == d.From && b.Burn() {
			return true
		}
	}
	return false
}

// unwinding follows a deep redemption down from its first burn tx[i]: the reserves below that
// burned their backing in turn (the layers it passed), and the token the last one paid.
func (h *handlers) unwinding(ctx context.Context, tx []trustbot.Event, i int) (trustbot.Token, []chain.ReserveInfo) {
	res, err := h.v.ReserveAt(ctx, tx[i].Address)
	if err != nil {
		return trustbot.Token{}, nil
	}
	var through []chain.ReserveInfo
	for j := i + 1; j < len(tx) && res.Layered; j++ {
		d, ok := tx[j].Data.(*trustbot.Transfer)
		if !ok || !d.Burn() || tx[j].Address != res.Asset || d.From != res.Address {
			continue
		}
		below, err := h.v.ReserveAt(ctx, res.Asset)
		if err != nil {
			break
		}
		through = append(through, below)
		res = below
	}
	return res.AssetToken, through
}

// reservesOf names reserves by their issuers: "@alice's reserve", "@bob's and @alice's reserves".
func (h *handlers) reservesOf(ctx context.Context, list []chain.ReserveInfo) string {
	var names []string
	for _, r := range list {
		names = append(names, h.memberOf(ctx, r.Issuer)+"'s")
	}
	if len(names) == 1 {
		return names[0] + " reserve"
	}
	return andList(names) + " reserves"
}

// revokedBacking describes a revoke burn whose holder is another reserve (the revoked tokens
// backed it), naming who holds tokens downstream of that reserve, or "" when the holder is not
// a reserve: "@alice revoked 10 ALICE-tUSD backing @bob's reserve (backing now 0); @carol, @dave
// hold tokens of @bob's reserve, which now has less backing."
func (h *handlers) revokedBacking(ctx context.Context, issuer string, res chain.ReserveInfo, from common.Address, burned *big.Int) string {
	layer, err := h.v.ReserveAt(ctx, from)
	if err != nil || !layer.Exists || layer.Asset != res.Address {
		return ""
	}
	owner := h.memberOf(ctx, layer.Issuer)
	line := fmt.Sprintf("%s revoked %s %s backing %s's reserve (its backing is now %s)", issuer, trustbot.FormatAmount(burned, res.Decimals), res.Symbol,
		owner, trustbot.FormatAmount(layer.Reserve, layer.Decimals))
	names := h.downstream(ctx, layer.Address, map[common.Address]bool{})
	if len(names) == 0 {
		return line + "; nobody holds tokens of " + owner + "'s reserve."
	}
	verb := "hold"
	if len(names) == 1 {
		verb = "holds"
	}
	return fmt.Sprintf("%s; %s %s tokens of %s's reserve, which now has less backing.", line, strings.Join(names, ", "), verb, owner)
}

// downstream names the members holding a reserve's tokens and, through every reserve those
// tokens back, the members holding that reserve's tokens (a layer is named by its issuer), from
// indexed events and live balances, each once.
func (h *handlers) downstream(ctx context.Context, reserve common.Address, seen map[common.Address]bool) []string {
	if seen[reserve] {
		return nil
	}
	seen[reserve] = true
	hs, err := h.v.Holders(ctx, reserve)
	if err != nil {
		return nil
	}
	var names []string
	add := func(n string) {
		for _, x := range names {
			if x == n {
				return
			}
		}
		names = append(names, n)
	}
	for _, x := range hs {
		if x.Balance.Sign() == 0 {
			continue
		}
		if layer, err := h.v.ReserveAt(ctx, x.Holder); err == nil && layer.Exists && layer.Asset == reserve {
			add(h.memberOf(ctx, layer.Issuer))
			for _, n := range h.downstream(ctx, layer.Address, seen) {
				add(n)
			}
			continue
		}
		add(h.memberOf(ctx, x.Holder))
	}
	return names
}

// describeRevert names a revert the commands have no sentence for.
func describeRevert(rev *chain.RevertError) string {
	if rev.Name == "" {
		if r := strings.TrimSpace(rev.Reason); r != "" && r != "execution reverted" {
			return "the node says: " + r
		}
		return "an unknown error"
	}
	var args []string
	for _, a := range rev.Args {
		args = append(args, fmt.Sprint(a))
	}
	return rev.Name + "(" + strings.Join(args, ", ") + ")"
}

// redemptionEntry is the notice of a redemption the ledger counted in a trip (tx[i] is its burn),
// or "" when no trip did: with a memo, "@bob paid 45 tUSD for dinner from @alice's reserve, split
// 3 ways (15 each)."; untagged, the redemption and how to tag it.
func (h *handlers) redemptionEntry(ctx context.Context, tx []trustbot.Event, i int, issuer string) string {
	var e *trustbot.Entry
	for k := range h.entries {
		if x := &h.entries[k]; x.Kind == trustbot.EntryRedeem && x.LogIndex == tx[i].LogIndex {
			e = x
		}
	}
	if e == nil {
		return ""
	}
	money := trustbot.Money(e.Amount, e.Asset.Decimals, e.Asset.Symbol)
	through := ""
	if _, layers := h.unwinding(ctx, tx, i); len(layers) > 0 {
		through = " (through " + h.reservesOf(ctx, layers) + ")"
	}
	trip := "the trip"
	if t, err := h.Store.TripByID(ctx, e.TripID); err == nil {
		trip = fmt.Sprintf("the trip %q", t.Name)
	}
	if e.Untagged() {
		return fmt.Sprintf("%s redeemed %s from %s's reserve%s. In %s it is entry %d, a loan from %s until tagged: /trip tag %d for:… says what it paid for.",
			trustbot.Mention(e.Redeemer), money, issuer, through, trip, e.N, issuer, e.N)
	}
	return fmt.Sprintf("%s paid %s for %s from %s's reserve%s, %s (entry %d of %s).", trustbot.Mention(e.Redeemer), money, e.Memo, issuer, through, splitWords(*e), e.N, trip)
}
