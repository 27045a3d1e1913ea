package chain

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain/bindings"
)

// The creation code of this build's contracts, as chain/bindings carries it.
var (
	factoryCreation = sync.OnceValue(func() []byte { return common.FromHex(bindings.TrustReserveFactoryMetaData.Bin) })
	reserveCreation = sync.OnceValue(func() []byte { return common.FromHex(bindings.TrustReserveMetaData.Bin) })
)

// CheckFactory makes sure the factory address holds a TrustReserveFactory of this build: its
// runtime code is the one in this build's factory bytecode with only the immutable filled in
// (the implementation's address), and that implementation's code is this build's TrustReserve
// with only its immutables filled in (the factory and itself). A mismatch is an EInvalid error
// whose message is one sentence naming FACTORY_ADDRESS. An RPC failure's text says what the node
// did ("the node does not answer (…)"), for the caller to put after the node's URL; it has the
// code EUnavailable when the node could not be reached.
func (c *Client) CheckFactory(ctx context.Context) error {
	code, err := c.startupCode(ctx, c.factory)
	if err != nil {
		return err
	}
	if len(code) == 0 {
		return trustbot.Errorf(trustbot.EInvalid, "FACTORY_ADDRESS %s has no contract on %s", c.factory.Hex(), c.chainName())
	}
	differs := trustbot.Errorf(trustbot.EInvalid, "FACTORY_ADDRESS %s is not a TrustReserveFactory of this build (its code differs)", c.factory.Hex())
	immutables, ok := matchRuntime(factoryCreation(), code)
	if !ok || len(immutables) == 0 {
		return differs
	}
	impl := immutables[0]
	for _, a := range immutables {
		if a != impl {
			return differs
		}
	}

	code, err = c.startupCode(ctx, impl)
	if err != nil {
		return err
	}
	immutables, ok = matchRuntime(reserveCreation(), code)
	for _, a := range immutables {
		ok = ok && (a == c.factory || a == impl)
	}
	if !ok || len(immutables) == 0 {
		return trustbot.Errorf(trustbot.EInvalid, "FACTORY_ADDRESS %s is not a TrustReserveFactory of this build (the TrustReserve it clones, %s, has different code)",
			c.factory.Hex(), impl.Hex())
	}
	return nil
}

// startupCode is the code at addr in the latest block, with an RPC failure as a nodeError.
func (c *Client) startupCode(ctx context.Context, addr common.Address) ([]byte, error) {
	cctx, cancel := c.deadline(ctx)
	defer cancel()
	code, err := c.eth.CodeAt(cctx, addr, nil)
	if err != nil {
		return nil, c.nodeFailed(ctx, "", "the code at "+addr.Hex()+" cannot be read", err)
	}
	return code, nil
}

// chainName is "chain 31337", or "this chain" when the chain id is not known.
func (c *Client) chainName() string {
	if c.chainID == nil {
		return "this chain"
	}
	return fmt.Sprintf("chain %s", c.chainID)
}

// matchRuntime reports whether code is a contract that creation deploys: a run of creation's
// bytes, the same byte for byte except where the runtime reads an immutable. solc leaves a
// PUSH32 of zeros there, which the constructor fills in when it returns the runtime code; code
// must hold a left-padded address in each. It returns those addresses in order.
func matchRuntime(creation, code []byte) ([]common.Address, bool) {
	if len(code) == 0 || len(code) > len(creation) {
		return nil, false
	}
	for start := range len(creation) - len(code) + 1 {
		if immutables, ok := matchAt(creation, code, start); ok {
			return immutables, true
		}
	}
	return nil, false
}

// matchAt is matchRuntime with code placed at creation[start:].
func matchAt(creation, code []byte, start int) ([]common.Address, bool) {
	var immutables []common.Address
	for i := 0; i < len(code); {
		at := start + i
		if i+32 <= len(code) && isPlaceholder(creation, at) {
			word := code[i : i+32]
			if !allZero(word[:12]) {
				return nil, false
			}
			immutables = append(immutables, common.BytesToAddress(word[12:]))
			i += 32
			continue
		}
		if code[i] != creation[at] {
			return nil, false
		}
		i++
	}
	return immutables, true
}

// isPlaceholder reports whether creation[at:] is the 32 zero bytes of a PUSH32 (0x7f).
func isPlaceholder(creation []byte, at int) bool {
	return at > 0 && at+32 <= len(creation) && creation[at-1] == 0x7f && allZero(creation[at:at+32])
}

var zeroWord [32]byte

func allZero(b []byte) bool { return bytes.Equal(b, zeroWord[:len(b)]) }
