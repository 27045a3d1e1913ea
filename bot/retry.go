package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"

	"github.com/bwmarrin/discordgo"
)

const (
	// FollowupAttempts bounds the attempts, first one included, of a REST call made after an
	// interaction was acknowledged (the edit of the original response, a channel notice) when
	// Discord answers 500, 502, 503 or 504 or the connection fails.
	FollowupAttempts = 3
	// FollowupBackoff is the wait before the second attempt; it doubles before each next one.
	FollowupBackoff = 250 * time.Millisecond
	// nonceLength is the length of a channel message's nonce; Discord takes at most 25 characters.
	nonceLength = 25
)

// errTokenExpired is returned instead of calling Discord with an interaction token past its life.
var errTokenExpired = errors.New("discord: the interaction token has expired")

// afterAck runs call, a REST request made after an interaction was acknowledged, and repeats it
// when it failed in a way that may pass: Discord answered 500, 502, 503 or 504, or the
// connection failed (refused, reset, closed without an answer, timed out). It makes at most
// FollowupAttempts attempts, waiting FollowupBackoff, then twice that, in between. A 429 is
// handled inside each attempt by rest, as for every REST call; any other answer is final.
//
// A call carrying an interaction token passes the time the token was issued (tokenBorn, on the
// bot's clock): no attempt starts, and no wait is scheduled, past the token's 15-minute life, and
// an attempt's deadline ends with it. A zero tokenBorn means the call needs no token.
//
// Only calls Discord cannot carry out twice may come here: an edit, or a message created with
// an enforced nonce. discordgo's own retry of a 502 is turned off so that every attempt is
// counted here.
func (b *Bot) afterAck(ctx context.Context, what string, tokenBorn time.Time, call func(opts ...discordgo.RequestOption) error) error {
	var expires time.Time
	if !tokenBorn.IsZero() {
		expires = tokenBorn.Add(tokenLifetime)
	}
	wait := FollowupBackoff
	var last error
	for attempt := 1; ; attempt++ {
		actx, cancel := ctx, context.CancelFunc(func() {})
		if !expires.IsZero() {
			left := expires.Sub(b.cfg.Now())
			if left <= 0 && last != nil {
				return fmt.Errorf("%w [attempts: %d; %w]", last, attempt-1, errTokenExpired)
			}
			if left <= 0 {
				return errTokenExpired
			}
			actx, cancel = context.WithTimeout(ctx, left)
		}
		w := &wire{}
		err := b.rest(actx, call, discordgo.WithRestRetries(0), discordgo.WithClient(w.client(b.s.Client)))
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || !w.passing(err) || attempt >= FollowupAttempts {
			return fmt.Errorf("%w [attempts: %d]", err, attempt)
		}
		if !expires.IsZero() && !b.cfg.Now().Add(wait).Before(expires) {
			return fmt.Errorf("%w [attempts: %d; the interaction token expires before another]", err, attempt)
		}
		last = err
		b.log.Info("discord: retrying", "call", what, "attempt", attempt, "wait", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w [attempts: %d; %w]", err, attempt, ctx.Err())
		case <-t.C:
		}
		wait *= 2
	}
}

// wire records what happened to the last HTTP request of one attempt: the status Discord
// answered, or the transport's error when no answer came.
type wire struct {
	mu     sync.Mutex
	status int
	err    error
}

// client is base with its transport wrapped so that every request's outcome is recorded.
func (w *wire) client(base *http.Client) *http.Client {
	c := &http.Client{}
	if base != nil {
		*c = *base
	}
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.Transport = roundTripper(func(req *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(req)
		w.mu.Lock()
		defer w.mu.Unlock()
		if err != nil {
			w.status, w.err = 0, err
		} else {
			w.status, w.err = resp.StatusCode, nil
		}
		return resp, err
	})
	return c
}

// passing reports whether an attempt that failed with err may pass on a later one. Once Discord
// has answered, only 500, 502, 503 and 504 qualify: other statuses are its decision, and a 2xx
// means the call took effect even if its body was then lost. Without an answer, a failed or
// timed-out connection qualifies, as the transport or the HTTP client (its Timeout) saw it.
func (w *wire) passing(err error) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch w.status {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	case 0:
		return w.err != nil && (connectionFailed(w.err) || connectionFailed(err))
	default:
		return false
	}
}

// connectionFailed reports whether a transport error is a failed or timed-out connection rather
// than a refusal on our side (a bad URL, a host the client will not reach, a cancelled context).
func connectionFailed(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &ne) && ne.Timeout():
		return true
	}
	return false
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// messageNonce is the nonce of a channel message, derived from what the message is (its channel
// and the key that names it), so that every attempt to post it, in this process or after a
// restart, carries the same one.
func messageNonce(channelID, key string) string {
	sum := sha256.Sum256([]byte("trustbot message\x00" + channelID + "\x00" + key))
	return hex.EncodeToString(sum[:])[:nonceLength]
}
