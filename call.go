package trustbot

import (
	"math/big"

	"github.com/ethereum/go-ethereum/common"
)

// Call is one transaction a signer is asked to send: to, calldata and value (nil = 0).
type Call struct {
	To    common.Address
	Data  []byte
	Value *big.Int
}
