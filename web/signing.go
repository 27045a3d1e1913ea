package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/trustbot/trustbot/web/siwe"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/trustbot/trustbot"
)

// NewSigningRequest stores a signing request for in's user, signer, kind, summary, calls and the
// names its page shows (labels, units; its other fields are set here: on the configured chain, expiring Config.LinkTTL from now),
// and returns it with its URL ({PublicURL}/s/{id}, the id being 128 random bits in base64url).
//
// A request may approve a spender only for the deposit that follows: an
// approve must be followed by a deposit of the same amount into the
// approved reserve, and permits or allowance increases are refused; an
// approve of 0 hands out nothing and is allowed.
func (s *Server) NewSigningRequest(ctx context.Context, in trustbot.SigningRequest) (trustbot.SigningRequest, string, error) {
	if err := checkApprovals(in.Calls); err != nil {
		return trustbot.SigningRequest{}, "", err
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return trustbot.SigningRequest{}, "", fmt.Errorf("web: new signing request: %w", err)
	}
	id := base64.RawURLEncoding.EncodeToString(b[:])
	r, err := s.db.CreateRequest(ctx, trustbot.SigningRequest{
		ID:               id,
		GuildID:          in.GuildID,
		ChannelID:        in.ChannelID,
		UserID:           in.UserID,
		InteractionToken: in.InteractionToken,
		Signer:           in.Signer,
		ChainID:          s.cfg.ChainID,
		Kind:             in.Kind,
		Summary:          in.Summary,
		Calls:            in.Calls,
		Labels:           in.Labels,
		Units:            in.Units,
		Ledger:           in.Ledger,
		ExpiresAt:        s.now().Add(s.cfg.LinkTTL),
	})
	if err != nil {
		return trustbot.SigningRequest{}, "", redact(err, "web: new signing request", id, in.InteractionToken)
	}
	s.log.InfoContext(ctx, "signing request created", "request", trustbot.ShortID(id), "kind", r.Kind,
		"user", r.UserID, "calls", len(r.Calls), "expires", r.ExpiresAt)
	return r, s.cfg.PublicURL + "/s/" + id, nil
}

// displayStatus is the status shown to the user.
func displayStatus(r trustbot.SigningRequest, now time.Time) string {
	return string(r.DisplayStatus(now))
}

// ReportTx checks that the transaction with this hash is exactly call index
// of the request, sent by the expected signer, and records it. Reporting the
// same hash for the same call again returns the request unchanged. Every
// refusal is a *trustbot.Error and writes nothing.
func (s *Server) ReportTx(ctx context.Context, id string, index int, hash string) (trustbot.SigningRequest, error) {
	if len(hash) != 66 || (hash[:2] != "0x" && hash[:2] != "0X") || !siwe.IsHexDigits(hash[2:]) {
		return trustbot.SigningRequest{}, trustbot.Errorf(trustbot.EInvalid, "A transaction hash is 0x followed by 64 hex digits.")
	}
	h := common.HexToHash(hash)
	r, err := s.db.Request(ctx, id)
	if err != nil {
		return trustbot.SigningRequest{}, redact(err, "web: report tx", id)
	}
	if again, err := r.CheckReport(index, h, s.now()); err != nil {
		return trustbot.SigningRequest{}, err
	} else if again {
		return r, nil // reported again
	}

	tx, _, err := s.txs.TransactionByHash(ctx, h)
	if errors.Is(err, ethereum.NotFound) {
		return trustbot.SigningRequest{}, trustbot.Errorf(trustbot.EConflict, "The transaction is not known to the chain yet; try again in a few seconds.")
	} else if err != nil {
		s.log.ErrorContext(ctx, "web: report tx: fetch transaction", "request", trustbot.ShortID(id), "tx", h.Hex(), "err", err)
		return trustbot.SigningRequest{}, trustbot.Errorf(trustbot.EUnavailable, "The chain cannot be reached right now; try again in a moment.")
	}
	if err := checkTx(r, index, tx); err != nil {
		return trustbot.SigningRequest{}, err
	}
	r, err = s.db.RecordTx(ctx, id, index, h)
	if err != nil {
		return trustbot.SigningRequest{}, redact(err, "web: report tx", id)
	}
	s.log.InfoContext(ctx, "transaction reported", "request", trustbot.ShortID(id), "call", index, "tx", h.Hex())
	return r, nil
}

// Recheck runs the pre-flight of request id again (see Checker) and, when the chain would now
// refuse its calls, records it as stale with the reason. It returns the request as it stands.
// A request that no longer waits for its signer, or whose sent transactions are not all mined
// yet (the next call may need them), is returned unchanged; so is every request when no Checker
// is set. An error means the check could not be made.
func (s *Server) Recheck(ctx context.Context, id string) (trustbot.SigningRequest, error) {
	r, err := s.db.Request(ctx, id)
	if err != nil {
		return trustbot.SigningRequest{}, redact(err, "web: check request", id)
	}
	return s.recheck(ctx, r)
}

func (s *Server) recheck(ctx context.Context, r trustbot.SigningRequest) (trustbot.SigningRequest, error) {
	if s.check == nil || r.CheckAwaiting(s.now()) != nil {
		return r, nil
	}
	for _, t := range r.Txs {
		if t.Status != trustbot.TxConfirmed {
			return r, nil
		}
	}
	err := s.check.Recheck(ctx, r)
	if err == nil {
		return r, nil
	}
	if trustbot.ErrorCode(err) != trustbot.EReverted {
		return r, redact(err, "web: check request", r.ID)
	}
	reason := trustbot.ErrorMessage(err)
	stale, err := s.db.MarkStale(ctx, r.ID, reason)
	if err != nil {
		if trustbot.ErrorCode(err) == trustbot.EInternal {
			return r, redact(err, "web: mark stale", r.ID)
		}
		// It moved on meanwhile (sent, cancelled, expired): show it as it is now.
		return s.db.Request(ctx, r.ID)
	}
	s.log.InfoContext(ctx, "signing request went stale", "request", trustbot.ShortID(r.ID), "kind", r.Kind,
		"user", r.UserID, "reason", reason)
	return stale, nil
}

// checkTx compares a transaction with call index of r.
func checkTx(r trustbot.SigningRequest, index int, tx *types.Transaction) error {
	invalid := func(format string, args ...any) error {
		return trustbot.Errorf(trustbot.EInvalid, format, args...)
	}
	call := r.Calls[index]
	to, data, value, signer := call.To, call.Data, trustbot.OrZero(call.Value), r.Signer
	chainID := new(big.Int).SetUint64(r.ChainID)

	switch tx.Type() {
	case types.LegacyTxType, types.AccessListTxType, types.DynamicFeeTxType:
	default:
		return invalid("That transaction is of type %d; only plain transactions (types 0, 1 and 2) can carry a signing request's call.", tx.Type())
	}
	if !tx.Protected() {
		return invalid("That transaction is not bound to a chain (it lacks EIP-155 replay protection).")
	}
	if tx.ChainId().Cmp(chainID) != 0 {
		return invalid("That transaction was signed for chain %s, not chain %d.", tx.ChainId(), r.ChainID)
	}
	if tx.To() == nil {
		return invalid("That transaction creates a contract instead of calling %s.", to.Hex())
	}
	if *tx.To() != to {
		return invalid("That transaction goes to %s instead of %s.", tx.To().Hex(), to.Hex())
	}
	if !bytes.Equal(tx.Data(), data) {
		return invalid("That transaction carries different call data than call %d of this request.", index)
	}
	if tx.Value().Cmp(value) != 0 {
		return invalid("That transaction sends %s wei instead of %s wei.", tx.Value(), value)
	}
	// The sender is recovered from the signature: ethclient caches the
	// node's "from" on mined transactions under a signer that never equals
	// this one, so the node's word is not taken for it.
	from, err := types.Sender(types.LatestSignerForChainID(chainID), tx)
	if err != nil {
		return invalid("That transaction's signature is not valid.")
	}
	if from != signer {
		return invalid("That transaction was sent from %s, not from %s, the wallet linked to your Discord account.",
			trustbot.ShortAddress(from), trustbot.ShortAddress(signer))
	}
	return nil
}
