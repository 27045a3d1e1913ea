package commands

import (
	"context"
	"log/slog"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/store"
)

// Store is what the commands read and write in the database.
type Store interface {
	WalletByUser(ctx context.Context, userID string) (store.WalletLink, error)
	UserByAddress(ctx context.Context, addr string) (store.WalletLink, error)
	UnlinkWallet(ctx context.Context, userID string) error
	MarkInteraction(ctx context.Context, id string) (bool, error)
	SetNoticeChannel(ctx context.Context, guildID, channelID string) error
	PendingRequests(ctx context.Context, userID string) ([]store.Request, error)
	CancelRequest(ctx context.Context, id, userID string) (store.Request, error)
	Reserves(ctx context.Context) ([]store.Reserve, error)
	Events(ctx context.Context, f store.EventFilter) ([]store.Event, error)
	RequestByTx(ctx context.Context, hash string) (store.Request, error)
	Reserve(ctx context.Context, address string) (store.Reserve, error)
	NoticeChannel(ctx context.Context, guildID string) (string, error)
}

// Chain is what the commands read from the chain, and the pre-flight simulation.
type Chain interface {
	ChainID() *big.Int
	Factory() common.Address
	Token(ctx context.Context, addr common.Address) (chain.Token, error)
	ReserveOf(ctx context.Context, issuer, asset common.Address) (chain.ReserveInfo, error)
	ReserveAt(ctx context.Context, addr common.Address) (chain.ReserveInfo, error)
	Account(ctx context.Context, reserve, holder common.Address) (balance, budget *big.Int, err error)
	BalanceOf(ctx context.Context, token, holder common.Address) (*big.Int, error)
	Simulate(ctx context.Context, from common.Address, calls []chain.Call) error
}

// SigningInput is a signing request to make: calls one member's wallet is asked to send.
type SigningInput struct {
	GuildID, ChannelID, UserID, InteractionToken string
	Signer                                       common.Address
	Kind, Summary                                string
	Calls                                        []chain.Call
}

// Links makes signing links and wallet-link links.
type Links interface {
	SigningLink(ctx context.Context, in SigningInput) (id, url string, err error)
	WalletLink(ctx context.Context, userID, userName string) (url string, err error)
	// URL is the signing link of a request id.
	URL(id string) string
}

// Asset is a backing asset members can pick by symbol: ASSETS in the configuration.
type Asset struct {
	Symbol  string
	Address common.Address // zero for the native coin
}

// Services are what the handlers use.
type Services struct {
	Store  Store
	Chain  Chain
	Links  Links
	Assets []Asset // the first is the default
	Log    *slog.Logger
	Now    func() time.Time
}

// New returns the full command set over the services.
func New(s Services) *Set {
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	h := &handlers{Services: s}
	set := &Set{}
	for _, d := range []Definition{
		h.walletDef(), h.reserveDef(), h.trustDef(), h.reupDef(), h.revokeDef(),
		h.redeemDef(), h.balanceDef(), h.pendingDef(), h.setupDef(),
		h.creditDef(),
		h.webDef(),
	} {
		set.add(d)
	}
	set.log = s.Log
	set.store = s.Store
	set.h = h
	return set
}

// handlers carries the services into every command's handler.
type handlers struct {
	Services
}

// Handle runs a request: checks its options, acts once per interaction id, and turns any
// failure into a private sentence. Internal errors are logged, never shown.
func (s *Set) Handle(ctx context.Context, r *Request) *Reply {
	d, ok := s.Lookup(r.Command, r.Subcommand)
	if !ok || d.handler == nil {
		return errorReply(errUnknown(r))
	}
	if err := d.validate(r); err != nil {
		return errorReply(err)
	}
	if r.InteractionID != "" {
		first, err := s.store.MarkInteraction(ctx, r.InteractionID)
		if err != nil {
			s.log.Error("mark interaction", "command", fullName(r), "err", err)
			return errorReply(err)
		}
		if !first {
			return errorReply(trustbot.Errorf(trustbot.EConflict, "This command was already handled; nothing more was done."))
		}
	}
	reply, err := d.handler(ctx, r)
	if err != nil {
		if trustbot.ErrorCode(err) == trustbot.EInternal {
			s.log.Error("command failed", "command", fullName(r), "user", r.User.ID, "err", err)
		}
		return errorReply(err)
	}
	return reply
}

func errorReply(err error) *Reply {
	return &Reply{Text: trustbot.ErrorMessage(err), Private: true}
}

// Check validates a request's command and options without running it, so an adapter can
// answer a malformed request at once instead of acknowledging it first.
func (s *Set) Check(r *Request) error {
	d, ok := s.Lookup(r.Command, r.Subcommand)
	if !ok || d.handler == nil {
		return errUnknown(r)
	}
	return d.validate(r)
}

// NeedsChain reports whether a request's handler reads the chain (adapters acknowledge first).
func (s *Set) NeedsChain(r *Request) bool {
	d, ok := s.Lookup(r.Command, r.Subcommand)
	return ok && d.Chain
}

// asset resolves an asset option ("tUSD", "ETH", or an address); "" is the default asset.
func (h *handlers) asset(ctx context.Context, text string) (chain.Token, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		if len(h.Assets) == 0 {
			return chain.Token{}, trustbot.Errorf(trustbot.EInvalid, "No backing asset is configured (ASSETS).")
		}
		return h.Chain.Token(ctx, h.Assets[0].Address)
	}
	for _, a := range h.Assets {
		if strings.EqualFold(a.Symbol, text) {
			return h.Chain.Token(ctx, a.Address)
		}
	}
	if common.IsHexAddress(text) {
		return h.Chain.Token(ctx, common.HexToAddress(text))
	}
	var names []string
	for _, a := range h.Assets {
		names = append(names, a.Symbol)
	}
	return chain.Token{}, trustbot.Errorf(trustbot.EInvalid, "%q is not an asset I know; try one of %s, or a token address.", text, strings.Join(names, ", "))
}

// wallet returns a member's linked address, or a sentence telling them how to link one.
func (h *handlers) wallet(ctx context.Context, m trustbot.Member, self bool) (common.Address, error) {
	link, err := h.Store.WalletByUser(ctx, m.ID)
	if trustbot.ErrorCode(err) == trustbot.ENotFound {
		if self {
			return common.Address{}, trustbot.Errorf(trustbot.EInvalid, "You haven't linked a wallet yet — run /wallet link first.")
		}
		return common.Address{}, trustbot.Errorf(trustbot.EInvalid, "%s hasn't linked a wallet yet — they can run /wallet link.", m.Mention())
	}
	if err != nil {
		return common.Address{}, err
	}
	return common.HexToAddress(link.Address), nil
}

// memberOf names the member linked to an address, a known reserve as its issuer's reserve
// (a layer redeeming from the layer below), or else a short address.
func (h *handlers) memberOf(ctx context.Context, addr common.Address) string {
	link, err := h.Store.UserByAddress(ctx, strings.ToLower(addr.Hex()))
	if err == nil {
		return trustbot.Member{ID: link.UserID}.Mention()
	}
	if res, err := h.Store.Reserve(ctx, strings.ToLower(addr.Hex())); err == nil {
		if issuer, err := h.Store.UserByAddress(ctx, res.Issuer); err == nil {
			return trustbot.Member{ID: issuer.UserID}.Mention() + "'s reserve"
		}
	}
	return trustbot.ShortAddress(addr)
}


// sign pre-flights calls from the signer and, when they would succeed, makes the signing link.
func (h *handlers) sign(ctx context.Context, r *Request, signer common.Address, kind, summary, text string, calls []chain.Call, explain func(*chain.RevertError) error) (*Reply, error) {
	if err := h.Chain.Simulate(ctx, signer, calls); err != nil {
		if rev, ok := err.(*chain.RevertError); ok {
			if explain != nil {
				if e := explain(rev); e != nil {
					return nil, e
				}
			}
			return nil, trustbot.Errorf(trustbot.EReverted, "The chain would refuse this (%s); nothing was sent.", describeRevert(rev))
		}
		return nil, err
	}
	id, url, err := h.Links.SigningLink(ctx, SigningInput{
		GuildID: r.GuildID, ChannelID: r.ChannelID, UserID: r.User.ID, InteractionToken: r.Token,
		Signer: signer, Kind: kind, Summary: summary, Calls: calls,
	})
	if err != nil {
		return nil, err
	}
	return &Reply{Text: text, Private: true, Link: &Link{URL: url, Label: "Sign with your wallet"}, RequestID: id}, nil
}
