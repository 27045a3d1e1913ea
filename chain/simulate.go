package chain

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/trustbot/trustbot"
)

// RevertError says which call of a batch the chain would refuse, and why. Commands turn it into
// a sentence; its own message is for logs.
type RevertError struct {
	Index int    // the failing call; -1 when the node refused the batch without saying which
	Name  string // the custom error, e.g. "InsufficientReserve"; "Error" or "Panic"; "" unknown
	Args  []any  // its decoded arguments: *big.Int, common.Address, string …
	Data  []byte // the raw revert data
	// Reason is the node's own message ("execution reverted", "insufficient funds for
	// transfer", "out of gas" …).
	Reason string
	// PreState is set when the node lacked eth_simulateV1 and the call was run with eth_call
	// without the effects of some earlier call of the batch (anything but an approve whose
	// allowance could be put in place): that call may well have made it succeed.
	PreState bool
}

func (e *RevertError) Error() string {
	what := "the batch"
	if e.Index >= 0 {
		what = fmt.Sprintf("call %d", e.Index)
	}
	switch {
	case e.Name != "":
		args := make([]string, len(e.Args))
		for i, a := range e.Args {
			args[i] = formatArg(a)
		}
		return fmt.Sprintf("chain: %s would revert: %s(%s)", what, e.Name, strings.Join(args, ", "))
	case len(e.Data) > 0:
		return fmt.Sprintf("chain: %s would revert with data %s", what, hexutil.Encode(e.Data))
	default:
		return fmt.Sprintf("chain: %s would fail: %s", what, e.Reason)
	}
}

// Unwrap gives the revert the code EReverted, with a generic sentence for callers that have no
// better one.
func (e *RevertError) Unwrap() error {
	return trustbot.Errorf(trustbot.EReverted, "The chain would refuse this transaction, so no signing link was made.")
}

// Simulate runs calls in order, as from would send them, in one simulated block on top of the
// latest block (eth_simulateV1 without validation, so from needs no gas money). It returns nil
// when every call succeeds and a *RevertError for the first that fails; an unreachable node
// gives EUnavailable.
//
// A node that answers eth_simulateV1 as a method it lacks (SimulateV1Missing) is remembered as
// such, and from then on each call is run with eth_call against the latest block, all in one
// batch, with the allowance of an approve earlier in calls put in place by a state override (a
// second batch). A revert found without the effects of an earlier call has
// RevertError.PreState set.
func (c *Client) Simulate(ctx context.Context, from common.Address, calls []trustbot.Call) error {
	if len(calls) == 0 {
		return nil
	}
	if c.noSimulateV1.Load() {
		return c.simulateByCall(ctx, from, calls)
	}
	results, err := c.simulateV1(ctx, from, calls)
	if err != nil {
		if isMethodMissing(err) {
			c.noSimulateV1.Store(true)
			return c.simulateByCall(ctx, from, calls)
		}
		if rev := asRefusal(err); rev != nil {
			rev.Index = c.locateRefusal(ctx, from, calls)
			return rev
		}
		return c.fail(ctx, "simulate", err)
	}
	if len(results) != 1 || len(results[0].Calls) != len(calls) {
		return fmt.Errorf("chain: simulate: got %d blocks, want 1 with %d calls", len(results), len(calls))
	}
	for i, r := range results[0].Calls {
		if r.Status == 1 {
			continue
		}
		rev := &RevertError{Index: i}
		if r.Error != nil {
			rev.Reason = r.Error.Message
			if r.Error.Data != "" {
				rev.Data, _ = hexutil.Decode(r.Error.Data)
			}
		}
		if len(rev.Data) == 0 {
			// anvil puts a reverted call's data in returnData only (geth also in error.data).
			rev.Data = r.ReturnValue
		}
		rev.Name, rev.Args = decodeRevert(rev.Data)
		return rev
	}
	return nil
}

// SimulateV1Missing reports whether the node has answered eth_simulateV1 as a method it lacks,
// so that Simulate uses its eth_call fallback.
func (c *Client) SimulateV1Missing() bool { return c.noSimulateV1.Load() }

func (c *Client) simulateV1(ctx context.Context, from common.Address, calls []trustbot.Call) ([]ethclient.SimulateBlockResult, error) {
	msgs := make([]ethereum.CallMsg, len(calls))
	for i, call := range calls {
		to := call.To
		msgs[i] = ethereum.CallMsg{From: from, To: &to, Data: call.Data, Value: trustbot.OrZero(call.Value)}
	}
	latest := rpc.BlockNumberOrHashWithNumber(rpc.LatestBlockNumber)
	cctx, cancel := c.deadline(ctx)
	defer cancel()
	return c.eth.SimulateV1(cctx, ethclient.SimulateOptions{
		BlockStateCalls: []ethclient.SimulateBlock{{Calls: msgs}},
		Validation:      false,
	}, &latest)
}

// locateRefusal finds which call made the node refuse a whole simulation (an invalid
// transaction such as a value above the sender's balance) by simulating ever longer prefixes.
func (c *Client) locateRefusal(ctx context.Context, from common.Address, calls []trustbot.Call) int {
	if len(calls) == 1 {
		return 0
	}
	for n := 1; n < len(calls); n++ {
		if _, err := c.simulateV1(ctx, from, calls[:n]); err != nil {
			if asRefusal(err) != nil {
				return n - 1
			}
			return -1
		}
	}
	return len(calls) - 1
}

// asRefusal turns a JSON-RPC error the node answered with (a revert, an invalid transaction)
// into a RevertError; transport failures and other errors give nil.
func asRefusal(err error) *RevertError {
	if isUnavailable(err) {
		return nil
	}
	var rpcErr rpc.Error
	if !errors.As(err, &rpcErr) {
		return nil
	}
	switch code := rpcErr.ErrorCode(); {
	case code == 3, // execution reverted
		code == -32000,                  // geth's generic "invalid transaction" / "execution reverted"
		code == -32015,                  // VM error
		code <= -38000 && code > -39000: // eth_simulateV1's transaction errors
	default:
		return nil
	}
	rev := &RevertError{Index: -1, Reason: rpcErr.Error()}
	var dataErr rpc.DataError
	if errors.As(err, &dataErr) {
		if s, ok := dataErr.ErrorData().(string); ok {
			rev.Data, _ = hexutil.Decode(s)
		}
	}
	rev.Name, rev.Args = decodeRevert(rev.Data)
	return rev
}

// isMethodMissing reports whether the node does not offer the method it was asked for: -32601,
// or a message saying the method is not found, does not exist or is not supported.
func isMethodMissing(err error) bool {
	var rpcErr rpc.Error
	if !errors.As(err, &rpcErr) {
		return false
	}
	if rpcErr.ErrorCode() == -32601 {
		return true
	}
	msg := strings.ToLower(rpcErr.Error())
	lacks := strings.Contains(msg, "not found") || strings.Contains(msg, "does not exist") ||
		strings.Contains(msg, "not supported") || strings.Contains(msg, "unsupported") ||
		strings.Contains(msg, "not available")
	// Some providers answer a method they lack as invalid params (-32602) or a generic error.
	return lacks && (strings.Contains(msg, "method") || strings.Contains(msg, "simulate"))
}
