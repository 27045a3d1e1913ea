package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/trustbot/trustbot"
)

func (h *handlers) pendingDef() Definition {
	return Definition{
		Name: "pending", Description: "Your open signing requests; cancel one", handler: (*handlers).pending,
		Options: []OptionDef{{Name: "cancel", Description: "the number of the request to cancel, from the list", Type: String}},
	}
}

func (h *handlers) pending(ctx context.Context, r *Request) (*Reply, error) {
	reqs, err := h.Store.PendingRequests(ctx, r.User.ID)
	if err != nil {
		return nil, err
	}
	if pick := r.Option("cancel"); pick != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(pick, "#"))
		if err != nil || n < 1 || n > len(reqs) {
			if len(reqs) == 0 {
				return nil, trustbot.Errorf(trustbot.EInvalid, "You have no open signing requests to cancel.")
			}
			return nil, trustbot.Errorf(trustbot.EInvalid, "%q is not one of your open requests: give a number from 1 to %d (see /pending).", pick, len(reqs))
		}
		req, err := h.Store.CancelRequest(ctx, reqs[n-1].ID, r.User.ID)
		if err != nil {
			return nil, err
		}
		return &Reply{Text: fmt.Sprintf("Cancelled: %s The link no longer works.", req.Summary), Private: true}, nil
	}
	if len(reqs) == 0 {
		return &Reply{Text: "You have no open signing requests.", Private: true}, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Your open signing requests (cancel one with /pending cancel:N):")
	now := h.Now()
	for i, q := range reqs {
		fmt.Fprintf(&b, "\n%d. %s — %s, %s. %s", i+1, q.Summary, statusWord(q), expiresIn(q.ExpiresAt, now), h.Links.URL(q.ID))
	}
	return &Reply{Text: b.String(), Private: true}, nil
}

func statusWord(q trustbot.SigningRequest) string {
	switch q.Status {
	case trustbot.StatusSubmitted:
		return fmt.Sprintf("%d of %d transactions sent", len(q.Txs), len(q.Calls))
	case trustbot.StatusOpened:
		return "opened, not signed yet"
	default:
		return "not signed yet"
	}
}

func expiresIn(at, now time.Time) string {
	d := at.Sub(now).Round(time.Minute)
	if d < time.Minute {
		return "expires in less than a minute"
	}
	return fmt.Sprintf("expires in %d min", int(d.Minutes()))
}
