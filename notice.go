package trustbot

import (
	"context"
	"errors"

	"github.com/ethereum/go-ethereum/common"
)

// Notice is a sentence about a transaction confirmed on chain, for a guild's notice channel.
type Notice struct {
	GuildID, ChannelID string
	Text               string
	TxHash             common.Hash
	// Nonce is the same for every delivery of the notice, so a repeated delivery (a retry, a
	// restart between delivering and marking) can be recognised by the platform.
	Nonce string
	// Request is the signing request that caused it.
	Request SigningRequest
}

// ErrUndeliverable marks a notice the platform refused for good (no such channel, no access,
// a body it will never take): retrying cannot deliver it, so it leaves the outbox, logged.
var ErrUndeliverable = errors.New("the notice can never be delivered")

// Notifier is what an adapter (Discord, the console) does with what the chain did.
type Notifier interface {
	// Notice delivers a notice; nil means it was delivered, and it is not sent again. An error
	// leaves it in the outbox, to be delivered later, unless it wraps ErrUndeliverable.
	Notice(ctx context.Context, n Notice) error
	// RequestDone tells the requester that a signing request was settled: confirmed, failed
	// or expired.
	RequestDone(ctx context.Context, r SigningRequest)
}
