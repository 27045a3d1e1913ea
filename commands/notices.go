package commands

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/trustbot/trustbot"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/store"
)

// Notice is a sentence about something confirmed on chain, for a guild's notice channel.
type Notice struct {
	GuildID, ChannelID string
	Text               string
	TxHash             string
	// Request is the signing request that caused it, when the bot made one.
	Request *store.Request
}

// Notices turns applied events into one notice per transaction, in order. Events of
// transactions the bot made no signing request for have no guild and are left out.
func (s *Set) Notices(ctx context.Context, events []store.Event) []Notice {
	h := s.h
	var out []Notice
	for start := 0; start < len(events); {
		end := start + 1
		for end < len(events) && events[end].TxHash == events[start].TxHash {
			end++
		}
		tx := events[start:end]
		start = end
		req, err := h.Store.RequestByTx(ctx, tx[0].TxHash)
		if err != nil {
			continue
		}
		var lines []string
		for i := range tx {
			if line := h.sentence(ctx, tx, i); line != "" {
				lines = append(lines, line)
			}
		}
		if len(lines) == 0 {
			continue
		}
		channel := req.ChannelID
		if ch, err := h.Store.NoticeChannel(ctx, req.GuildID); err == nil && ch != "" {
			channel = ch
		}
		text := strings.Join(lines, "\n") + " · tx " + shortHash(tx[0].TxHash)
		r := req
		out = append(out, Notice{GuildID: req.GuildID, ChannelID: channel, Text: text, TxHash: tx[0].TxHash, Request: &r})
	}
	return out
}

func shortHash(h string) string {
	if len(h) < 14 {
		return h
	}
	return h[:10] + "…" + h[len(h)-4:]
}

// sentence describes tx[i] in words, or "" when another event of the transaction says it.
func (h *handlers) sentence(ctx context.Context, tx []store.Event, i int) string {
	e := tx[i]
	next := ""
	if i+1 < len(tx) && tx[i+1].Address == e.Address {
		next = tx[i+1].Name
	}
	amount := func(key string, decimals uint8) string {
		v, _ := new(big.Int).SetString(e.Args[key], 10)
		return trustbot.FormatAmount(v, decimals)
	}
	who := func(key string) string { return h.memberOf(ctx, common.HexToAddress(e.Args[key])) }
	if e.Name == "ReserveCreated" {
		res, err := h.Chain.ReserveAt(ctx, common.HexToAddress(e.Args["reserve"]))
		if err != nil {
			return fmt.Sprintf("%s created a reserve.", who("issuer"))
		}
		return fmt.Sprintf("%s created a %s reserve; its trust token is %s.", who("issuer"), res.AssetToken.Symbol, res.Symbol)
	}
	res, err := h.Chain.ReserveAt(ctx, common.HexToAddress(e.Address))
	if err != nil || !res.Exists {
		return ""
	}
	issuer := h.memberOf(ctx, res.Issuer)
	asset := res.AssetToken
	zero := strings.ToLower(common.Address{}.Hex())
	switch e.Name {
	case "Deposited":
		whose := issuer + "'s"
		if common.HexToAddress(e.Args["from"]) == res.Issuer {
			whose = "their"
		}
		return fmt.Sprintf("%s deposited %s into %s reserve (backing now %s).", who("from"), trustbot.Money(mustBig(e.Args["amount"]), asset.Decimals, asset.Symbol), whose, trustbot.FormatAmount(res.Reserve, asset.Decimals))
	case "Withdrawn":
		return fmt.Sprintf("%s withdrew %s from their reserve (backing now %s).", issuer, trustbot.Money(mustBig(e.Args["amount"]), asset.Decimals, asset.Symbol), trustbot.FormatAmount(res.Reserve, asset.Decimals))
	case "Trusted", "Revoked":
		return "" // said with the Transfer before it
	case "Transfer":
		from, to := e.Args["from"], e.Args["to"]
		switch {
		case from == zero && next == "Trusted":
			return fmt.Sprintf("%s extended %s a budget of %s.", issuer, who("to"), trustbot.Money(mustBig(e.Args["amount"]), asset.Decimals, asset.Symbol))
		case from == zero:
			return fmt.Sprintf("%s re-upped %s with %s.", issuer, who("to"), trustbot.Money(mustBig(e.Args["amount"]), asset.Decimals, asset.Symbol))
		case to == zero && next == "Revoked":
			if line := h.revokedBacking(ctx, issuer, res, common.HexToAddress(from), mustBig(e.Args["amount"])); line != "" {
				return line
			}
			cut, _ := new(big.Int).SetString(tx[i+1].Args["amount"], 10)
			if cut == nil || cut.BitLen() == 256 {
				return fmt.Sprintf("%s revoked all of %s's trust; %s of their tokens were burned.", issuer, who("from"), amount("amount", res.Decimals))
			}
			return fmt.Sprintf("%s cut %s's budget by %s; %s of their tokens were burned.", issuer, who("from"), trustbot.Money(cut, asset.Decimals, asset.Symbol), amount("amount", res.Decimals))
		case to == zero:
			return fmt.Sprintf("%s redeemed %s from %s's reserve.", who("from"), trustbot.Money(mustBig(e.Args["amount"]), asset.Decimals, asset.Symbol), issuer)
		default:
			return fmt.Sprintf("%s sent %s %s to %s.", who("from"), amount("amount", res.Decimals), res.Symbol, who("to"))
		}
	}
	return ""
}

// revokedBacking describes a revoke burn whose holder is another reserve (the revoked tokens
// backed it), naming who holds tokens downstream of that reserve, or "" when the holder is not
// a reserve: "@alice revoked 10 ALICE-tUSD backing @bob's reserve (backing now 0); @carol, @dave
// hold tokens of @bob's reserve, which now has less backing."
func (h *handlers) revokedBacking(ctx context.Context, issuer string, res chain.ReserveInfo, from common.Address, burned *big.Int) string {
	layer, err := h.Chain.ReserveAt(ctx, from)
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
	hs, err := h.holders(ctx, reserve)
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
		if x.balance.Sign() == 0 {
			continue
		}
		if layer, err := h.Chain.ReserveAt(ctx, x.addr); err == nil && layer.Exists && layer.Asset == reserve {
			add(h.memberOf(ctx, layer.Issuer))
			for _, n := range h.downstream(ctx, layer.Address, seen) {
				add(n)
			}
			continue
		}
		add(h.memberOf(ctx, x.addr))
	}
	return names
}

func mustBig(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return new(big.Int)
	}
	return v
}

// describeRevert names a revert the commands have no sentence for.
func describeRevert(rev *chain.RevertError) string {
	if rev.Name == "" {
		return "an unknown error"
	}
	var args []string
	for _, a := range rev.Args {
		args = append(args, fmt.Sprint(a))
	}
	return rev.Name + "(" + strings.Join(args, ", ") + ")"
}
