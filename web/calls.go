package web

import (
	"bytes"
	"fmt"
	"math/big"
	"net/url"
	"strings"

	"github.com/trustbot/trustbot/web/wire"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
)

// describe decodes a call with chain.DecodeCall and writes each argument in the signer's terms
// too: an address by its label, an amount in unit (when unit has a symbol). A call of a
// function trustbot does not know, or one that does not parse, gives nil: the page then shows
// its raw calldata only.
func describe(c trustbot.Call, labels map[common.Address]string, unit trustbot.Token) (trustbot.Call, chain.Described, *wire.Decoded) {
	d, err := chain.DecodeCall(c)
	if err != nil {
		return c, chain.Described{}, nil
	}
	out := &wire.Decoded{Method: d.Method, Signature: d.Signature, Args: []wire.Arg{}}
	for _, a := range d.Args {
		out.Args = append(out.Args, wire.Arg{Name: a.Name, Type: a.Type, Value: a.Value, Display: display(a, labels, unit)})
	}
	return c, d, out
}

// display writes a decoded argument for the signer: addresses by label (else shortened),
// integers as amounts of unit ("all" for 2^256−1, what a revoke of everything sends), lists
// item by item. It is "" when it would only repeat the raw value.
func display(a chain.Arg, labels map[common.Address]string, unit trustbot.Token) string {
	elem, list := strings.CutSuffix(a.Type, "[]")
	if strings.ContainsAny(elem, "[(") {
		return ""
	}
	items := []string{a.Value}
	if list {
		inner := strings.TrimSuffix(strings.TrimPrefix(a.Value, "["), "]")
		items = nil
		if inner != "" {
			items = strings.Split(inner, ", ")
		}
	}
	var out []string
	for _, v := range items {
		switch {
		case elem == "address" && common.IsHexAddress(v):
			out = append(out, addressName(common.HexToAddress(v), labels))
		case strings.HasPrefix(elem, "uint") && unit.Symbol != "":
			n, ok := new(big.Int).SetString(v, 10)
			if !ok {
				return ""
			}
			if n.Cmp(trustbot.MaxUint256()) == 0 {
				out = append(out, "all")
			} else {
				out = append(out, trustbot.Money(n, unit.Decimals, unit.Symbol))
			}
		default:
			return ""
		}
	}
	if list {
		return strings.Join(out, ", ")
	}
	return out[0]
}

// addressName is an address's label, else its short form.
func addressName(a common.Address, labels map[common.Address]string) string {
	if l := labels[a]; l != "" {
		return l
	}
	return trustbot.ShortAddress(a)
}

// weiPerEther is 10^18.
var weiPerEther = new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)

// formatEther renders a decimal amount of wei in ether, without trailing
// zeros: "1.5", "0.000000000000001", "0". Text that is not a number is
// returned as it is.
func formatEther(wei string) string {
	v, ok := new(big.Int).SetString(wei, 10)
	if !ok || v.Sign() < 0 {
		return wei
	}
	whole, frac := new(big.Int).QuoRem(v, weiPerEther, new(big.Int))
	if frac.Sign() == 0 {
		return whole.String()
	}
	f := strings.TrimRight(fmt.Sprintf("%018s", frac.String()), "0")
	return whole.String() + "." + f
}

// eip681Scalar reports whether an ABI type can be a parameter of an
// EIP-681 URI (arrays and tuples cannot).
func eip681Scalar(typ string) bool {
	if strings.ContainsAny(typ, "[(") {
		return false
	}
	switch {
	case typ == "address", typ == "bool", typ == "string", typ == "bytes",
		strings.HasPrefix(typ, "uint"), strings.HasPrefix(typ, "int"), strings.HasPrefix(typ, "bytes"):
		return true
	}
	return false
}

// eip681 is the EIP-681 payment-request URI of one call, which a phone
// wallet can scan: ethereum:<to>@<chain id>[/<function>][?<type>=<value>&…&value=<wei>].
// It is "" for a call it cannot express: calldata of an unknown function,
// or arguments of array type.
func eip681(chainID uint64, c trustbot.Call, d chain.Described, decoded *wire.Decoded) string {
	if decoded == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "ethereum:%s@%d", c.To.Hex(), chainID)
	var params []string
	if len(c.Data) > 0 {
		b.WriteString("/" + d.Method)
		for _, a := range d.Args {
			if !eip681Scalar(a.Type) {
				return ""
			}
			params = append(params, a.Type+"="+strings.ReplaceAll(url.QueryEscape(a.Value), "+", "%20"))
		}
	}
	if c.Value != nil && c.Value.Sign() > 0 {
		params = append(params, "value="+c.Value.String())
	}
	if len(params) > 0 {
		b.WriteString("?" + strings.Join(params, "&"))
	}
	return b.String()
}

// Selectors the calls are checked against.
var (
	selApprove           = selector("approve(address,uint256)")
	selDeposit           = selector("deposit(uint256)")
	selIncreaseAllowance = selector("increaseAllowance(address,uint256)")
	selPermit            = selector("permit(address,address,uint256,uint256,uint8,bytes32,bytes32)")
	selSetApprovalForAll = selector("setApprovalForAll(address,bool)")
)

func selector(sig string) []byte { return crypto.Keccak256([]byte(sig))[:4] }

// checkApprovals refuses calls that hand out a spending right other than the
// one a deposit needs: an approve must be followed at once by a deposit of
// the same amount into the approved spender (the reserve), and allowance
// increases, permits and operator approvals are never asked for. An approve
// of 0 (resetting a leftover allowance, as USDT needs before a new one) hands
// out nothing and may stand anywhere. Calls that do not parse are left to the
// store to refuse.
func checkApprovals(calls []trustbot.Call) error {
	for i, c := range calls {
		if len(c.Data) < 4 {
			continue
		}
		sel := c.Data[:4]
		switch {
		case bytes.Equal(sel, selIncreaseAllowance), bytes.Equal(sel, selPermit), bytes.Equal(sel, selSetApprovalForAll):
			return trustbot.Errorf(trustbot.EInvalid, "Call %d hands out a spending right; a signing request may only approve a reserve for its own deposit.", i)
		case !bytes.Equal(sel, selApprove):
			continue
		}
		if len(c.Data) != 4+64 {
			return trustbot.Errorf(trustbot.EInvalid, "Call %d is a malformed approve.", i)
		}
		spender := common.BytesToAddress(c.Data[4:36])
		amount := c.Data[36:68]
		if bytes.Equal(amount, make([]byte, 32)) {
			continue // an approve of 0 takes a spending right away
		}
		if i+1 < len(calls) {
			if next := calls[i+1]; next.To == spender && len(next.Data) == 36 &&
				bytes.Equal(next.Data[:4], selDeposit) && bytes.Equal(next.Data[4:], amount) {
				continue
			}
		}
		return trustbot.Errorf(trustbot.EInvalid,
			"Call %d approves %s to spend tokens, but the next call is not a deposit of that amount into it; a signing request may only approve a reserve for its own deposit.",
			i, spender.Hex())
	}
	return nil
}
