// Package commandstest has fakes of the services package commands consumes (Store, Chain,
// Links, Renderer), in the style of a mock package: one function field per method, each method
// calling its field. A method whose field is unset panics with the method's name, so a test
// that reaches a service it did not expect fails loudly. Every fake counts its calls.
package commandstest

import (
	"context"
	"fmt"
	"math/big"
	"sync"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/commands"
)

// Counter counts the calls of a fake's methods.
type Counter struct {
	mu    sync.Mutex
	calls map[string]int
}

// Calls is how many times method was called.
func (c *Counter) Calls(method string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[method]
}

func (c *Counter) count(method string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.calls == nil {
		c.calls = map[string]int{}
	}
	c.calls[method]++
}

func unset(method string) {
	panic(fmt.Sprintf("commandstest: %s called, but its fake %sFn is not set", method, method))
}

// Store is a fake commands.Store.
type Store struct {
	Counter
	WalletByUserFn     func(ctx context.Context, userID string) (trustbot.WalletLink, error)
	UnlinkWalletFn     func(ctx context.Context, userID string) error
	MarkInteractionFn  func(ctx context.Context, id string) (bool, error)
	SetNoticeChannelFn func(ctx context.Context, guildID, channelID string) error
	PendingRequestsFn  func(ctx context.Context, userID string) ([]trustbot.SigningRequest, error)
	CancelRequestFn    func(ctx context.Context, id, userID string) (trustbot.SigningRequest, error)
	WebFn              func(ctx context.Context) (trustbot.Web, error)
	StartTripFn        func(ctx context.Context, t trustbot.Trip) (trustbot.Trip, error)
	OpenTripFn         func(ctx context.Context, guildID, channelID string) (trustbot.Trip, error)
	LatestTripFn       func(ctx context.Context, guildID, channelID string) (trustbot.Trip, error)
	TripByIDFn         func(ctx context.Context, id int64) (trustbot.Trip, error)
	JoinTripFn         func(ctx context.Context, tripID int64, m trustbot.Member) (trustbot.Trip, error)
	LeaveTripFn        func(ctx context.Context, tripID int64, userID string) (trustbot.Trip, error)
	EndTripFn          func(ctx context.Context, tripID int64) (trustbot.Trip, error)
	ReopenTripFn       func(ctx context.Context, tripID int64) (trustbot.Trip, error)
	AddExpenseFn       func(ctx context.Context, e trustbot.Entry) (trustbot.Entry, error)
	RemoveExpenseFn    func(ctx context.Context, tripID int64, n int, userID string) (trustbot.Entry, error)
	TagEntryFn         func(ctx context.Context, tripID int64, n int, userID, memo string, parts []trustbot.SplitPart) (trustbot.Entry, error)
	TripEntryFn        func(ctx context.Context, tripID int64, n int) (trustbot.Entry, error)
	MemberEntriesFn    func(ctx context.Context, tripID int64, userID string, limit int) ([]trustbot.Entry, int, error)
	TripEntriesFn      func(ctx context.Context, tripID int64) ([]trustbot.Entry, error)
	TripBalancesFn     func(ctx context.Context, tripID int64) ([]trustbot.Balance, error)
	EntriesByTxFn      func(ctx context.Context, hash common.Hash) ([]trustbot.Entry, error)
	TrustedDuringFn    func(ctx context.Context, tripID int64) ([]trustbot.Account, error)
}

var _ commands.Store = (*Store)(nil)

func (s *Store) TripEntry(ctx context.Context, tripID int64, n int) (trustbot.Entry, error) {
	s.count("TripEntry")
	if s.TripEntryFn == nil {
		unset("Store.TripEntry")
	}
	return s.TripEntryFn(ctx, tripID, n)
}

func (s *Store) MemberEntries(ctx context.Context, tripID int64, userID string, limit int) ([]trustbot.Entry, int, error) {
	s.count("MemberEntries")
	if s.MemberEntriesFn == nil {
		unset("Store.MemberEntries")
	}
	return s.MemberEntriesFn(ctx, tripID, userID, limit)
}

func (s *Store) StartTrip(ctx context.Context, t trustbot.Trip) (trustbot.Trip, error) {
	s.count("StartTrip")
	if s.StartTripFn == nil {
		unset("Store.StartTrip")
	}
	return s.StartTripFn(ctx, t)
}

func (s *Store) OpenTrip(ctx context.Context, guildID, channelID string) (trustbot.Trip, error) {
	s.count("OpenTrip")
	if s.OpenTripFn == nil {
		unset("Store.OpenTrip")
	}
	return s.OpenTripFn(ctx, guildID, channelID)
}

func (s *Store) LatestTrip(ctx context.Context, guildID, channelID string) (trustbot.Trip, error) {
	s.count("LatestTrip")
	if s.LatestTripFn == nil {
		unset("Store.LatestTrip")
	}
	return s.LatestTripFn(ctx, guildID, channelID)
}

func (s *Store) TripByID(ctx context.Context, id int64) (trustbot.Trip, error) {
	s.count("TripByID")
	if s.TripByIDFn == nil {
		unset("Store.TripByID")
	}
	return s.TripByIDFn(ctx, id)
}

func (s *Store) JoinTrip(ctx context.Context, tripID int64, m trustbot.Member) (trustbot.Trip, error) {
	s.count("JoinTrip")
	if s.JoinTripFn == nil {
		unset("Store.JoinTrip")
	}
	return s.JoinTripFn(ctx, tripID, m)
}

func (s *Store) LeaveTrip(ctx context.Context, tripID int64, userID string) (trustbot.Trip, error) {
	s.count("LeaveTrip")
	if s.LeaveTripFn == nil {
		unset("Store.LeaveTrip")
	}
	return s.LeaveTripFn(ctx, tripID, userID)
}

func (s *Store) EndTrip(ctx context.Context, tripID int64) (trustbot.Trip, error) {
	s.count("EndTrip")
	if s.EndTripFn == nil {
		unset("Store.EndTrip")
	}
	return s.EndTripFn(ctx, tripID)
}

func (s *Store) ReopenTrip(ctx context.Context, tripID int64) (trustbot.Trip, error) {
	s.count("ReopenTrip")
	if s.ReopenTripFn == nil {
		unset("Store.ReopenTrip")
	}
	return s.ReopenTripFn(ctx, tripID)
}

func (s *Store) AddExpense(ctx context.Context, e trustbot.Entry) (trustbot.Entry, error) {
	s.count("AddExpense")
	if s.AddExpenseFn == nil {
		unset("Store.AddExpense")
	}
	return s.AddExpenseFn(ctx, e)
}

func (s *Store) RemoveExpense(ctx context.Context, tripID int64, n int, userID string) (trustbot.Entry, error) {
	s.count("RemoveExpense")
	if s.RemoveExpenseFn == nil {
		unset("Store.RemoveExpense")
	}
	return s.RemoveExpenseFn(ctx, tripID, n, userID)
}

func (s *Store) TagEntry(ctx context.Context, tripID int64, n int, userID, memo string, parts []trustbot.SplitPart) (trustbot.Entry, error) {
	s.count("TagEntry")
	if s.TagEntryFn == nil {
		unset("Store.TagEntry")
	}
	return s.TagEntryFn(ctx, tripID, n, userID, memo, parts)
}

func (s *Store) TripEntries(ctx context.Context, tripID int64) ([]trustbot.Entry, error) {
	s.count("TripEntries")
	if s.TripEntriesFn == nil {
		unset("Store.TripEntries")
	}
	return s.TripEntriesFn(ctx, tripID)
}

func (s *Store) TripBalances(ctx context.Context, tripID int64) ([]trustbot.Balance, error) {
	s.count("TripBalances")
	if s.TripBalancesFn == nil {
		unset("Store.TripBalances")
	}
	return s.TripBalancesFn(ctx, tripID)
}

func (s *Store) EntriesByTx(ctx context.Context, hash common.Hash) ([]trustbot.Entry, error) {
	s.count("EntriesByTx")
	if s.EntriesByTxFn == nil {
		unset("Store.EntriesByTx")
	}
	return s.EntriesByTxFn(ctx, hash)
}

func (s *Store) TrustedDuring(ctx context.Context, tripID int64) ([]trustbot.Account, error) {
	s.count("TrustedDuring")
	if s.TrustedDuringFn == nil {
		unset("Store.TrustedDuring")
	}
	return s.TrustedDuringFn(ctx, tripID)
}

func (s *Store) WalletByUser(ctx context.Context, userID string) (trustbot.WalletLink, error) {
	s.count("WalletByUser")
	if s.WalletByUserFn == nil {
		unset("Store.WalletByUser")
	}
	return s.WalletByUserFn(ctx, userID)
}

func (s *Store) UnlinkWallet(ctx context.Context, userID string) error {
	s.count("UnlinkWallet")
	if s.UnlinkWalletFn == nil {
		unset("Store.UnlinkWallet")
	}
	return s.UnlinkWalletFn(ctx, userID)
}

func (s *Store) MarkInteraction(ctx context.Context, id string) (bool, error) {
	s.count("MarkInteraction")
	if s.MarkInteractionFn == nil {
		unset("Store.MarkInteraction")
	}
	return s.MarkInteractionFn(ctx, id)
}

func (s *Store) SetNoticeChannel(ctx context.Context, guildID, channelID string) error {
	s.count("SetNoticeChannel")
	if s.SetNoticeChannelFn == nil {
		unset("Store.SetNoticeChannel")
	}
	return s.SetNoticeChannelFn(ctx, guildID, channelID)
}

func (s *Store) PendingRequests(ctx context.Context, userID string) ([]trustbot.SigningRequest, error) {
	s.count("PendingRequests")
	if s.PendingRequestsFn == nil {
		unset("Store.PendingRequests")
	}
	return s.PendingRequestsFn(ctx, userID)
}

func (s *Store) CancelRequest(ctx context.Context, id, userID string) (trustbot.SigningRequest, error) {
	s.count("CancelRequest")
	if s.CancelRequestFn == nil {
		unset("Store.CancelRequest")
	}
	return s.CancelRequestFn(ctx, id, userID)
}

func (s *Store) Web(ctx context.Context) (trustbot.Web, error) {
	s.count("Web")
	if s.WebFn == nil {
		unset("Store.Web")
	}
	return s.WebFn(ctx)
}

// Chain is a fake commands.Chain.
type Chain struct {
	Counter
	ChainIDFn   func() *big.Int
	FactoryFn   func() common.Address
	LiveFn      func(ctx context.Context, reserves []common.Address) (chain.Live, error)
	SimulateFn  func(ctx context.Context, from common.Address, calls []trustbot.Call) error
	TokenFn     func(ctx context.Context, addr common.Address) (trustbot.Token, error)
	PredictFn   func(ctx context.Context, issuer, asset common.Address) (common.Address, error)
	BalanceOfFn func(ctx context.Context, token, holder common.Address) (*big.Int, error)
	AllowanceFn func(ctx context.Context, token, owner, spender common.Address) (*big.Int, error)

	mu        sync.Mutex
	simulated []Simulation
}

var _ commands.Chain = (*Chain)(nil)

// Simulation is one Simulate call as the fake saw it.
type Simulation struct {
	From  common.Address
	Calls []trustbot.Call
}

// Simulated lists the Simulate calls made so far, in order.
func (c *Chain) Simulated() []Simulation {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Simulation(nil), c.simulated...)
}

func (c *Chain) ChainID() *big.Int {
	c.count("ChainID")
	if c.ChainIDFn == nil {
		unset("Chain.ChainID")
	}
	return c.ChainIDFn()
}

func (c *Chain) Factory() common.Address {
	c.count("Factory")
	if c.FactoryFn == nil {
		unset("Chain.Factory")
	}
	return c.FactoryFn()
}

func (c *Chain) Live(ctx context.Context, reserves []common.Address) (chain.Live, error) {
	c.count("Live")
	if c.LiveFn == nil {
		unset("Chain.Live")
	}
	return c.LiveFn(ctx, reserves)
}

func (c *Chain) Simulate(ctx context.Context, from common.Address, calls []trustbot.Call) error {
	c.count("Simulate")
	c.mu.Lock()
	c.simulated = append(c.simulated, Simulation{From: from, Calls: append([]trustbot.Call(nil), calls...)})
	c.mu.Unlock()
	if c.SimulateFn == nil {
		unset("Chain.Simulate")
	}
	return c.SimulateFn(ctx, from, calls)
}

func (c *Chain) Token(ctx context.Context, addr common.Address) (trustbot.Token, error) {
	c.count("Token")
	if c.TokenFn == nil {
		unset("Chain.Token")
	}
	return c.TokenFn(ctx, addr)
}

func (c *Chain) Predict(ctx context.Context, issuer, asset common.Address) (common.Address, error) {
	c.count("Predict")
	if c.PredictFn == nil {
		unset("Chain.Predict")
	}
	return c.PredictFn(ctx, issuer, asset)
}

func (c *Chain) BalanceOf(ctx context.Context, token, holder common.Address) (*big.Int, error) {
	c.count("BalanceOf")
	if c.BalanceOfFn == nil {
		unset("Chain.BalanceOf")
	}
	return c.BalanceOfFn(ctx, token, holder)
}

func (c *Chain) Allowance(ctx context.Context, token, owner, spender common.Address) (*big.Int, error) {
	c.count("Allowance")
	if c.AllowanceFn == nil {
		unset("Chain.Allowance")
	}
	return c.AllowanceFn(ctx, token, owner, spender)
}

// Links is a fake commands.Links.
type Links struct {
	Counter
	SigningLinkFn func(ctx context.Context, in trustbot.SigningRequest) (id, url string, err error)
	WalletLinkFn  func(ctx context.Context, userID, userName string) (url string, err error)
	URLFn         func(id string) string

	mu   sync.Mutex
	made []trustbot.SigningRequest
}

var _ commands.Links = (*Links)(nil)

// Made lists the signing inputs SigningLink was called with, in order.
func (l *Links) Made() []trustbot.SigningRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]trustbot.SigningRequest(nil), l.made...)
}

func (l *Links) SigningLink(ctx context.Context, in trustbot.SigningRequest) (string, string, error) {
	l.count("SigningLink")
	l.mu.Lock()
	l.made = append(l.made, in)
	l.mu.Unlock()
	if l.SigningLinkFn == nil {
		unset("Links.SigningLink")
	}
	return l.SigningLinkFn(ctx, in)
}

func (l *Links) WalletLink(ctx context.Context, userID, userName string) (string, error) {
	l.count("WalletLink")
	if l.WalletLinkFn == nil {
		unset("Links.WalletLink")
	}
	return l.WalletLinkFn(ctx, userID, userName)
}

func (l *Links) URL(id string) string {
	l.count("URL")
	if l.URLFn == nil {
		unset("Links.URL")
	}
	return l.URLFn(id)
}

// Renderer is a fake commands.Renderer.
type Renderer struct {
	Counter
	RenderWebFn  func(ctx context.Context, g commands.Graph) ([]byte, error)
	RenderTripFn func(ctx context.Context, c commands.TripChart) ([]byte, error)
}

var _ commands.Renderer = (*Renderer)(nil)

func (r *Renderer) RenderWeb(ctx context.Context, g commands.Graph) ([]byte, error) {
	r.count("RenderWeb")
	if r.RenderWebFn == nil {
		unset("Renderer.RenderWeb")
	}
	return r.RenderWebFn(ctx, g)
}

func (r *Renderer) RenderTrip(ctx context.Context, c commands.TripChart) ([]byte, error) {
	r.count("RenderTrip")
	if r.RenderTripFn == nil {
		unset("Renderer.RenderTrip")
	}
	return r.RenderTripFn(ctx, c)
}
