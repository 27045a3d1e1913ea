package trustbot

import (
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// RequestStatus is the state of a signing request:
//
//	created → opened → submitted → confirmed | failed
//	created, opened, submitted → expired | cancelled | stale
//
// created may also go straight to submitted. A request goes stale when the chain changed after
// its link was made so that its calls would now revert; its Error says what changed.
// confirmed, failed, expired, cancelled and stale are final.
type RequestStatus string

// Signing request states.
const (
	StatusCreated   RequestStatus = "created"
	StatusOpened    RequestStatus = "opened"
	StatusSubmitted RequestStatus = "submitted"
	StatusConfirmed RequestStatus = "confirmed"
	StatusFailed    RequestStatus = "failed"
	StatusExpired   RequestStatus = "expired"
	StatusCancelled RequestStatus = "cancelled"
	StatusStale     RequestStatus = "stale"
)

// Final reports whether no transition leaves s.
func (s RequestStatus) Final() bool {
	return s == StatusConfirmed || s == StatusFailed || s == StatusExpired || s == StatusCancelled || s == StatusStale
}

// CanMove reports whether the state machine allows s → to (staying put is always allowed).
// The database enforces the same table with a trigger.
func (s RequestStatus) CanMove(to RequestStatus) bool {
	if s == to {
		return true
	}
	switch s {
	case StatusCreated:
		return to == StatusOpened || to == StatusSubmitted || to == StatusExpired || to == StatusCancelled || to == StatusStale
	case StatusOpened:
		return to == StatusSubmitted || to == StatusExpired || to == StatusCancelled || to == StatusStale
	case StatusSubmitted:
		return to == StatusConfirmed || to == StatusFailed || to == StatusExpired || to == StatusCancelled || to == StatusStale
	}
	return false
}

// TxStatus is the on-chain outcome of one transaction of a request.
type TxStatus string

// Transaction states.
const (
	TxPending   TxStatus = "pending"
	TxConfirmed TxStatus = "confirmed"
	TxFailed    TxStatus = "failed"
)

// RequestTx is the transaction reported for the call at Index.
type RequestTx struct {
	Index       int
	Hash        common.Hash
	Status      TxStatus
	BlockNumber uint64 // set once confirmed
}

// MaxLabels caps the addresses a signing request names; a command names the first ones.
const MaxLabels = 512

// SigningRequest is an ordered list of calls that one Discord user's wallet (the expected
// Signer) is asked to send on one chain before ExpiresAt: the signing link's contents.
type SigningRequest struct {
	ID               string // 128 random bits, base64url: a bearer secret
	GuildID          string
	ChannelID        string
	UserID           string
	InteractionToken string // to edit the original reply later; optional
	Signer           common.Address
	ChainID          uint64
	Kind             string // "trust", "redeem", "deposit", …
	Summary          string // what will happen, in one sentence
	Calls            []Call
	// Labels name, for the signer, the addresses the calls touch ("@bob", "your ALICE-tUSD
	// reserve", "the tUSD token"), as the command knew them when it made the link.
	Labels map[common.Address]string
	// Units[i] is the token whose units call i's amount arguments count (the zero Token when
	// it is not known: the page then shows them raw).
	Units []Token
	// Ledger is what the request adds to a trip's ledger once confirmed; nil for none.
	Ledger    *LedgerNote
	Txs       []RequestTx // in call order; Txs[i] is the transaction of Calls[i]
	Status    RequestStatus
	Error     string // why it failed
	CreatedAt time.Time
	ExpiresAt time.Time
	UpdatedAt time.Time
}

// NextCall is the index of the next call to send; len(r.Calls) when all were sent.
func (r SigningRequest) NextCall() int { return len(r.Txs) }

// AwaitingSigner reports whether the request still waits for the signer to send a call (it may
// have expired meanwhile: see Expired).
func (r SigningRequest) AwaitingSigner() bool {
	return !r.Status.Final() && len(r.Txs) < len(r.Calls)
}

// Expired reports whether the request expired, recorded so or not yet: it still waits for its
// signer and its time is up.
func (r SigningRequest) Expired(now time.Time) bool {
	return r.Status == StatusExpired || r.AwaitingSigner() && !now.Before(r.ExpiresAt)
}

// DisplayStatus is the status a user is shown: expired once its time is up, even before the
// expiry is recorded.
func (r SigningRequest) DisplayStatus(now time.Time) RequestStatus {
	if r.Expired(now) {
		return StatusExpired
	}
	return r.Status
}

// CheckOpen says why the request's page can no longer be used, or nil: cancelled, stale,
// expired, confirmed or failed.
func (r SigningRequest) CheckOpen(now time.Time) error {
	switch {
	case r.Status == StatusStale:
		return Errorf(EReverted, "%s", r.Error)
	case r.Status == StatusCancelled:
		return Errorf(EConflict, "This signing request was cancelled.")
	case r.Expired(now):
		return Errorf(EExpired, "This signing link expired. Run the command again.")
	case r.Status == StatusConfirmed:
		return Errorf(EConflict, "This signing request is already confirmed.")
	case r.Status == StatusFailed:
		return Errorf(EConflict, "This signing request already failed.")
	}
	return nil
}

// CheckAwaiting says why the signer can no longer send a call of the request, or nil.
func (r SigningRequest) CheckAwaiting(now time.Time) error {
	if err := r.CheckOpen(now); err != nil {
		return err
	}
	if !r.AwaitingSigner() {
		return Errorf(EConflict, "Every transaction of this request was already submitted.")
	}
	return nil
}

// CheckReport says whether hash may be recorded as the transaction of call idx: nil when it
// may, a *Error when it may not. again is true when the same hash was reported for idx before
// (nothing to do).
func (r SigningRequest) CheckReport(idx int, hash common.Hash, now time.Time) (again bool, err error) {
	if idx >= 0 && idx < len(r.Txs) && r.Txs[idx].Hash == hash {
		return true, nil
	}
	if err := r.CheckAwaiting(now); err != nil {
		return false, err
	}
	switch {
	case idx < 0 || idx >= len(r.Calls):
		return false, Errorf(EInvalid, "This request has no call %d; its calls are numbered 0 to %d.", idx, len(r.Calls)-1)
	case idx < len(r.Txs):
		return false, Errorf(EConflict, "Call %d was already submitted as %s.", idx, r.Txs[idx].Hash.Hex())
	case idx > len(r.Txs):
		return false, Errorf(EInvalid, "Call %d must be sent before call %d.", len(r.Txs), idx)
	}
	return false, nil
}

// Settled is the status the request moves to from its transactions' outcomes: failed when one
// failed, confirmed when every call's transaction is confirmed, else the status it has. Only a
// submitted request settles.
func (r SigningRequest) Settled() RequestStatus {
	if r.Status != StatusSubmitted {
		return r.Status
	}
	all := len(r.Txs) == len(r.Calls)
	for _, t := range r.Txs {
		if t.Status == TxFailed {
			return StatusFailed
		}
		if t.Status != TxConfirmed {
			all = false
		}
	}
	if all {
		return StatusConfirmed
	}
	return StatusSubmitted
}
