package trustbot

import (
	"math/big"

	"github.com/ethereum/go-ethereum/common"
)

// Reserve is a TrustReserve clone made by the factory, one per issuer and asset, as the indexer
// keeps it: what the chain said when it was created, and the state its events imply.
type Reserve struct {
	Address      common.Address
	Issuer       common.Address
	ChainID      uint64
	CreatedBlock uint64
	Name         string
	Symbol       string // its trust token's
	Decimals     uint8  // its trust token's: the asset's
	// Asset is what backs it: the native coin (zero), an ERC-20, or another reserve's trust
	// token (then the reserve is a layer over that one).
	Asset Token
	// Outstanding is the trust tokens in circulation (the token's total supply).
	Outstanding *big.Int
	// Backing is what its events say it holds of the asset: deposits less withdrawals and
	// redemptions. Direct transfers to it are not events; the live figure is the chain's.
	Backing *big.Int
}

// Token is the reserve's own trust token.
func (r Reserve) Token() Token {
	return Token{Address: r.Address, Symbol: r.Symbol, Decimals: r.Decimals}
}

// Account is one holder's balance and budget of a reserve's trust token, as its events imply.
// The holder may be another reserve using the tokens as backing (a layer).
type Account struct {
	Reserve common.Address
	Holder  common.Address
	Balance *big.Int
	Budget  *big.Int
}

// Web is the indexed web of trust at one block: every reserve, every account with a balance or
// a budget, and every wallet link, read in one store transaction.
type Web struct {
	Block    Block
	Reserves []Reserve // in creation order
	Accounts []Account // by reserve in creation order, then largest budget first
	Links    []WalletLink
}

// Block is a block the indexer has seen: the cursor, or a block of an event.
type Block struct {
	Number uint64
	Hash   common.Hash
}
