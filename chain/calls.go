package chain

import (
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/trustbot/trustbot"
)

// CreateReserve deploys the signer's reserve of asset (zero = native coin) through the factory.
func CreateReserve(factory, asset common.Address, name, symbol string) trustbot.Call {
	return trustbot.Call{To: factory, Data: factoryBind.PackCreate(asset, name, symbol)}
}

// Approve lets spender move amount of the signer's token.
func Approve(token, spender common.Address, amount *big.Int) trustbot.Call {
	return trustbot.Call{To: token, Data: erc20Bind.PackApprove(spender, trustbot.OrZero(amount))}
}

// Deposit adds amount of backing to reserve. The native coin is one call carrying the value;
// an ERC-20 is two: approve the reserve for amount, then deposit.
func Deposit(reserve common.Address, asset trustbot.Token, amount *big.Int) []trustbot.Call {
	amount = trustbot.OrZero(amount)
	dep := trustbot.Call{To: reserve, Data: reserveBind.PackDeposit(amount)}
	if asset.Native() {
		dep.Value = new(big.Int).Set(amount)
		return []trustbot.Call{dep}
	}
	return []trustbot.Call{Approve(asset.Address, reserve, amount), dep}
}

// DepositAllowed is Deposit from a signer who has already allowed the reserve to take allowance
// of an ERC-20 asset. An allowance of exactly amount needs no approve; another non-zero one is
// set to 0 first, since tokens like USDT refuse an approve from one non-zero allowance to
// another; a zero or nil allowance is Deposit.
func DepositAllowed(reserve common.Address, asset trustbot.Token, amount, allowance *big.Int) []trustbot.Call {
	calls := Deposit(reserve, asset, amount)
	allowance = trustbot.OrZero(allowance)
	if asset.Native() || allowance.Sign() == 0 {
		return calls
	}
	if allowance.Cmp(trustbot.OrZero(amount)) == 0 {
		return calls[1:]
	}
	return append([]trustbot.Call{Approve(asset.Address, reserve, new(big.Int))}, calls...)
}

// Pay sends amount of asset from the signer to to: the native coin as a plain transfer, an
// ERC-20 with transfer.
func Pay(asset trustbot.Token, to common.Address, amount *big.Int) trustbot.Call {
	amount = trustbot.OrZero(amount)
	if asset.Native() {
		return trustbot.Call{To: to, Value: new(big.Int).Set(amount)}
	}
	return trustbot.Call{To: asset.Address, Data: erc20Bind.PackTransfer(to, amount)}
}

// Withdraw takes amount of backing out of reserve to to (issuer only).
func Withdraw(reserve common.Address, amount *big.Int, to common.Address) trustbot.Call {
	return trustbot.Call{To: reserve, Data: reserveBind.PackWithdraw(trustbot.OrZero(amount), to)}
}

// Trust extends holder's budget by amount and mints amount to them (issuer only).
func Trust(reserve, holder common.Address, amount *big.Int) trustbot.Call {
	return trustbot.Call{To: reserve, Data: reserveBind.PackTrust(holder, trustbot.OrZero(amount))}
}

// Reup mints holder back up to their budget, at most maxMint (issuer only).
func Reup(reserve, holder common.Address, maxMint *big.Int) trustbot.Call {
	return trustbot.Call{To: reserve, Data: reserveBind.PackReup(holder, trustbot.OrZero(maxMint))}
}

// ReupMany is Reup for many holders in one transaction; maxMints[i] goes with holders[i].
func ReupMany(reserve common.Address, holders []common.Address, maxMints []*big.Int) trustbot.Call {
	mints := make([]*big.Int, len(maxMints))
	for i, m := range maxMints {
		mints[i] = trustbot.OrZero(m)
	}
	if holders == nil {
		holders = []common.Address{}
	}
	return trustbot.Call{To: reserve, Data: reserveBind.PackReupMany(holders, mints)}
}

// Revoke cuts holder's budget by amount and burns up to amount of their tokens (issuer only);
// a nil amount revokes everything (type(uint256).max).
func Revoke(reserve, holder common.Address, amount *big.Int) trustbot.Call {
	if amount == nil {
		amount = trustbot.MaxUint256()
	}
	return trustbot.Call{To: reserve, Data: reserveBind.PackRevoke(holder, amount)}
}

// Redeem burns amount of the signer's tokens and pays amount of the asset to to.
func Redeem(reserve common.Address, amount *big.Int, to common.Address) trustbot.Call {
	return trustbot.Call{To: reserve, Data: reserveBind.PackRedeem(trustbot.OrZero(amount), to)}
}

// RedeemDeep is Redeem that unwinds layered reserves down to the base asset.
func RedeemDeep(reserve common.Address, amount *big.Int, to common.Address) trustbot.Call {
	return trustbot.Call{To: reserve, Data: reserveBind.PackRedeemDeep(trustbot.OrZero(amount), to)}
}

// Described is a call in words: the function and its named arguments.
type Described struct {
	To        common.Address
	Method    string // "trust"; "" for a plain transfer of the native coin
	Signature string // "trust(address,uint256)"
	Args      []Arg
	Value     *big.Int // wei sent along
}

// Arg is one named argument, rendered as text: addresses checksummed, integers in decimal
// (base units), lists in brackets.
type Arg struct {
	Name  string
	Type  string
	Value string
}

// String is the call as one line: trust(holder=0x…, amount=100000000).
func (d Described) String() string {
	parts := make([]string, len(d.Args))
	for i, a := range d.Args {
		parts[i] = a.Name + "=" + a.Value
	}
	s := d.Method + "(" + strings.Join(parts, ", ") + ")"
	if d.Method == "" {
		s = "transfer"
	}
	if d.Value != nil && d.Value.Sign() > 0 {
		s += " with " + d.Value.String() + " wei"
	}
	return s
}

// ErrUnknownCall is returned by DecodeCall for calldata of no function of the factory, a
// reserve or an ERC-20.
var ErrUnknownCall = errors.New("chain: unknown function")

// DecodeCall describes a call to the factory, a reserve (its own functions and ERC-20 ones) or
// an ERC-20 token (approve, transfer, …).
func DecodeCall(c trustbot.Call) (Described, error) {
	d := Described{To: c.To, Value: trustbot.OrZero(c.Value)}
	if len(c.Data) == 0 {
		return d, nil
	}
	if len(c.Data) < 4 {
		return Described{}, fmt.Errorf("%w: calldata of %d bytes", ErrUnknownCall, len(c.Data))
	}
	var method *abi.Method
	for _, a := range []abi.ABI{factoryABI, reserveABI, erc20ABI} {
		if m, err := a.MethodById(c.Data[:4]); err == nil {
			method = m
			break
		}
	}
	if method == nil {
		return Described{}, fmt.Errorf("%w: selector %x", ErrUnknownCall, c.Data[:4])
	}
	values, err := method.Inputs.Unpack(c.Data[4:])
	if err != nil {
		return Described{}, fmt.Errorf("chain: decode %s: %w", method.Sig, err)
	}
	d.Method, d.Signature = method.RawName, method.Sig
	for i, in := range method.Inputs {
		d.Args = append(d.Args, Arg{Name: strings.TrimSuffix(in.Name, "_"), Type: in.Type.String(), Value: formatArg(values[i])})
	}
	return d, nil
}

// formatArg renders a decoded argument for people.
func formatArg(v any) string {
	switch x := v.(type) {
	case common.Address:
		return x.Hex()
	case *big.Int:
		return x.String()
	case []common.Address:
		parts := make([]string, len(x))
		for i, a := range x {
			parts[i] = a.Hex()
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []*big.Int:
		parts := make([]string, len(x))
		for i, n := range x {
			parts[i] = n.String()
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []byte:
		return hexutil.Encode(x)
	case [32]byte:
		return hexutil.Encode(x[:])
	default:
		return fmt.Sprint(v)
	}
}
