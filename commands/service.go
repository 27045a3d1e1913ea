package commands

import (
	"context"
	"errors"
	"log/slog"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
)

// Store is what the commands read and write in the database.
type Store interface {
	WalletByUser(ctx context.Context, userID string) (trustbot.WalletLink, error)
	UnlinkWallet(ctx context.Context, userID string) error
	MarkInteraction(ctx context.Context, id string) (bool, error)
	SetNoticeChannel(ctx context.Context, guildID, channelID string) error
	PendingRequests(ctx context.Context, userID string) ([]trustbot.SigningRequest, error)
	CancelRequest(ctx context.Context, id, userID string) (trustbot.SigningRequest, error)
	// Web is the indexed web of trust: reserves, accounts and wallet links, read at once.
	Web(ctx context.Context) (trustbot.Web, error)
	TripStore
}

// TripStore keeps the trip ledgers.
type TripStore interface {
	StartTrip(ctx context.Context, t trustbot.Trip) (trustbot.Trip, error)
	OpenTrip(ctx context.Context, guildID, channelID string) (trustbot.Trip, error)
	LatestTrip(ctx context.Context, guildID, channelID string) (trustbot.Trip, error)
	TripByID(ctx context.Context, id int64) (trustbot.Trip, error)
	JoinTrip(ctx context.Context, tripID int64, m trustbot.Member) (trustbot.Trip, error)
	LeaveTrip(ctx context.Context, tripID int64, userID string) (trustbot.Trip, error)
	EndTrip(ctx context.Context, tripID int64) (trustbot.Trip, error)
	ReopenTrip(ctx context.Context, tripID int64) (trustbot.Trip, error)
	AddExpense(ctx context.Context, e trustbot.Entry) (trustbot.Entry, error)
	RemoveExpense(ctx context.Context, tripID int64, n int, userID string) (trustbot.Entry, error)
	TagEntry(ctx context.Context, tripID int64, n int, userID, memo string, parts []trustbot.SplitPart) (trustbot.Entry, error)
	TripEntries(ctx context.Context, tripID int64) ([]trustbot.Entry, error)
	TripEntry(ctx context.Context, tripID int64, n int) (trustbot.Entry, error)
	// MemberEntries is the latest limit entries that concern a member, oldest first, and how many
	// there are in all.
	MemberEntries(ctx context.Context, tripID int64, userID string, limit int) ([]trustbot.Entry, int, error)
	TripBalances(ctx context.Context, tripID int64) ([]trustbot.Balance, error)
	EntriesByTx(ctx context.Context, hash common.Hash) ([]trustbot.Entry, error)
	// TrustedDuring is the budget each issuer member extended to each holder member since the
	// trip started (in Account.Budget).
	TrustedDuring(ctx context.Context, tripID int64) ([]trustbot.Account, error)
}

// Chain is what the commands ask the chain: the figures only it knows now (one batch), the
// pre-flight simulation, and the few reads a rare command needs.
type Chain interface {
	ChainID() *big.Int
	Factory() common.Address
	Live(ctx context.Context, reserves []common.Address) (chain.Live, error)
	Simulate(ctx context.Context, from common.Address, calls []trustbot.Call) error
	Token(ctx context.Context, addr common.Address) (trustbot.Token, error)
	Predict(ctx context.Context, issuer, asset common.Address) (common.Address, error)
	BalanceOf(ctx context.Context, token, holder common.Address) (*big.Int, error)
	// Allowance is how much of owner's token spender may move now.
	Allowance(ctx context.Context, token, owner, spender common.Address) (*big.Int, error)
}

// Links makes signing links and wallet-link links.
type Links interface {
	// SigningLink stores a signing request (user, signer, kind, summary, calls) and gives its id
	// and URL.
	SigningLink(ctx context.Context, in trustbot.SigningRequest) (id, url string, err error)
	WalletLink(ctx context.Context, userID, userName string) (url string, err error)
	// URL is the signing link of a request id.
	URL(id string) string
}

// Renderer draws the pictures commands attach as PNG: the trust web of /web, the chart of
// /trip end.
type Renderer interface {
	RenderWeb(ctx context.Context, g Graph) ([]byte, error)
	RenderTrip(ctx context.Context, c TripChart) ([]byte, error)
}

// Members finds the guild member a user named in a text option (a split): a mention as the
// platform writes it (Discord: <@id>) or a name as typed (@bob). Someone who is not a member of
// the guild is an EInvalid sentence naming what was typed.
type Members interface {
	Member(ctx context.Context, guildID, text string) (trustbot.Member, error)
}

// Services are what the handlers use.
type Services struct {
	Store   Store
	Chain   Chain
	Links   Links
	Render  Renderer         // nil: /web and /trip end answer in words, without a picture
	Members Members          // nil: splits can name no one
	Assets  []trustbot.Token // the backing assets members pick by symbol; the first is the default
	Log     *slog.Logger
	Now     func() time.Time
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
		h.tripDef(), h.spentDef(), h.settleDef(),
	} {
		set.add(d)
	}
	set.log = s.Log
	set.store = s.Store
	set.h = h
	return set
}

// handlers carries the services into every command's handler, and the snapshot one request
// reads.
type handlers struct {
	Services
	v *snapshot
	// entries are the ledger entries of the transaction a notice is composed for.
	entries []trustbot.Entry
}

// forRequest is h with a fresh snapshot: live with the chain's figures, or only the store's.
func (h *handlers) forRequest(live bool) *handlers {
	c := *h
	c.v = &snapshot{h: &c, live: live}
	return &c
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
			if trustbot.ErrorCode(err) == trustbot.EUnavailable {
				s.log.Warn("command could not reach the database", "command", fullName(r), "user", r.User.ID, "err", err)
			} else {
				s.log.Error("mark interaction", "command", fullName(r), "err", err)
			}
			return errorReply(err)
		}
		if !first {
			return errorReply(trustbot.Errorf(trustbot.EConflict, "This command was already handled; nothing more was done."))
		}
	}
	reply, err := d.handler(s.h.forRequest(true), ctx, r)
	if err != nil {
		switch trustbot.ErrorCode(err) {
		case trustbot.EInternal:
			s.log.Error("command failed", "command", fullName(r), "user", r.User.ID, "err", err)
		case trustbot.EUnavailable:
			s.log.Warn("command could not reach the chain or the database", "command", fullName(r), "user", r.User.ID, "err", err)
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
func (h *handlers) asset(ctx context.Context, text string) (trustbot.Token, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		if len(h.Assets) == 0 {
			return trustbot.Token{}, trustbot.Errorf(trustbot.EInvalid, "No backing asset is configured (ASSETS).")
		}
		return h.Assets[0], nil
	}
	for _, a := range h.Assets {
		if strings.EqualFold(a.Symbol, text) {
			return a, nil
		}
	}
	if common.IsHexAddress(text) {
		if err := h.v.load(ctx); err != nil {
			return trustbot.Token{}, err
		}
		return h.v.token(ctx, common.HexToAddress(text))
	}
	var names []string
	for _, a := range h.Assets {
		names = append(names, a.Symbol)
	}
	return trustbot.Token{}, trustbot.Errorf(trustbot.EInvalid, "%q is not an asset I know; try one of %s, or a token address.", text, strings.Join(names, ", "))
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
	return link.Address, nil
}

// memberOf names the member linked to an address, a known reserve as its issuer's reserve
// (a layer redeeming from the layer below), or else a short address.
func (h *handlers) memberOf(ctx context.Context, addr common.Address) string {
	if id := h.v.Owner(ctx, addr); id != "" {
		return trustbot.Mention(id)
	}
	if res, err := h.v.ReserveAt(ctx, addr); err == nil {
		if id := h.v.Owner(ctx, res.Issuer); id != "" {
			return trustbot.Mention(id) + "'s reserve"
		}
	}
	return trustbot.ShortAddress(addr)
}

// sign pre-flights calls from the signer and, when they would succeed, makes the signing link.
func (h *handlers) sign(ctx context.Context, r *Request, signer common.Address, kind, summary, text string, calls []trustbot.Call, explain func(*chain.RevertError) error) (*Reply, error) {
	return h.signRequest(ctx, r, trustbot.SigningRequest{UserID: r.User.ID, Signer: signer, Kind: kind, Summary: summary, Calls: calls}, text, explain)
}

// signRequest pre-flights a request's calls from its signer and, when they would succeed, makes
// its signing link, in the channel the command was run in. A request for the user who ran the
// command can edit their reply later. The page names the members known (beside the invoker and
// the members in the options).
func (h *handlers) signRequest(ctx context.Context, r *Request, req trustbot.SigningRequest, text string, explain func(*chain.RevertError) error, known ...trustbot.Member) (*Reply, error) {
	if err := h.Chain.Simulate(ctx, req.Signer, req.Calls); err != nil {
		if rev := (*chain.RevertError)(nil); errors.As(err, &rev) {
			if explain != nil {
				if e := explain(rev); e != nil {
					return nil, e
				}
			}
			if sentence, ok := contractRefusals[rev.Name]; ok {
				return nil, trustbot.Errorf(trustbot.EReverted, "%s Nothing was sent.", sentence)
			}
			return nil, trustbot.Errorf(trustbot.EReverted, "The chain would refuse this (%s); nothing was sent.", describeRevert(rev))
		}
		return nil, err
	}
	req.Labels, req.Units = h.pageNames(ctx, r, req.Signer, req.Calls, known...)
	req.GuildID, req.ChannelID = r.GuildID, r.ChannelID
	if req.UserID == r.User.ID {
		req.InteractionToken = r.Token
	}
	id, url, err := h.Links.SigningLink(ctx, req)
	if err != nil {
		return nil, err
	}
	return &Reply{Text: text, Private: true, Link: &Link{URL: url, Label: "Sign with your wallet"}, RequestID: id}, nil
}

// contractRefusals are the contracts' refusals that mean the same whatever the command, in words.
var contractRefusals = map[string]string{
	"ToReserveItself": "A reserve cannot hold its own tokens: they could never be redeemed. Send them to a person or to another reserve.",
}
