package commandstest

import (
	"context"
	"fmt"
	"math/big"
	"sort"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
)

// ChainID is the chain the fakes' web lives on (the dev chain's).
const ChainID = 31337

// Factory is the reserve factory the Chain fake names.
var Factory = common.HexToAddress("0x00000000000000000000000000000000000fac70")

// ProvenAt is when the builder's wallet links were proven.
var ProvenAt = time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)

// WebBuilder tells a web of trust as a story: members link wallets, open reserves (of a base
// asset, or layered over another member's reserve) and trust holders with budgets.
//
//	web := commandstest.NewWeb().
//		Member("alice", alice).Member("bob", bob).
//		Reserve(resA, alice, tUSD, "ALICE-tUSD", units(300)).
//		Account(resA, bob, units(40), units(100)). // Bob holds 40 of a 100 budget
//		Build()
//
// Build fills in what the store derives: every reserve's outstanding (the sum of its
// balances) and the accounts' order (by reserve in creation order, largest budget first).
type WebBuilder struct {
	web trustbot.Web
}

// NewWeb starts an empty web.
func NewWeb() *WebBuilder { return &WebBuilder{} }

// Block sets the block the web was read at.
func (b *WebBuilder) Block(n uint64) *WebBuilder {
	b.web.Block = trustbot.Block{Number: n, Hash: common.BigToHash(new(big.Int).SetUint64(n))}
	return b
}

// Member links userID's wallet addr with a playground dev key.
func (b *WebBuilder) Member(userID string, addr common.Address) *WebBuilder {
	return b.Link(trustbot.WalletLink{UserID: userID, Address: addr, ChainID: ChainID, Method: "dev", ProvenAt: ProvenAt})
}

// Link adds a wallet link as given, replacing the user's previous one.
func (b *WebBuilder) Link(l trustbot.WalletLink) *WebBuilder {
	for i, x := range b.web.Links {
		if x.UserID == l.UserID {
			b.web.Links[i] = l
			return b
		}
	}
	b.web.Links = append(b.web.Links, l)
	return b
}

// Reserve opens issuer's reserve at addr backed by a base asset, holding backing of it. Its
// trust token has the asset's decimals and is called symbol.
func (b *WebBuilder) Reserve(addr, issuer common.Address, asset trustbot.Token, symbol string, backing *big.Int) *WebBuilder {
	if b.find(addr) != nil {
		panic(fmt.Sprintf("commandstest: reserve %s told twice", addr.Hex()))
	}
	b.web.Reserves = append(b.web.Reserves, trustbot.Reserve{
		Address: addr, Issuer: issuer, ChainID: ChainID, CreatedBlock: uint64(len(b.web.Reserves) + 1),
		Name: symbol + " trust", Symbol: symbol, Decimals: asset.Decimals, Asset: asset,
		Backing: new(big.Int).Set(trustbot.OrZero(backing)),
	})
	return b
}

// Layer opens issuer's reserve at addr backed by the trust token of the reserve below (which
// must be told first), holding backing of it: the layer's account in the reserve below.
func (b *WebBuilder) Layer(addr, issuer, below common.Address, symbol string, backing *big.Int) *WebBuilder {
	r := b.find(below)
	if r == nil {
		panic(fmt.Sprintf("commandstest: layer %s over %s, which is not told yet", addr.Hex(), below.Hex()))
	}
	b.Reserve(addr, issuer, r.Token(), symbol, backing)
	return b.Account(below, addr, backing, new(big.Int))
}

// Backing sets what a reserve holds of its asset (for a layer, its account in the reserve below too).
func (b *WebBuilder) Backing(reserve common.Address, v *big.Int) *WebBuilder {
	r := b.find(reserve)
	if r == nil {
		panic(fmt.Sprintf("commandstest: backing of %s, which is not told", reserve.Hex()))
	}
	r.Backing = new(big.Int).Set(v)
	if b.find(r.Asset.Address) != nil {
		_, budget := b.account(r.Asset.Address, reserve)
		b.Account(r.Asset.Address, reserve, v, budget)
	}
	return b
}

// Account sets holder's balance and budget of reserve's token, replacing what was told before.
func (b *WebBuilder) Account(reserve, holder common.Address, balance, budget *big.Int) *WebBuilder {
	if b.find(reserve) == nil {
		panic(fmt.Sprintf("commandstest: account in %s, which is not told", reserve.Hex()))
	}
	a := trustbot.Account{Reserve: reserve, Holder: holder,
		Balance: new(big.Int).Set(trustbot.OrZero(balance)), Budget: new(big.Int).Set(trustbot.OrZero(budget))}
	for i, x := range b.web.Accounts {
		if x.Reserve == reserve && x.Holder == holder {
			b.web.Accounts[i] = a
			return b
		}
	}
	b.web.Accounts = append(b.web.Accounts, a)
	return b
}

func (b *WebBuilder) account(reserve, holder common.Address) (balance, budget *big.Int) {
	for _, x := range b.web.Accounts {
		if x.Reserve == reserve && x.Holder == holder {
			return x.Balance, x.Budget
		}
	}
	return new(big.Int), new(big.Int)
}

func (b *WebBuilder) find(addr common.Address) *trustbot.Reserve {
	for i := range b.web.Reserves {
		if b.web.Reserves[i].Address == addr {
			return &b.web.Reserves[i]
		}
	}
	return nil
}

// Build is the web as the store would read it.
func (b *WebBuilder) Build() trustbot.Web {
	w := Copy(b.web)
	order := map[common.Address]int{}
	for i, r := range w.Reserves {
		order[r.Address] = i
	}
	kept := w.Accounts[:0]
	for _, a := range w.Accounts {
		if a.Balance.Sign() != 0 || a.Budget.Sign() != 0 {
			kept = append(kept, a)
		}
	}
	w.Accounts = kept
	sort.SliceStable(w.Accounts, func(i, j int) bool {
		a, c := w.Accounts[i], w.Accounts[j]
		if order[a.Reserve] != order[c.Reserve] {
			return order[a.Reserve] < order[c.Reserve]
		}
		return a.Budget.Cmp(c.Budget) > 0
	})
	for i := range w.Reserves {
		out := new(big.Int)
		for _, a := range w.Accounts {
			if a.Reserve == w.Reserves[i].Address {
				out.Add(out, a.Balance)
			}
		}
		w.Reserves[i].Outstanding = out
	}
	return w
}

// Copy is a deep copy of a web: what a store returns is the caller's to change.
func Copy(w trustbot.Web) trustbot.Web {
	out := trustbot.Web{Block: w.Block}
	for _, r := range w.Reserves {
		r.Backing = copyInt(r.Backing)
		r.Outstanding = copyInt(r.Outstanding)
		out.Reserves = append(out.Reserves, r)
	}
	for _, a := range w.Accounts {
		a.Balance, a.Budget = copyInt(a.Balance), copyInt(a.Budget)
		out.Accounts = append(out.Accounts, a)
	}
	out.Links = append(out.Links, w.Links...)
	return out
}

func copyInt(v *big.Int) *big.Int {
	if v == nil {
		return nil
	}
	return new(big.Int).Set(v)
}

// StoreOf is a Store fake serving w: Web returns a copy of it each time, and WalletByUser its
// links (ENotFound for a member with none). The other methods are unset.
func StoreOf(w trustbot.Web) *Store {
	return &Store{
		WebFn: func(context.Context) (trustbot.Web, error) { return Copy(w), nil },
		WalletByUserFn: func(_ context.Context, userID string) (trustbot.WalletLink, error) {
			for _, l := range w.Links {
				if l.UserID == userID {
					return l, nil
				}
			}
			return trustbot.WalletLink{}, trustbot.Errorf(trustbot.ENotFound, "No wallet is linked to %s.", userID)
		},
		// No trip: a redemption or a notice asks, and there is none.
		OpenTripFn: func(context.Context, string, string) (trustbot.Trip, error) {
			return trustbot.Trip{}, trustbot.Errorf(trustbot.ENotFound, "There is no open trip in this channel.")
		},
		EntriesByTxFn: func(context.Context, common.Hash) ([]trustbot.Entry, error) { return nil, nil },
	}
}

// LiveOf answers Chain.Live from w: the head is w's block and every reserve's backing is the
// one w tells (zero for a reserve w does not know).
func LiveOf(w trustbot.Web) func(context.Context, []common.Address) (chain.Live, error) {
	return func(_ context.Context, reserves []common.Address) (chain.Live, error) {
		live := chain.Live{Head: w.Block.Number, Backing: make(map[common.Address]*big.Int, len(reserves))}
		for _, a := range reserves {
			v := new(big.Int)
			for _, r := range w.Reserves {
				if r.Address == a && r.Backing != nil {
					v.Set(r.Backing)
				}
			}
			live.Backing[a] = v
		}
		return live, nil
	}
}

// ChainOf is a Chain fake over w: Live answers from w's backing (LiveOf), Simulate records the
// calls and succeeds, ChainID and Factory are the package's. Token, Predict and BalanceOf are
// unset.
func ChainOf(w trustbot.Web) *Chain {
	return &Chain{
		ChainIDFn:  func() *big.Int { return big.NewInt(ChainID) },
		FactoryFn:  func() common.Address { return Factory },
		LiveFn:     LiveOf(w),
		SimulateFn: func(context.Context, common.Address, []trustbot.Call) error { return nil },
	}
}

// SignURL is the signing link NewLinks makes for a request id.
func SignURL(id string) string { return "https://trustbot.example/sign/" + id }

// WalletURL is the wallet-link link NewLinks makes for a user.
func WalletURL(userID string) string { return "https://trustbot.example/link/" + userID }

// NewLinks is a Links fake that numbers signing requests req-1, req-2 … (see Made), with
// SignURL and WalletURL links.
func NewLinks() *Links {
	l := &Links{URLFn: SignURL,
		WalletLinkFn: func(_ context.Context, userID, _ string) (string, error) { return WalletURL(userID), nil }}
	l.SigningLinkFn = func(context.Context, trustbot.SigningRequest) (string, string, error) {
		id := fmt.Sprintf("req-%d", l.Calls("SigningLink"))
		return id, SignURL(id), nil
	}
	return l
}
