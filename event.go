package trustbot

import (
	"math/big"

	"github.com/ethereum/go-ethereum/common"
)

// Event is one contract log the indexer applied, decoded once: where it is on the chain and
// what it says (one of the payload types below).
type Event struct {
	Block    Block
	LogIndex uint
	TxHash   common.Hash
	Address  common.Address // the emitter
	Data     EventData
}

// Name is the contract event's name ("Transfer", "Trusted", …).
func (e Event) Name() string { return e.Data.EventName() }

// EventData is a decoded contract event: *Transfer, *Trusted, *Revoked, *Deposited,
// *Withdrawn or *ReserveCreated.
type EventData interface{ EventName() string }

// Transfer is the trust token's ERC-20 Transfer: a mint from the zero address (a trust when a
// Trusted follows, else a re-up), a burn to it (a revoke when a Revoked follows, else a
// redemption), or a transfer between holders.
type Transfer struct {
	From, To common.Address
	Amount   *big.Int
}

// Trusted follows a trust's mint: holder's budget grew by Amount.
type Trusted struct {
	Holder common.Address
	Amount *big.Int
}

// Revoked follows a revoke's burn: the burn's holder's budget shrank by Amount (saturating;
// MaxUint256 revokes everything).
type Revoked struct {
	Amount *big.Int
}

// Deposited is backing added to a reserve.
type Deposited struct {
	From   common.Address
	Amount *big.Int
}

// Withdrawn is backing the issuer took out.
type Withdrawn struct {
	To     common.Address
	Amount *big.Int
}

// ReserveCreated is the factory's: a new reserve of Issuer backed by Asset.
type ReserveCreated struct {
	Reserve, Issuer, Asset common.Address
}

func (*Transfer) EventName() string       { return "Transfer" }
func (*Trusted) EventName() string        { return "Trusted" }
func (*Revoked) EventName() string        { return "Revoked" }
func (*Deposited) EventName() string      { return "Deposited" }
func (*Withdrawn) EventName() string      { return "Withdrawn" }
func (*ReserveCreated) EventName() string { return "ReserveCreated" }

// Mint reports whether a transfer creates tokens.
func (t *Transfer) Mint() bool { return t.From == (common.Address{}) }

// Burn reports whether a transfer destroys tokens.
func (t *Transfer) Burn() bool { return t.To == (common.Address{}) }
