package chain

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/trustbot/trustbot"
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

// Event topics the indexer decodes.
var (
	topicTransfer       = reserveABI.Events["Transfer"].ID
	topicTrusted        = reserveABI.Events["Trusted"].ID
	topicRevoked        = reserveABI.Events["Revoked"].ID
	topicDeposited      = reserveABI.Events["Deposited"].ID
	topicWithdrawn      = reserveABI.Events["Withdrawn"].ID
	topicReserveCreated = factoryABI.Events["ReserveCreated"].ID
)

// ErrUnknownLog is what DecodeLog says of a log that is none of the events the bot indexes (an
// ERC-20 Approval, say): it is skipped.
var ErrUnknownLog = errors.New("not an event the bot indexes")

// DecodeLog decodes a log of a reserve or the factory into its typed event, with the abigen
// bindings.
func DecodeLog(l types.Log) (trustbot.Event, error) {
	e := trustbot.Event{Block: trustbot.Block{Number: l.BlockNumber, Hash: l.BlockHash}, LogIndex: l.Index, TxHash: l.TxHash, Address: l.Address}
	if len(l.Topics) == 0 {
		return e, fmt.Errorf("log %d of block %d: %w: no topics", l.Index, l.BlockNumber, ErrUnknownLog)
	}
	var err error
	switch l.Topics[0] {
	case topicTransfer:
		var v *bindings.TrustReserveTransfer
		if v, err = reserveBind.UnpackTransferEvent(&l); err == nil {
			e.Data = &trustbot.Transfer{From: v.From, To: v.To, Amount: v.Amount}
		}
	case topicTrusted:
		var v *bindings.TrustReserveTrusted
		if v, err = reserveBind.UnpackTrustedEvent(&l); err == nil {
			e.Data = &trustbot.Trusted{Holder: v.Holder, Amount: v.Amount}
		}
	case topicRevoked:
		var v *bindings.TrustReserveRevoked
		if v, err = reserveBind.UnpackRevokedEvent(&l); err == nil {
			e.Data = &trustbot.Revoked{Amount: v.Amount}
		}
	case topicDeposited:
		var v *bindings.TrustReserveDeposited
		if v, err = reserveBind.UnpackDepositedEvent(&l); err == nil {
			e.Data = &trustbot.Deposited{From: v.From, Amount: v.Amount}
		}
	case topicWithdrawn:
		var v *bindings.TrustReserveWithdrawn
		if v, err = reserveBind.UnpackWithdrawnEvent(&l); err == nil {
			e.Data = &trustbot.Withdrawn{To: v.To, Amount: v.Amount}
		}
	case topicReserveCreated:
		var v *bindings.TrustReserveFactoryReserveCreated
		if v, err = factoryBind.UnpackReserveCreatedEvent(&l); err == nil {
			e.Data = &trustbot.ReserveCreated{Reserve: v.Reserve, Issuer: v.Issuer, Asset: v.Asset}
		}
	default:
		return e, fmt.Errorf("log %d of block %d: %w: topic %s", l.Index, l.BlockNumber, ErrUnknownLog, l.Topics[0].Hex())
	}
	if err != nil {
		return e, fmt.Errorf("log %d of block %d: %w", l.Index, l.BlockNumber, err)
	}
	return e, nil
}
