package trustbot

import (
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// TripStatus is whether a trip's ledger takes entries.
type TripStatus string

// Trip states: an open trip takes entries; an ended one is frozen until reopened.
const (
	TripOpen  TripStatus = "open"
	TripEnded TripStatus = "ended"
)

// Trip is a ledger of what a group's money was for, kept in one channel: at most one trip per
// channel is open at a time.
type Trip struct {
	ID        int64
	GuildID   string
	ChannelID string
	Name      string
	Asset     Token // what /spent and /settle count in unless told otherwise
	Status    TripStatus
	StartedBy string // user id
	StartedAt time.Time
	EndedAt   time.Time // zero while open
	Members   []Member  // in the order they joined
}

// HasMember reports whether the user is a member of the trip.
func (t Trip) HasMember(userID string) bool {
	for _, m := range t.Members {
		if m.ID == userID {
			return true
		}
	}
	return false
}

// EntryKind is what a ledger entry records.
type EntryKind string

// Ledger entry kinds. Re-ups, revokes, trusts, deposits and withdrawals change capacity and are
// never entries.
const (
	// EntryRedeem is an on-chain redemption: paid by the issuer of the token redeemed (it was
	// their money), consumed by its split, or by the redeemer alone when untagged (a loan).
	EntryRedeem EntryKind = "redeem"
	// EntryLayer is a lower layer of a deep redemption: the issuer of the layer below paying for
	// the layer above (its issuer consumed it), so the middle layers net to zero.
	EntryLayer EntryKind = "layer"
	// EntrySpent is an out-of-pocket expense, off chain: paid by the member who recorded it.
	EntrySpent EntryKind = "spent"
	// EntrySettle is a settlement confirmed on chain: Payer (the debtor) paid To (the creditor).
	EntrySettle EntryKind = "settle"
)

// OnChain reports whether entries of the kind come from the chain (and only a reorg removes them).
func (k EntryKind) OnChain() bool { return k != EntrySpent }

// SplitMode is how an entry's amount is divided among the members who consumed it.
type SplitMode string

// Split modes.
const (
	SplitNone     SplitMode = "none"     // untagged: the redeemer alone consumed it
	SplitEqual    SplitMode = "equal"    // equal shares
	SplitWeighted SplitMode = "weighted" // shares by weight (@bob:2)
	SplitExact    SplitMode = "exact"    // exact amounts (@bob=30) that sum to the total
	SplitMixed    SplitMode = "mixed"    // exact amounts first, the rest by weight
)

// MaxMemo is the longest memo (for:) an entry takes, in characters.
const MaxMemo = 200

// SplitPart is one member's part of a split as written: an exact amount when Exact is set,
// else a weight (1 for a plain name).
type SplitPart struct {
	Member Member
	Weight int64
	Exact  *big.Int // in the asset's smallest units
}

// Share is what one member consumed of an entry, in the asset's smallest units.
type Share struct {
	UserID string
	Amount *big.Int
}

// Entry is one line of a trip's ledger.
type Entry struct {
	TripID int64
	N      int // its number in the trip, from 1; never reused
	Kind   EntryKind
	Memo   string
	Payer  string // user id of who paid
	// Redeemer is who redeemed (EntryRedeem) or whose layer redeemed (EntryLayer).
	Redeemer string
	To       string // EntrySettle: the creditor
	Asset    Token
	Amount   *big.Int
	Split    SplitMode
	Parts    []SplitPart // the split as written; none for SplitNone and settlements
	Shares   []Share     // who consumed how much, summing to Amount; none for settlements
	// On-chain entries: where the chain says it happened.
	TxHash      common.Hash
	LogIndex    uint
	BlockNumber uint64
	RequestID   string // the signing request that asked for it, if any
	CreatedBy   string // user id of who recorded it (EntrySpent)
	CreatedAt   time.Time
}

// Untagged reports whether a redemption has no memo and split yet (/trip tag gives them).
func (e Entry) Untagged() bool { return e.Kind == EntryRedeem && e.Split == SplitNone }

// Balance is one member's position in one asset of a trip. Net = Paid − Consumed + Settled,
// where Settled is what they paid in settlements less what they received: a debtor who settles
// is paying towards what they consumed.
type Balance struct {
	UserID   string
	Asset    Token
	Paid     *big.Int
	Consumed *big.Int
	Settled  *big.Int
	Net      *big.Int
}

// Payment is one transfer of a settle plan: From pays To Amount of Asset.
type Payment struct {
	From   string // user id
	To     string // user id
	Asset  Token
	Amount *big.Int
}

// LedgerNote is what a signing request adds to a trip's ledger once the chain confirms it: a
// redemption's memo and split, or a settlement's creditor and amount.
type LedgerNote struct {
	TripID int64
	Memo   string
	Parts  []SplitPart // a redemption's split, resolved when the link was made; none: untagged
	// A settlement: the debtor (the request's user) pays Creditor Amount of Asset.
	Creditor string
	Asset    Token
	Amount   *big.Int
}
