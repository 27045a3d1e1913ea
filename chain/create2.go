package chain

import (
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/trustbot/trustbot"
)

// Deployer is the deterministic CREATE2 deployer (Arachnid's deterministic-deployment-proxy,
// ERC-2470's "singleton factory" predecessor): on most EVM chains, an OP Stack preinstall, and in
// anvil's state by default. Called with a 32-byte salt followed by init code, it creates the
// contract with CREATE2 and returns its address, so the address depends only on the salt and the
// init code.
var Deployer = common.HexToAddress("0x4e59b44847b379578588920cA78FbF26c0B4956C")

// DeployerCode is the deployer's runtime code, as chains carry it.
var DeployerCode = common.FromHex("0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3")

// FactorySalt is the salt the factory is deployed with: fixed, so that every chain gets the
// factory at one address.
var FactorySalt = crypto.Keccak256Hash([]byte("trustbot TrustReserveFactory"))

// FactoryAddress is where this build's factory is on every chain that has the deployer, computed
// offline from its init code (its constructor takes nothing chain-specific).
func FactoryAddress() common.Address {
	return crypto.CreateAddress2(Deployer, FactorySalt, crypto.Keccak256(factoryCreation()))
}

// DeployFactory is the one call that puts this build's factory at FactoryAddress: the salt and
// the init code sent to the deployer. Anyone may send it, from their own wallet; sent again once
// the factory exists, it reverts.
func DeployFactory() trustbot.Call {
	return trustbot.Call{To: Deployer, Data: append(FactorySalt.Bytes(), factoryCreation()...)}
}
