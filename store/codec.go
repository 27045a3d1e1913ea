package store

import (
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// How the domain's values are stored: addresses and hashes as lowercase 0x hex, calldata as 0x
// hex, amounts as decimal text.

func addrText(a common.Address) string { return "0x" + hex.EncodeToString(a[:]) }

func hashText(h common.Hash) string { return "0x" + hex.EncodeToString(h[:]) }

func dataText(b []byte) string { return "0x" + hex.EncodeToString(b) }

func bigText(v *big.Int) string {
	if v == nil {
		return "0"
	}
	return v.String()
}

func parseAddr(s string) (common.Address, error) {
	a, ok := normAddress(s)
	if !ok {
		return common.Address{}, fmt.Errorf("stored address %q", s)
	}
	return common.HexToAddress(a), nil
}

func parseHash(s string) (common.Hash, error) {
	h, ok := normHash(s)
	if !ok {
		return common.Hash{}, fmt.Errorf("stored hash %q", s)
	}
	return common.HexToHash(h), nil
}

func parseData(s string) ([]byte, error) {
	if !strings.HasPrefix(s, "0x") {
		return nil, fmt.Errorf("stored calldata %q", s)
	}
	return hexutil.Decode(s)
}

func parseBig(s string) (*big.Int, error) {
	v, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return nil, fmt.Errorf("stored amount %q", s)
	}
	return v, nil
}
