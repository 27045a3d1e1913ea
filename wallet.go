package trustbot

import (
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// WalletLink binds a Discord user to an address they proved they control. A user has at most
// one link and an address belongs to at most one user.
type WalletLink struct {
	UserID   string
	Address  common.Address
	ChainID  uint64
	Method   string // how it was proven: "siwe", "dev"
	ProvenAt time.Time
}

// SignInNonce is a single-use EIP-4361 nonce issued to a Discord user.
type SignInNonce struct {
	Nonce     string
	UserID    string
	UserName  string         // the name the sign-in statement gives the user
	Address   common.Address // optional (zero): the address the user said they would sign with
	IssuedAt  time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero while unused
}
