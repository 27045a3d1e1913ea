package chain

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/trustbot/trustbot/chain/bindings"
)

// The contracts' bindings and ABIs, parsed once.
var (
	reserveBind = bindings.NewTrustReserve()
	factoryBind = bindings.NewTrustReserveFactory()
	erc20Bind   = bindings.NewTestUSD() // a Solady ERC-20: the standard functions of any token

	reserveABI = reserveBind.GetABI()
	factoryABI = factoryBind.GetABI()
	erc20ABI   = erc20Bind.GetABI()
)

// maxUint256 is type(uint256).max.
var maxUint256 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))

// revertErrors maps a 4-byte selector to the error it names: the custom errors of TrustReserve,
// TrustReserveFactory and TestUSD, and Solidity's Error(string) and Panic(uint256).
var revertErrors = func() map[[4]byte]abi.Error {
	m := make(map[[4]byte]abi.Error)
	add := func(e abi.Error) {
		var sel [4]byte
		copy(sel[:], e.ID[:4])
		if _, ok := m[sel]; !ok {
			m[sel] = e
		}
	}
	for _, a := range []abi.ABI{reserveABI, factoryABI, erc20ABI} {
		for _, e := range a.Errors {
			add(e)
		}
	}
	stringT, _ := abi.NewType("string", "", nil)
	uintT, _ := abi.NewType("uint256", "", nil)
	add(abi.NewError("Error", abi.Arguments{{Name: "message", Type: stringT}}))
	add(abi.NewError("Panic", abi.Arguments{{Name: "code", Type: uintT}}))
	return m
}()

// decodeRevert names the error in revert data and decodes its arguments (*big.Int,
// common.Address, string …). Unknown or malformed data gives "".
func decodeRevert(data []byte) (string, []any) {
	if len(data) < 4 {
		return "", nil
	}
	var sel [4]byte
	copy(sel[:], data[:4])
	e, ok := revertErrors[sel]
	if !ok {
		return "", nil
	}
	args, err := e.Inputs.Unpack(data[4:])
	if err != nil {
		return "", nil
	}
	return e.Name, args
}

// logEvents maps a log's first topic to the event it is: the TrustReserve events (including
// ERC-20 Transfer and Approval) and the factory's ReserveCreated.
var logEvents = func() map[common.Hash]abi.Event {
	m := make(map[common.Hash]abi.Event)
	for _, a := range []abi.ABI{reserveABI, factoryABI} {
		for _, e := range a.Events {
			m[e.ID] = e
		}
	}
	return m
}()

// decodeLog decodes a log of a reserve or the factory into its event name and arguments:
// uint256 values as decimal strings, addresses as lowercase 0x hex.
func decodeLog(l types.Log) (string, map[string]string, error) {
	if len(l.Topics) == 0 {
		return "", nil, fmt.Errorf("log %d of block %d has no topics", l.Index, l.BlockNumber)
	}
	ev, ok := logEvents[l.Topics[0]]
	if !ok {
		return "", nil, fmt.Errorf("log %d of block %d: unknown event %s", l.Index, l.BlockNumber, l.Topics[0].Hex())
	}
	values := make(map[string]any)
	var indexed abi.Arguments
	for _, in := range ev.Inputs {
		if in.Indexed {
			indexed = append(indexed, in)
		}
	}
	if err := abi.ParseTopicsIntoMap(values, indexed, l.Topics[1:]); err != nil {
		return "", nil, fmt.Errorf("log %d of block %d: %s topics: %w", l.Index, l.BlockNumber, ev.Name, err)
	}
	if err := ev.Inputs.UnpackIntoMap(values, l.Data); err != nil {
		return "", nil, fmt.Errorf("log %d of block %d: %s data: %w", l.Index, l.BlockNumber, ev.Name, err)
	}
	args := make(map[string]string, len(values))
	for k, v := range values {
		args[k] = formatStored(v)
	}
	return ev.Name, args, nil
}

// formatStored renders a decoded value the way the store keeps it.
func formatStored(v any) string {
	switch x := v.(type) {
	case common.Address:
		return lowerHex(x)
	case *big.Int:
		return x.String()
	default:
		return fmt.Sprint(v)
	}
}

// lowerHex is an address as lowercase 0x hex.
func lowerHex(a common.Address) string {
	return strings.ToLower(a.Hex())
}

func orZero(v *big.Int) *big.Int {
	if v == nil {
		return new(big.Int)
	}
	return v
}
