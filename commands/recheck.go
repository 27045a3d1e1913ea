package commands

import (
	"context"
	"errors"
	"math/big"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
)

// Recheck runs the calls of a signing request its signer has still to send, as the signer would
// send them now: the pre-flight made before the link, run again once the chain may have changed.
// It returns nil when the chain would take them, and a *trustbot.Error of code EReverted saying
// what changed since the link was made when it would refuse them ("@alice revoked your budget
// after this link was made: you hold 0 ALICE-tUSD now. Nothing was sent."). Other errors (an
// unreachable chain) mean it cannot tell.
func (s *Set) Recheck(ctx context.Context, r trustbot.SigningRequest) error {
	next := r.NextCall()
	if next >= len(r.Calls) {
		return nil
	}
	h := s.h.forRequest(false)
	err := h.Chain.Simulate(ctx, r.Signer, r.Calls[next:])
	var rev *chain.RevertError
	if !errors.As(err, &rev) {
		return err
	}
	if rev.Index >= 0 {
		rev.Index += next
	}
	return h.explainStale(ctx, r, rev)
}

// explainStale says in words why the chain would now refuse a request it took when the link was
// made.
func (h *handlers) explainStale(ctx context.Context, r trustbot.SigningRequest, rev *chain.RevertError) error {
	if r.Kind == "redeem" && rev.Index >= 0 && rev.Index < len(r.Calls) && len(rev.Args) == 2 {
		if e := h.staleRedeem(ctx, r, rev); e != nil {
			return e
		}
	}
	return trustbot.Errorf(trustbot.EReverted, "The chain changed after this link was made and would now refuse it (%s). Nothing was sent.", describeRevert(rev))
}

// staleRedeem explains a redemption the chain would now refuse: the holder's tokens or the
// reserve's backing shrank since the link was made. nil when the revert is neither.
func (h *handlers) staleRedeem(ctx context.Context, r trustbot.SigningRequest, rev *chain.RevertError) error {
	avail, _ := rev.Args[0].(*big.Int)
	requested, _ := rev.Args[1].(*big.Int)
	if avail == nil || requested == nil {
		return nil
	}
	res, err := h.v.ReserveAt(ctx, r.Calls[rev.Index].To)
	if err != nil {
		return nil
	}
	issuer := h.memberOf(ctx, res.Issuer)
	switch rev.Name {
	case "InsufficientBalance":
		held := trustbot.Money(avail, res.Decimals, res.Symbol)
		_, budget, err := h.v.Account(ctx, res.Address, r.Signer)
		if err == nil && budget.Cmp(requested) < 0 {
			return trustbot.Errorf(trustbot.EReverted, "%s revoked your budget after this link was made: you hold %s now. Nothing was sent.", issuer, held)
		}
		return trustbot.Errorf(trustbot.EReverted, "Your %s tokens left your wallet after this link was made: you hold %s now, less than the %s it redeems. Nothing was sent.",
			res.Symbol, held, trustbot.FormatAmount(requested, res.Decimals))
	case "InsufficientReserve":
		t := res.AssetToken
		if res.Layered {
			t.Decimals = res.Decimals
		}
		return trustbot.Errorf(trustbot.EReverted, "%s's reserve holds less than when this link was made: %s now, so you can redeem at most %s. Nothing was sent.",
			issuer, trustbot.Money(avail, t.Decimals, t.Symbol), trustbot.FormatAmount(avail, t.Decimals))
	}
	return nil
}
