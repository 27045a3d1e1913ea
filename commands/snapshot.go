package commands

import (
	"context"
	"math/big"
	"sync"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
)

// snapshot is what one command reads: the store's projection of the web of trust, read once,
// and, unless it serves a notice, the live backing of every reserve of a base asset and the head
// in one JSON-RPC batch. Handlers read reserves, accounts and names from it and never call the chain for them.
type snapshot struct {
	h    *handlers
	live bool

	once sync.Once
	err  error
	web  trustbot.Web

	reserves map[common.Address]*trustbot.Reserve
	byIssuer map[[2]common.Address]*trustbot.Reserve // issuer, asset
	accounts map[common.Address][]trustbot.Account   // by reserve, largest budget first
	holdings map[common.Address][]trustbot.Account   // by holder
	owners   map[common.Address]string               // address → Discord user id
}

func (s *snapshot) load(ctx context.Context) error {
	s.once.Do(func() {
		w, err := s.h.Store.Web(ctx)
		if err != nil {
			s.err = err
			return
		}
		// A layer's backing is its balance in the reserve below, which the projection has
		// exactly: only reserves of a base asset need the chain's figure.
		known := make(map[common.Address]bool, len(w.Reserves))
		for _, r := range w.Reserves {
			known[r.Address] = true
		}
		var addrs []common.Address
		for _, r := range w.Reserves {
			if !known[r.Asset.Address] {
				addrs = append(addrs, r.Address)
			}
		}
		if s.live && len(addrs) > 0 {
			live, err := s.h.Chain.Live(ctx, addrs)
			if err != nil {
				s.err = err
				return
			}
			for i := range w.Reserves {
				if b, ok := live.Backing[w.Reserves[i].Address]; ok {
					w.Reserves[i].Backing = b
				}
			}
		}
		s.web = w
		s.reserves = make(map[common.Address]*trustbot.Reserve, len(w.Reserves))
		s.byIssuer = make(map[[2]common.Address]*trustbot.Reserve, len(w.Reserves))
		for i := range w.Reserves {
			r := &w.Reserves[i]
			s.reserves[r.Address] = r
			s.byIssuer[[2]common.Address{r.Issuer, r.Asset.Address}] = r
		}
		s.accounts, s.holdings = map[common.Address][]trustbot.Account{}, map[common.Address][]trustbot.Account{}
		for _, a := range w.Accounts {
			s.accounts[a.Reserve] = append(s.accounts[a.Reserve], a)
			s.holdings[a.Holder] = append(s.holdings[a.Holder], a)
		}
		s.owners = make(map[common.Address]string, len(w.Links))
		for _, l := range w.Links {
			s.owners[l.Address] = l.UserID
		}
	})
	return s.err
}

// info describes a known reserve as the commands show it.
func (s *snapshot) info(r *trustbot.Reserve) chain.ReserveInfo {
	_, layered := s.reserves[r.Asset.Address]
	return chain.ReserveInfo{
		Address: r.Address, Issuer: r.Issuer, Asset: r.Asset.Address, Exists: true,
		Name: r.Name, Symbol: r.Symbol, Decimals: r.Decimals,
		Reserve: new(big.Int).Set(trustbot.OrZero(r.Backing)), Outstanding: new(big.Int).Set(trustbot.OrZero(r.Outstanding)),
		AssetToken: r.Asset, Layered: layered,
	}
}

// token is what the bot knows of a token: a configured asset, a known reserve's asset or trust
// token, else what the chain says.
func (s *snapshot) token(ctx context.Context, addr common.Address) (trustbot.Token, error) {
	for _, a := range s.h.Assets {
		if a.Address == addr {
			return a, nil
		}
	}
	if r, ok := s.reserves[addr]; ok {
		return r.Token(), nil
	}
	for _, r := range s.web.Reserves {
		if r.Asset.Address == addr && r.Asset.Symbol != "" {
			return r.Asset, nil
		}
	}
	return s.h.Chain.Token(ctx, addr)
}

// ReserveOf is issuer's reserve of asset. When there is none, Exists is false and the asset is
// still described.
func (s *snapshot) ReserveOf(ctx context.Context, issuer, asset common.Address) (chain.ReserveInfo, error) {
	if err := s.load(ctx); err != nil {
		return chain.ReserveInfo{}, err
	}
	if r, ok := s.byIssuer[[2]common.Address{issuer, asset}]; ok {
		return s.info(r), nil
	}
	t, err := s.token(ctx, asset)
	if err != nil {
		return chain.ReserveInfo{}, err
	}
	_, layered := s.reserves[asset]
	return chain.ReserveInfo{Issuer: issuer, Asset: asset, Decimals: t.Decimals, Reserve: new(big.Int), Outstanding: new(big.Int),
		AssetToken: t, Layered: layered}, nil
}

// ReserveAt is the known reserve at addr, or ENotFound.
func (s *snapshot) ReserveAt(ctx context.Context, addr common.Address) (chain.ReserveInfo, error) {
	if err := s.load(ctx); err != nil {
		return chain.ReserveInfo{}, err
	}
	r, ok := s.reserves[addr]
	if !ok {
		return chain.ReserveInfo{}, trustbot.Errorf(trustbot.ENotFound, "%s is not a trust reserve.", addr.Hex())
	}
	return s.info(r), nil
}

// Account is holder's balance and budget of reserve's token.
func (s *snapshot) Account(ctx context.Context, reserve, holder common.Address) (balance, budget *big.Int, err error) {
	if err := s.load(ctx); err != nil {
		return nil, nil, err
	}
	for _, a := range s.accounts[reserve] {
		if a.Holder == holder {
			return new(big.Int).Set(a.Balance), new(big.Int).Set(a.Budget), nil
		}
	}
	return new(big.Int), new(big.Int), nil
}

// Reserves is every known reserve in creation order.
func (s *snapshot) Reserves(ctx context.Context) ([]trustbot.Reserve, error) {
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	return s.web.Reserves, nil
}

// Holders are the accounts of a reserve with a balance or a budget, largest budget first.
func (s *snapshot) Holders(ctx context.Context, reserve common.Address) ([]trustbot.Account, error) {
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	return s.accounts[reserve], nil
}

// Holdings are the accounts of a holder in every reserve, in the reserves' creation order.
func (s *snapshot) Holdings(ctx context.Context, holder common.Address) ([]trustbot.Account, error) {
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	return s.holdings[holder], nil
}

// Owner is the Discord user id linked to addr, or "".
func (s *snapshot) Owner(ctx context.Context, addr common.Address) string {
	if s.load(ctx) != nil {
		return ""
	}
	return s.owners[addr]
}
