package chain_test

import (
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/bindings"
)

// TestFactoryAddress checks the offline computation against CREATE2's rule written out:
// keccak256(0xff ‖ deployer ‖ salt ‖ keccak256(init code))[12:].
func TestFactoryAddress(t *testing.T) {
	init := common.FromHex(bindings.TrustReserveFactoryMetaData.Bin)
	buf := append([]byte{0xff}, chain.Deployer.Bytes()...)
	buf = append(buf, chain.FactorySalt.Bytes()...)
	buf = append(buf, crypto.Keccak256(init)...)
	want := common.BytesToAddress(crypto.Keccak256(buf)[12:])
	if got := chain.FactoryAddress(); got != want {
		t.Fatalf("FactoryAddress: got %s, want %s", got.Hex(), want.Hex())
	}
	call := chain.DeployFactory()
	if call.To != chain.Deployer || len(call.Data) != 32+len(init) || common.BytesToHash(call.Data[:32]) != chain.FactorySalt {
		t.Fatalf("DeployFactory: got a call to %s with %d bytes, want the salt and the %d-byte init code to the deployer", call.To.Hex(), len(call.Data), len(init))
	}
}
