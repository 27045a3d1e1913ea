// Package web serves trustbot's signing links: the pages where a user's own
// wallet signs exactly the transactions the bot prepared ({PUBLIC_URL}/s/{id}),
// and the pages where a user proves with EIP-4361 (Sign-In with Ethereum)
// that they control an address ({PUBLIC_URL}/l/{nonce}).
//
// The server never believes a reported transaction hash blindly: it fetches
// the transaction from the chain and checks chain id, recipient, calldata,
// value and sender against the request before it records the hash. A wallet
// link is only made after every field of the signed message matches what was
// issued and the signature recovers to the message's address.
//
// Users only ever see the message of a *trustbot.Error; everything else is
// logged with its context and shown as a generic sentence. Request ids and
// sign-in nonces are bearer secrets, so logs only carry their first six
// characters.
package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/trustbot/trustbot/web/siwe"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/trustbot/trustbot"
)

// Default and maximum lifetimes of the links.
const (
	DefaultLinkTTL = 15 * time.Minute // signing requests
	MaxSIWETTL     = 10 * time.Minute // sign-in messages: EIP-4361 expiration at most this after issuance
)

// Config is what the web server needs to know about where it runs.
type Config struct {
	PublicURL   string        // the base URL users open, e.g. http://127.0.0.1:8080 (no query or fragment)
	ChainID     uint64        // the chain every request and wallet link is for
	RPCURL      string        // handed to the page for wallet_addEthereumChain
	ExplorerURL string        // handed to the page to link transactions; optional
	ChainName   string        // the chain's name, shown and handed to wallet_addEthereumChain; "" means a well-known name or "Chain {ChainID}"
	LinkTTL     time.Duration // lifetime of a signing request; 0 means DefaultLinkTTL
	SIWETTL     time.Duration // lifetime of a sign-in link; 0 means MaxSIWETTL, more is capped to it
}

// chainNames are the names of well-known chains, the default ChainName.
var chainNames = map[uint64]string{
	1:        "Ethereum",
	10:       "OP Mainnet",
	8453:     "Base",
	42161:    "Arbitrum One",
	84532:    "Base Sepolia",
	11155111: "Sepolia",
	1337:     "Local dev chain", // the embedded dev chain (and other local nodes)
}

// withDefaults fills in the zero durations and caps SIWETTL.
func (c Config) withDefaults() Config {
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	c.ExplorerURL = strings.TrimRight(c.ExplorerURL, "/")
	if c.ChainName == "" {
		c.ChainName = chainNames[c.ChainID]
	}
	if c.ChainName == "" {
		c.ChainName = fmt.Sprintf("Chain %d", c.ChainID)
	}
	if c.LinkTTL == 0 {
		c.LinkTTL = DefaultLinkTTL
	}
	if c.SIWETTL == 0 || c.SIWETTL > MaxSIWETTL {
		c.SIWETTL = MaxSIWETTL
	}
	return c
}

// Validate reports what is wrong with the configuration (after defaults are
// applied), or nil; New refuses such a configuration with the same error.
func (c Config) Validate() error {
	c = c.withDefaults()
	u, err := url.Parse(c.PublicURL)
	switch {
	case c.PublicURL == "":
		return errors.New("web: PUBLIC_URL is empty")
	case err != nil:
		return fmt.Errorf("web: PUBLIC_URL %q: %w", c.PublicURL, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("web: PUBLIC_URL %q: scheme must be http or https", c.PublicURL)
	case u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		return fmt.Errorf("web: PUBLIC_URL %q: want scheme://host[:port][/path] and nothing else", c.PublicURL)
	case !siwe.ValidAuthority(u.Host):
		return fmt.Errorf("web: PUBLIC_URL %q: host %q is not valid in a sign-in message", c.PublicURL, u.Host)
	case !siwe.ValidURI(c.PublicURL):
		return fmt.Errorf("web: PUBLIC_URL %q is not a valid URI", c.PublicURL)
	case c.ChainID == 0 || c.ChainID > math.MaxInt64:
		return fmt.Errorf("web: chain id %d is out of range", c.ChainID)
	case c.RPCURL != "" && !isHTTPURL(c.RPCURL):
		return fmt.Errorf("web: RPC URL %q: want an http or https URL", c.RPCURL)
	case c.ExplorerURL != "" && !isHTTPURL(c.ExplorerURL):
		return fmt.Errorf("web: explorer URL %q: want an http or https URL", c.ExplorerURL)
	case c.LinkTTL < 0:
		return fmt.Errorf("web: LINK_TTL %s is negative", c.LinkTTL)
	case c.SIWETTL < 0:
		return fmt.Errorf("web: SIWE TTL %s is negative", c.SIWETTL)
	}
	return nil
}

// isHTTPURL reports whether s is an absolute http or https URL with a host,
// the only kind the pages link to or hand to a wallet.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil
}

// Store is what the pages read and write: signing requests, sign-in nonces and wallet links.
type Store interface {
	CreateRequest(ctx context.Context, r trustbot.SigningRequest) (trustbot.SigningRequest, error)
	Request(ctx context.Context, id string) (trustbot.SigningRequest, error)
	MarkOpened(ctx context.Context, id string) (trustbot.SigningRequest, error)
	RecordTx(ctx context.Context, id string, idx int, hash common.Hash) (trustbot.SigningRequest, error)
	CreateNonce(ctx context.Context, n trustbot.SignInNonce) (trustbot.SignInNonce, error)
	Nonce(ctx context.Context, nonce string) (trustbot.SignInNonce, error)
	UseNonce(ctx context.Context, nonce, userID string) (trustbot.SignInNonce, error)
	UserByAddress(ctx context.Context, addr common.Address) (trustbot.WalletLink, error)
	LinkWallet(ctx context.Context, link trustbot.WalletLink) (trustbot.WalletLink, error)
	MarkStale(ctx context.Context, id, reason string) (trustbot.SigningRequest, error)
}

// Checker runs the calls of a signing request its signer has still to send, as the signer would
// send them now (the pre-flight that came before the link, run again). It returns nil when the
// chain would take them; a *trustbot.Error of code EReverted saying in words what changed since
// the link was made when the chain would refuse them; any other error when it cannot tell (an
// unreachable chain is EUnavailable).
type Checker interface {
	Recheck(ctx context.Context, r trustbot.SigningRequest) error
}

// TxSource looks up a transaction by hash; *ethclient.Client satisfies it.
// A transaction it does not know must come back as ethereum.NotFound.
type TxSource interface {
	TransactionByHash(ctx context.Context, hash common.Hash) (tx *types.Transaction, isPending bool, err error)
}

// Server serves the signing and wallet-linking pages and their JSON API.
type Server struct {
	// OnLinked, when set, is called after a wallet was linked through a
	// sign-in link. Set it before serving; it runs on the request's
	// goroutine, so it should return promptly.
	OnLinked func(ctx context.Context, link trustbot.WalletLink)

	cfg    Config
	domain string // PublicURL's host[:port], the EIP-4361 domain
	scheme string // PublicURL's scheme
	db     Store
	txs    TxSource
	caller ethereum.ContractCaller // EIP-1271 checks of smart-contract wallets; nil turns them off
	check  Checker                 // nil: requests are not checked again after their link was made
	now    func() time.Time
	log    *slog.Logger
}

// New makes a Server. now is the clock (nil means time.Now) and log the
// logger (nil discards). A cfg that does not pass Validate is its error.
//
// When txs can also call contracts (an *ethclient.Client can), sign-in
// signatures of smart-contract wallets are checked with EIP-1271 through it;
// SetCaller changes or turns off that.
func New(cfg Config, db Store, txs TxSource, now func() time.Time, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	u, _ := url.Parse(cfg.PublicURL) // checked by Validate
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{
		cfg:    cfg,
		domain: u.Host,
		scheme: u.Scheme,
		db:     db,
		txs:    txs,
		now:    now,
		log:    log,
	}
	if c, ok := txs.(ethereum.ContractCaller); ok {
		s.caller = c
	}
	return s, nil
}

// SetCaller sets what checks EIP-1271 signatures of smart-contract wallets
// (eth_getCode and eth_call on the configured chain); nil turns the check
// off, so only signatures of plain accounts link. Call it before serving.
func (s *Server) SetCaller(c ethereum.ContractCaller) {
	s.caller = c
}

// SetChecker sets what runs a request's calls again when its page is opened and before each
// send; a request the chain would now refuse goes stale. nil turns the check off. Call it before
// serving.
func (s *Server) SetChecker(c Checker) {
	s.check = c
}

// redactedError keeps an error's chain for errors.Is/As but shows its text
// with secrets shortened, so it can be returned to callers that log it.
type redactedError struct {
	err  error
	text string
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }

// redact wraps err with context, replacing every secret in its text by its
// first six characters. *trustbot.Error values (the store's errors share the
// type) are returned as they are: their messages are meant for users and
// never carry secrets.
func redact(err error, context string, secrets ...string) error {
	if err == nil {
		return nil
	}
	var te *trustbot.Error
	if errors.As(err, &te) {
		return err
	}
	text := err.Error()
	for _, s := range secrets {
		if s != "" {
			text = strings.ReplaceAll(text, s, trustbot.ShortID(s)+"…")
		}
	}
	return &redactedError{err: err, text: context + ": " + text}
}
