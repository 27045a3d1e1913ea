package chain

import (
	"bytes"
	"context"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/trustbot/trustbot"
)

// The fallback pre-flight for nodes without eth_simulateV1.
//
// Each call is run with eth_call against the latest block, so it does not see the effects of the
// calls before it. The one such effect the bot's requests rely on is an ERC-20 approve before a
// call that pulls the approved tokens (approve, then deposit). Its effect is put in place with an
// eth_call state override of the token's allowance slot. Which slot holds allowance(from,
// spender) depends on the token's storage layout, so a few layouts are tried (Solady's, and
// Solidity's mapping(owner => mapping(spender => amount)) at the first slots) and a slot counts
// only when allowance() read with that slot overridden returns the approved amount. When no slot
// is found (another layout, or a node without state overrides) a later call that fails only
// because its pull of the token failed, while the signer holds the approved amount, passes: the
// missing allowance is the one thing the approve changes.

// maxMappingSlot is the last storage slot tried for a token's allowance mapping.
const maxMappingSlot = 15

// soladyAllowanceSeed is Solady ERC-20's _ALLOWANCE_SLOT_SEED.
var soladyAllowanceSeed = common.FromHex("7f5e9f20")

// approval is an ERC-20 approve of a batch, whose effect on the token later calls may need.
type approval struct {
	index          int
	token, spender common.Address
	amount         *big.Int
	slots          []common.Hash // where allowance(from, spender) may be stored

	balance  hexutil.Bytes   // the signer's balance of the token
	current  hexutil.Bytes   // allowance(from, spender) now
	verified []hexutil.Bytes // allowance(from, spender) with slots[k] overridden
	// slot is the index in slots of the allowance, -1 when none was found; noop when the
	// allowance already is the amount approved.
	slot int
	noop bool
	// currentAt is the element of the first batch that reads current.
	currentAt int
}

// asApproval is call as an approve, or nil.
func asApproval(call trustbot.Call) *approval {
	m := erc20ABI.Methods["approve"]
	if len(call.Data) < 4 || !bytes.Equal(call.Data[:4], m.ID) {
		return nil
	}
	v, err := m.Inputs.Unpack(call.Data[4:])
	if err != nil || len(v) != 2 {
		return nil
	}
	spender, ok1 := v[0].(common.Address)
	amount, ok2 := v[1].(*big.Int)
	if !ok1 || !ok2 {
		return nil
	}
	return &approval{token: call.To, spender: spender, amount: amount, slot: -1}
}

// allowanceSlots are the storage slots where a token may keep allowance(owner, spender).
func allowanceSlots(owner, spender common.Address) []common.Hash {
	// Solady: keccak256(owner ‖ _ALLOWANCE_SLOT_SEED ‖ spender), 20 + 12 + 20 bytes.
	solady := crypto.Keccak256Hash(owner.Bytes(), common.LeftPadBytes(soladyAllowanceSeed, 12), spender.Bytes())
	out := []common.Hash{solady}
	for p := range int64(maxMappingSlot + 1) {
		inner := crypto.Keccak256(common.LeftPadBytes(owner.Bytes(), 32), common.BigToHash(big.NewInt(p)).Bytes())
		out = append(out, crypto.Keccak256Hash(common.LeftPadBytes(spender.Bytes(), 32), inner))
	}
	return out
}

// override is an eth_call state override: per account, storage slots set to values.
type override map[common.Address]map[string]map[common.Hash]common.Hash

func (o override) set(account common.Address, slot common.Hash, value *big.Int) {
	if o[account] == nil {
		o[account] = map[string]map[common.Hash]common.Hash{"stateDiff": {}}
	}
	o[account]["stateDiff"][slot] = common.BigToHash(value)
}

// simulateByCall is Simulate for nodes without eth_simulateV1. It costs one JSON-RPC batch, and
// a second one when an approve comes before other calls.
func (c *Client) simulateByCall(ctx context.Context, from common.Address, calls []trustbot.Call) error {
	var approvals []*approval
	for i, call := range calls[:len(calls)-1] {
		if a := asApproval(call); a != nil {
			a.index, a.slots = i, allowanceSlots(from, a.spender)
			a.verified = make([]hexutil.Bytes, len(a.slots))
			approvals = append(approvals, a)
		}
	}
	first := len(calls)
	if len(approvals) > 0 {
		first = approvals[0].index + 1
	}

	// Each call alone, and for each approve the signer's balance, the allowance now and the
	// allowance with each candidate slot overridden.
	plain := make([]hexutil.Bytes, len(calls))
	var elems []rpc.BatchElem
	for i, call := range calls {
		elems = append(elems, ethCall(callMsg{From: from, To: call.To, Data: call.Data, Value: call.Value}, nil, &plain[i]))
	}
	for _, a := range approvals {
		allowance := callMsg{From: from, To: a.token, Data: erc20Bind.PackAllowance(from, a.spender)}
		a.currentAt = len(elems) + 1
		elems = append(elems,
			ethCall(callMsg{From: from, To: a.token, Data: erc20Bind.PackBalanceOf(from)}, nil, &a.balance),
			ethCall(allowance, nil, &a.current))
		for k, slot := range a.slots {
			o := override{}
			o.set(a.token, slot, a.amount)
			elems = append(elems, ethCall(allowance, o, &a.verified[k]))
		}
	}
	if err := c.batch(ctx, elems); err != nil {
		return err
	}
	for i := range first {
		if err := elems[i].Error; err != nil {
			return c.revertOf(ctx, i, err, i > 0)
		}
	}
	if first == len(calls) {
		return nil
	}
	for _, a := range approvals {
		a.noop = elems[a.currentAt].Error == nil && sameUint(a.current, a.amount)
		for k := range a.slots {
			if !a.noop && sameUint(a.verified[k], a.amount) {
				a.slot = k
				break
			}
		}
	}

	// The calls after the first approve, again, with the approvals before each in place.
	again := make([]hexutil.Bytes, len(calls))
	known := make([]bool, len(calls))
	var rerun []rpc.BatchElem
	var rerunOf []int
	for i := first; i < len(calls); i++ {
		o, ok := override{}, true
		for _, a := range approvals {
			switch {
			case a.index >= i || a.noop:
			case a.slot < 0:
				ok = false
			default:
				o.set(a.token, a.slots[a.slot], a.amount)
			}
		}
		if !ok {
			continue
		}
		known[i] = true
		rerun = append(rerun, ethCall(callMsg{From: from, To: calls[i].To, Data: calls[i].Data, Value: calls[i].Value}, o, &again[i]))
		rerunOf = append(rerunOf, i)
	}
	if len(rerun) > 0 {
		if err := c.batch(ctx, rerun); err != nil {
			return err
		}
	}
	results := make(map[int]error, len(rerun))
	for k, i := range rerunOf {
		results[i] = rerun[k].Error
	}
	for i := first; i < len(calls); i++ {
		before := otherCallsBefore(calls, i)
		if known[i] {
			if err := results[i]; err != nil {
				return c.revertOf(ctx, i, err, before)
			}
			continue
		}
		err := elems[i].Error
		if err == nil {
			continue
		}
		if rev := asRefusal(err); rev != nil && pullFailed(rev) && approvedFor(approvals, calls[i].To, i) {
			continue
		}
		return c.revertOf(ctx, i, err, true)
	}
	return nil
}

// ethCall is one element of a batch: eth_call of m against the latest block, with o when set.
func ethCall(m callMsg, o override, out *hexutil.Bytes) rpc.BatchElem {
	args := []any{m.arg(), "latest"}
	if len(o) > 0 {
		args = append(args, o)
	}
	return rpc.BatchElem{Method: "eth_call", Args: args, Result: out}
}

// batch sends elems in one request; only the request's own failure is an error.
func (c *Client) batch(ctx context.Context, elems []rpc.BatchElem) error {
	cctx, cancel := c.deadline(ctx)
	defer cancel()
	if err := c.rpc.BatchCallContext(cctx, elems); err != nil {
		return c.fail(ctx, "simulate", err)
	}
	return nil
}

// revertOf is the RevertError of call i from the error its eth_call answered, or the failure
// when the node did not answer with a refusal.
func (c *Client) revertOf(ctx context.Context, i int, err error, preState bool) error {
	rev := asRefusal(err)
	if rev == nil {
		return c.fail(ctx, "simulate", err)
	}
	rev.Index, rev.PreState = i, preState
	return rev
}

// otherCallsBefore reports whether a call before i is not an approve: its effects were not
// simulated.
func otherCallsBefore(calls []trustbot.Call, i int) bool {
	for _, call := range calls[:i] {
		if asApproval(call) == nil {
			return true
		}
	}
	return false
}

// sameUint reports whether an eth_call result is the uint256 want.
func sameUint(got hexutil.Bytes, want *big.Int) bool {
	return len(got) == 32 && new(big.Int).SetBytes(got).Cmp(want) == 0
}

// pullFailed reports whether a revert is a failed pull of ERC-20 tokens: the reserve's
// TransferFailed, Solady's TransferFromFailed, a token's InsufficientAllowance, or an Error
// string about the allowance.
func pullFailed(rev *RevertError) bool {
	switch rev.Name {
	case "TransferFailed", "TransferFromFailed", "InsufficientAllowance":
		return true
	case "Error":
		if len(rev.Args) == 1 {
			s, _ := rev.Args[0].(string)
			return strings.Contains(strings.ToLower(s), "allowance")
		}
	}
	return false
}

// approvedFor reports whether an approve before call i lets spender pull tokens the signer
// holds: with its balance covering the amount approved.
func approvedFor(approvals []*approval, spender common.Address, i int) bool {
	for _, a := range approvals {
		if a.index < i && a.spender == spender && len(a.balance) == 32 && new(big.Int).SetBytes(a.balance).Cmp(a.amount) >= 0 {
			return true
		}
	}
	return false
}
