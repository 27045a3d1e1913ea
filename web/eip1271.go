package web

import (
	"bytes"
	"context"
	"errors"
	"math/big"
	"net"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"

	"github.com/trustbot/trustbot"
)

// eip1271Magic is what isValidSignature(bytes32,bytes) returns for a valid
// signature: the function's own selector.
var eip1271Magic = selector("isValidSignature(bytes32,bytes)")

// packIsValidSignature ABI-encodes isValidSignature(hash, sig).
func packIsValidSignature(hash common.Hash, sig []byte) []byte {
	data := append([]byte{}, eip1271Magic...)
	data = append(data, hash[:]...)
	data = append(data, math.U256Bytes(big.NewInt(64))...)
	data = append(data, math.U256Bytes(big.NewInt(int64(len(sig))))...)
	data = append(data, sig...)
	if pad := len(sig) % 32; pad != 0 {
		data = append(data, make([]byte, 32-pad)...)
	}
	return data
}

// codeReader is what an ethclient also does besides calls.
type codeReader interface {
	CodeAt(ctx context.Context, account common.Address, blockNumber *big.Int) ([]byte, error)
}

// contractSigned reports whether addr is a contract that accepts sig for
// hash under EIP-1271: isValidSignature(hash, sig) returns the magic value
// 0x1626ba7e (left-aligned in a 32-byte word). An address without code, a
// call that reverts or any other answer is false. Only a chain that cannot
// be reached is an error (EUnavailable).
//
// The hash is the EIP-191 hash of the sign-in message, the one personal_sign
// signs: smart-contract wallets (Safe and the like) check their owners'
// signatures over it.
func (s *Server) contractSigned(ctx context.Context, addr common.Address, hash common.Hash, sig []byte) (bool, error) {
	if s.caller == nil {
		return false, nil
	}
	unavailable := func(op string, err error) (bool, error) {
		s.log.ErrorContext(ctx, "web: eip-1271 check", "op", op, "address", addr.Hex(), "err", err)
		return false, trustbot.Errorf(trustbot.EUnavailable,
			"The chain cannot be reached to check the signature of a smart-contract wallet; try again in a moment.")
	}
	// A plain account has no code: no need to ask it anything (when the
	// caller can tell; a call to it would answer nothing anyway).
	if cr, ok := s.caller.(codeReader); ok {
		code, err := cr.CodeAt(ctx, addr, nil)
		if err != nil {
			return unavailable("code", err)
		}
		if len(code) == 0 {
			return false, nil
		}
	}
	out, err := s.caller.CallContract(ctx, ethereum.CallMsg{To: &addr, Data: packIsValidSignature(hash, sig)}, nil)
	if err != nil {
		// A failing call is the contract refusing (a revert, running out of
		// gas), unless the connection to the node broke.
		var ne net.Error
		if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return unavailable("call", err)
		}
		return false, nil
	}
	return len(out) >= 32 && bytes.Equal(out[:4], eip1271Magic) && bytes.Equal(out[4:32], make([]byte, 28)), nil
}
