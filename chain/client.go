// Package chain is trustbot's side of the blockchain: reads of reserves and tokens, calldata
// builders for every action, pre-flight simulation with decoded reverts, the log watcher that
// feeds the store, a wallet that signs like a browser wallet would, and the embedded dev chain
// of the playground.
//
// Every RPC carries a deadline. When the node cannot be reached (connection refused, timeout,
// HTTP 429 or 5xx) the error has code trustbot.EUnavailable and a sentence for the user; the
// cause stays in the error chain for the log.
package chain

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/internal/stage"
)

// DefaultTimeout is the deadline of one RPC when Client.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// unavailableMessage is what a user sees when the node cannot be reached.
const unavailableMessage = "The chain is unreachable right now; nothing was changed. Try again in a moment."

// Client talks to one node about one chain and one factory.
type Client struct {
	// Timeout is the deadline of each RPC (a batch counts as one); zero means DefaultTimeout.
	Timeout time.Duration

	eth     *ethclient.Client
	rpc     *rpc.Client
	chainID *big.Int
	factory common.Address

	// noSimulateV1 is set once the node has answered eth_simulateV1 as a method it lacks.
	noSimulateV1 atomic.Bool
}

// Dial connects to the JSON-RPC endpoint at rpcURL (HTTP, or anything rpc.Dial accepts) and
// reads the chain id once. Its error reads "rpcURL: what went wrong", e.g. "http://127.0.0.1:1:
// the node does not answer (dial tcp 127.0.0.1:1: connect: connection refused)", for whoever set
// the URL (a password in it is redacted); a node that does not answer also gives the error the
// code EUnavailable.
func Dial(ctx context.Context, rpcURL string, factory common.Address) (*Client, error) {
	rc, err := rpc.DialOptions(ctx, rpcURL, rpc.WithHTTPClient(&http.Client{Transport: nodeTransport()}))
	if err != nil {
		return nil, &nodeError{url: redactURL(rpcURL), reason: fmt.Sprintf("cannot be dialled (%v)", err), errs: []error{err}}
	}
	c := New(ethclient.NewClient(rc), nil, factory)
	cctx, cancel := c.deadline(ctx)
	defer cancel()
	id, err := c.eth.ChainID(cctx)
	if err != nil {
		rc.Close()
		return nil, c.nodeFailed(ctx, redactURL(rpcURL), "the node's chain id cannot be read", err)
	}
	c.chainID = id
	return c, nil
}

// MaxNodeConns bounds the HTTP connections to one node. A burst of commands shares them, the
// rest waiting (within each RPC's deadline) rather than opening a connection each, and as many
// stay open between bursts: net/http's default keeps two, so any concurrency beyond that paid
// a new connection (a TLS handshake, with a node provider) per RPC.
const MaxNodeConns = 64

// nodeTransport is the HTTP transport of a Client's connections to its node.
func nodeTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxConnsPerHost = MaxNodeConns
	t.MaxIdleConnsPerHost = MaxNodeConns
	return t
}

// nodeError is an RPC failure at start (Dial, CheckFactory) for whoever set the node's URL: its
// text says what the node did, after the URL when there is one. It carries the sentence users
// see only for ErrorCode and ErrorMessage (when the node could not be reached), not in its text.
type nodeError struct {
	url    string
	reason string
	errs   []error
}

func (e *nodeError) Error() string {
	if e.url == "" {
		return e.reason
	}
	return e.url + ": " + e.reason
}

func (e *nodeError) Unwrap() []error { return e.errs }

// nodeFailed is the nodeError for an RPC that failed: what could not be done when the node
// answered with an error, or how the node could not be reached.
func (c *Client) nodeFailed(ctx context.Context, url, what string, err error) error {
	e := &nodeError{url: url, errs: []error{err}}
	var httpErr rpc.HTTPError
	var opErr *net.OpError
	unavailable := isUnavailable(err) && !errors.Is(ctx.Err(), context.Canceled)
	switch {
	case errors.As(err, &httpErr) && unavailable:
		e.reason = fmt.Sprintf("the node refuses to serve (HTTP %s)", httpErr.Status)
	case errors.As(err, &httpErr):
		// Its body may be a whole page.
		e.reason = fmt.Sprintf("no JSON-RPC node answers there (HTTP %s)", httpErr.Status)
	case !unavailable:
		e.reason = fmt.Sprintf("%s (%v)", what, err)
	case errors.Is(err, context.DeadlineExceeded):
		d := c.Timeout
		if d <= 0 {
			d = DefaultTimeout
		}
		e.reason = fmt.Sprintf("the node does not answer within %s", d)
	case errors.As(err, &opErr):
		e.reason = fmt.Sprintf("the node does not answer (%v)", opErr)
	default:
		e.reason = fmt.Sprintf("the node does not answer (%v)", err)
	}
	if unavailable {
		e.errs = append(e.errs, trustbot.Errorf(trustbot.EUnavailable, unavailableMessage))
	}
	return e
}

// redactURL is rpcURL with any password replaced by "xxxxx".
func redactURL(rpcURL string) string {
	u, err := url.Parse(rpcURL)
	if err != nil {
		return rpcURL
	}
	return u.Redacted()
}

// New wraps an existing ethclient. chainID is trusted as given.
func New(ec *ethclient.Client, chainID *big.Int, factory common.Address) *Client {
	return &Client{eth: ec, rpc: ec.Client(), chainID: chainID, factory: factory}
}

// ChainID is the chain id read at Dial (or given to New).
func (c *Client) ChainID() *big.Int {
	if c.chainID == nil {
		return nil
	}
	return new(big.Int).Set(c.chainID)
}

// Factory is the TrustReserveFactory address.
func (c *Client) Factory() common.Address { return c.factory }

// Eth is the underlying ethclient (without the deadlines and error mapping of Client).
func (c *Client) Eth() *ethclient.Client { return c.eth }

// Close closes the connection to the node.
func (c *Client) Close() { c.eth.Close() }

func (c *Client) ReadChainID(ctx context.Context) (*big.Int, error) {
	cctx, cancel := c.deadline(ctx)
	defer cancel()
	id, err := c.eth.ChainID(cctx)
	if err != nil {
		return nil, c.fail(ctx, "chain id", err)
	}
	return id, nil
}

// deadline is the context of one RPC: ctx with the Client's per-RPC deadline, its work out of
// any stage it runs in (stage.Outside) until the cancel function is called, since it waits on
// the node.
func (c *Client) deadline(ctx context.Context) (context.Context, context.CancelFunc) {
	d := c.Timeout
	if d <= 0 {
		d = DefaultTimeout
	}
	back := stage.Outside(ctx)
	cctx, cancel := context.WithTimeout(ctx, d)
	return cctx, func() {
		cancel()
		back()
	}
}

// fail turns an RPC error into what callers get: the caller's own cancellation as is, an
// unreachable node as EUnavailable, anything else wrapped with what was being done.
func (c *Client) fail(ctx context.Context, op string, err error) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("chain: %s: %w", op, err)
	}
	if isUnavailable(err) {
		return unavailable(op, err)
	}
	return fmt.Errorf("chain: %s: %w", op, err)
}

// unavailable is the error for an unreachable node: its code is EUnavailable, its message the
// sentence users see, and cause stays in the chain for the log.
func unavailable(op string, cause error) error {
	return fmt.Errorf("chain: %s: %w: %w", op, trustbot.Errorf(trustbot.EUnavailable, unavailableMessage), cause)
}

// isUnavailable reports whether err means the node could not be reached or refused to serve
// for now: a network error, a timeout, HTTP 429 or a 5xx status.
func isUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var httpErr rpc.HTTPError
	if errors.As(err, &httpErr) {
		return httpErr.StatusCode == http.StatusTooManyRequests || httpErr.StatusCode >= 500
	}
	var rpcErr rpc.Error
	if errors.As(err, &rpcErr) {
		return false // the node answered
	}
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, rpc.ErrClientQuit),
		errors.As(err, &netErr):
		return true
	}
	return false
}

// callMsg is one eth_call: from, to, data and value.
type callMsg struct {
	From  common.Address
	To    common.Address
	Data  []byte
	Value *big.Int
}

func (m callMsg) arg() map[string]any {
	a := map[string]any{"from": m.From, "to": m.To, "input": hexutil.Bytes(m.Data)}
	if m.Value != nil && m.Value.Sign() > 0 {
		a["value"] = (*hexutil.Big)(m.Value)
	}
	return a
}

// callBatch runs eth_calls against the latest block in one HTTP request. A call that reverts
// fails the whole batch with its error.
func (c *Client) callBatch(ctx context.Context, op string, msgs ...callMsg) ([][]byte, error) {
	out := make([]hexutil.Bytes, len(msgs))
	elems := make([]rpc.BatchElem, len(msgs))
	for i, m := range msgs {
		elems[i] = rpc.BatchElem{Method: "eth_call", Args: []any{m.arg(), "latest"}, Result: &out[i]}
	}
	cctx, cancel := c.deadline(ctx)
	defer cancel()
	if err := c.rpc.BatchCallContext(cctx, elems); err != nil {
		return nil, c.fail(ctx, op, err)
	}
	res := make([][]byte, len(msgs))
	for i, e := range elems {
		if e.Error != nil {
			return nil, c.fail(ctx, op, e.Error)
		}
		res[i] = out[i]
	}
	return res, nil
}

// BlockNumber is the number of the latest block.
func (c *Client) BlockNumber(ctx context.Context) (uint64, error) {
	cctx, cancel := c.deadline(ctx)
	defer cancel()
	n, err := c.eth.BlockNumber(cctx)
	if err != nil {
		return 0, c.fail(ctx, "block number", err)
	}
	return n, nil
}

// BlockHashes returns the canonical hashes of the given block numbers in one batch; a block the
// node does not have yet gets the zero hash.
func (c *Client) BlockHashes(ctx context.Context, numbers ...uint64) ([]common.Hash, error) {
	type head struct {
		Hash common.Hash `json:"hash"`
	}
	out := make([]*head, len(numbers))
	elems := make([]rpc.BatchElem, len(numbers))
	for i, n := range numbers {
		elems[i] = rpc.BatchElem{Method: "eth_getBlockByNumber", Args: []any{hexutil.Uint64(n), false}, Result: &out[i]}
	}
	cctx, cancel := c.deadline(ctx)
	defer cancel()
	if err := c.rpc.BatchCallContext(cctx, elems); err != nil {
		return nil, c.fail(ctx, "block hashes", err)
	}
	hashes := make([]common.Hash, len(numbers))
	for i, e := range elems {
		if e.Error != nil {
			return nil, c.fail(ctx, "block hashes", e.Error)
		}
		if out[i] != nil {
			hashes[i] = out[i].Hash
		}
	}
	return hashes, nil
}

// FilterLogs is eth_getLogs over [from, to] for addresses.
func (c *Client) FilterLogs(ctx context.Context, from, to uint64, addresses []common.Address) ([]types.Log, error) {
	cctx, cancel := c.deadline(ctx)
	defer cancel()
	logs, err := c.eth.FilterLogs(cctx, ethereum.FilterQuery{
		FromBlock: new(big.Int).SetUint64(from),
		ToBlock:   new(big.Int).SetUint64(to),
		Addresses: addresses,
	})
	if err != nil {
		return nil, c.fail(ctx, fmt.Sprintf("logs of blocks %d-%d", from, to), err)
	}
	return logs, nil
}

// Receipt returns a transaction's receipt, or ethereum.NotFound while it is not mined.
func (c *Client) Receipt(ctx context.Context, hash common.Hash) (*types.Receipt, error) {
	cctx, cancel := c.deadline(ctx)
	defer cancel()
	r, err := c.eth.TransactionReceipt(cctx, hash)
	if errors.Is(err, ethereum.NotFound) {
		return nil, err
	} else if err != nil {
		return nil, c.fail(ctx, "receipt "+hash.Hex(), err)
	}
	return r, nil
}
