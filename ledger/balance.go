package ledger

import (
	"cmp"
	"math/big"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/trustbot/trustbot"
)

// position is one member's running figures in one asset.
type position struct {
	paid, consumed, settled big.Int
}

// asset is one asset's positions, by user id.
type asset struct {
	token   trustbot.Token
	members map[string]*position
}

func (a *asset) of(userID string) *position {
	p := a.members[userID]
	if p == nil {
		p = new(position)
		a.members[userID] = p
	}
	return p
}

// Balances is every member's position in every asset the entries use (assets told apart by
// address): Paid sums the amounts of the entries they paid, settlements apart; Consumed sums
// their shares; Settled adds what they paid in settlements and takes off what they received;
// Net = Paid − Consumed + Settled. Per asset the nets sum to zero when each entry's shares sum
// to its amount. Sorted by asset symbol, then user id.
func Balances(entries []trustbot.Entry) []trustbot.Balance {
	assets := map[common.Address]*asset{}
	for _, e := range entries {
		a := assets[e.Asset.Address]
		if a == nil {
			a = &asset{token: e.Asset, members: map[string]*position{}}
			assets[e.Asset.Address] = a
		}
		amount := trustbot.OrZero(e.Amount)
		if e.Kind == trustbot.EntrySettle {
			debtor, creditor := a.of(e.Payer), a.of(e.To)
			debtor.settled.Add(&debtor.settled, amount)
			creditor.settled.Sub(&creditor.settled, amount)
			continue
		}
		payer := a.of(e.Payer)
		payer.paid.Add(&payer.paid, amount)
		for _, s := range e.Shares {
			c := a.of(s.UserID)
			c.consumed.Add(&c.consumed, trustbot.OrZero(s.Amount))
		}
	}
	n := 0
	for _, a := range assets {
		n += len(a.members)
	}
	out := make([]trustbot.Balance, 0, n)
	for _, a := range assets {
		for id, p := range a.members {
			net := new(big.Int).Sub(&p.paid, &p.consumed)
			out = append(out, trustbot.Balance{
				UserID:   id,
				Asset:    a.token,
				Paid:     new(big.Int).Set(&p.paid),
				Consumed: new(big.Int).Set(&p.consumed),
				Settled:  new(big.Int).Set(&p.settled),
				Net:      net.Add(net, &p.settled),
			})
		}
	}
	slices.SortFunc(out, func(x, y trustbot.Balance) int {
		return cmp.Or(
			cmp.Compare(x.Asset.Symbol, y.Asset.Symbol),
			x.Asset.Address.Cmp(y.Asset.Address),
			cmp.Compare(x.UserID, y.UserID),
		)
	})
	return out
}
