package bot_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/bot"
	"github.com/trustbot/trustbot/bot/discordtest"
)

// logBuffer collects a logger's output, safe for concurrent writes.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// loggedBot is a bot of its own over the harness's fake Discord and commands, with the
// harness's config but the given clock, logging to out; it serves the interactions endpoint at
// url.
func loggedBot(t *testing.T, h *harness, now func() time.Time, out io.Writer) (b *bot.Bot, url string) {
	t.Helper()
	b = bot.New(bot.Config{AppID: appID, GuildID: guildID, PublicKey: h.pub, Assets: []string{"tUSD", "ETH"},
		Timeout: time.Second, Now: now}, h.set, h.sess, slog.New(slog.NewTextHandler(out, nil)))
	srv := httptest.NewServer(b.InteractionsHandler())
	t.Cleanup(srv.Close)
	t.Cleanup(b.Close)
	return b, srv.URL + "/interactions"
}

// failure is a way a call to Discord can fail that is worth another attempt.
type failure struct {
	name string
	step discordtest.Fault
}

var passingFailures = []failure{
	{"500", discordtest.Fault{Status: http.StatusInternalServerError}},
	{"502", discordtest.Fault{Status: http.StatusBadGateway}},
	{"503", discordtest.Fault{Status: http.StatusServiceUnavailable}},
	{"504", discordtest.Fault{Status: http.StatusGatewayTimeout}},
	{"dropped connection", discordtest.Fault{Drop: true}},
}

// times is the failure for n requests in a row; after, once the fake has acted on each.
func (f failure) times(n int, after bool) discordtest.Fault {
	s := f.step
	s.Times, s.After = n, after
	return s
}

// deferTrust sends a signed /trust to the endpoint at url and checks it is deferred; the chain
// never answers, so the deferred edit says the chain is unreachable.
func deferTrust(t *testing.T, h *harness, url string) {
	t.Helper()
	status, _, body := do(t, discordtest.SignedRequest(url, h.priv, slash("trust", user("member", bob), str("amount", "5")), time.Now()))
	if r := decode[response](t, body); status != http.StatusOK || r.Type != 5 {
		t.Fatalf("got %d type %d, want 200 and a deferral (type 5)", status, r.Type)
	}
}

// TestFollowupRetriesOn5xx: after a deferral, the edit of the original response that carries
// the result is repeated when Discord answers 500, 502, 503 or 504 or drops the connection, up
// to FollowupAttempts attempts in all; when Discord keeps failing, the bot gives up after the
// bound, logs it, and goes on answering other interactions.
func TestFollowupRetriesOn5xx(t *testing.T) {
	for _, f := range passingFailures {
		for _, tc := range []struct {
			name     string
			failures int
			landed   bool
		}{
			{"twice then success", 2, true},
			{"forever", 100, false},
		} {
			t.Run(f.name+" "+tc.name, func(t *testing.T) {
				t.Parallel()
				h := newHarness(t)
				h.link(alice, "0x000000000000000000000000000000000000a11c")
				h.link(bob, "0x0000000000000000000000000000000000000b0b")
				h.reserve("0x000000000000000000000000000000000000a11c")
				logs := &logBuffer{}
				b, url := loggedBot(t, h, h.clock, logs)
				h.fake.Script("PATCH", discordtest.TemplateOriginalResponse, f.times(tc.failures, false))

				deferTrust(t, h, url)
				want := min(tc.failures+1, bot.FollowupAttempts)
				h.fake.WaitFor("PATCH", discordtest.TemplateOriginalResponse, want, 10*time.Second)

				// Nothing else is broken: a command that needs no chain is still answered.
				status, _, body := do(t, discordtest.SignedRequest(url, h.priv, slash("wallet", sub("show")), time.Now()))
				if r := decode[response](t, body); status != http.StatusOK || r.Type != 4 || !strings.Contains(r.Data.Content, "0x000000000000000000000000000000000000a11c") {
					t.Fatalf("/wallet show after the failures: got %d type %d %q, want 200, type 4 and alice's wallet", status, r.Type, r.Data.Content)
				}

				// Let the bot finish (or wrongly go on retrying) before counting.
				b.Close()
				edits := h.fake.Find("PATCH", discordtest.TemplateOriginalResponse)
				if len(edits) != want {
					t.Fatalf("got %d edit attempts, want %d", len(edits), want)
				}
				for i, e := range edits {
					if got := decode[edit](t, e.Body); !strings.Contains(got.Content, "The chain is unreachable") {
						t.Errorf("attempt %d: got edit %q, want the chain to be unreachable", i+1, got.Content)
					}
				}
				failed := strings.Contains(logs.String(), "editing the deferred response failed")
				switch {
				case tc.landed && failed:
					t.Errorf("got a logged failure although the edit landed on attempt %d, want none:\n%s", want, logs)
				case !tc.landed && !failed:
					t.Errorf("got no logged failure after %d failed attempts, want one:\n%s", want, logs)
				}
				if strings.Contains(logs.String(), "panic") {
					t.Errorf("got a panic in the logs, want none:\n%s", logs)
				}
			})
		}
	}
}

// TestNoticeRetriesOnce: a notice is posted again when Discord answers 500, 502, 503 or 504 or
// drops the connection, and appears exactly once in the channel even when Discord had created
// the message before failing: every attempt carries the same nonce with enforce_nonce, and
// Discord returns the message it already made. Notice returns nil, and the requester's response
// is edited, only when an attempt landed; otherwise it returns the error (the notice stays in
// the outbox) and leaves the requester's response alone until a later delivery.
func TestNoticeRetriesOnce(t *testing.T) {
	for _, f := range passingFailures {
		for _, tc := range []struct {
			name     string
			failures int
			after    bool
		}{
			{"once before storing", 1, false},
			{"once after storing", 1, true},
			{"forever after storing", 100, true},
		} {
			t.Run(f.name+" "+tc.name, func(t *testing.T) {
				t.Parallel()
				h := newHarness(t)
				logs := &logBuffer{}
				b, _ := loggedBot(t, h, h.clock, logs)
				h.fake.Script("POST", discordtest.TemplateChannelMessages, f.times(tc.failures, tc.after))

				err := b.Notice(context.Background(), notice(discordtest.Token(), h.clock().Add(-time.Minute)))

				posts := h.fake.Find("POST", discordtest.TemplateChannelMessages)
				if want := min(tc.failures+1, bot.FollowupAttempts); len(posts) != want {
					t.Fatalf("got %d POSTs of the notice, want %d", len(posts), want)
				}
				nonce, _ := posts[0].Map()["nonce"].(string)
				if nonce == "" || len(nonce) > 25 {
					t.Fatalf("got nonce %q, want one of 1 to 25 characters", nonce)
				}
				for i, p := range posts {
					m := p.Map()
					if m["nonce"] != nonce || m["enforce_nonce"] != true {
						t.Errorf("attempt %d: got nonce %v enforce_nonce %v, want %q and true", i+1, m["nonce"], m["enforce_nonce"], nonce)
					}
				}
				msgs := h.fake.Messages(channelID)
				if len(msgs) != 1 {
					t.Fatalf("got %d messages in the channel, want exactly 1", len(msgs))
				}
				if c, _ := msgs[0]["content"].(string); !strings.HasPrefix(c, "<@"+alice.ID+"> extended <@"+bob.ID+">") {
					t.Errorf("got message %q, want the notice", c)
				}
				landed := tc.failures < bot.FollowupAttempts
				if failed := err != nil; failed == landed {
					t.Errorf("got Notice error %v, want an error %v", err, !landed)
				}
				wantEdits := 0
				if landed {
					wantEdits = 1
				}
				if n := len(h.fake.Find("PATCH", discordtest.TemplateOriginalResponse)); n != wantEdits {
					t.Errorf("got %d edits of the requester's response, want %d", n, wantEdits)
				}
			})
		}
	}
}

// TestNoticeRedeliveredAfterRestart: the same notice posted again by a new bot (a restart that
// redelivers it within Discord's nonce window) carries the same nonce and creates no second
// message; a notice of another transaction does.
func TestNoticeRedeliveredAfterRestart(t *testing.T) {
	h := newHarness(t)
	n := notice("", time.Time{})
	n.Request = trustbot.SigningRequest{}
	for i := range 2 {
		b, _ := loggedBot(t, h, h.clock, io.Discard)
		mustNotice(t, b, n)
		b.Close()
		if got := len(h.fake.Find("POST", discordtest.TemplateChannelMessages)); got != i+1 {
			t.Fatalf("run %d: got %d POSTs, want %d", i+1, got, i+1)
		}
	}
	posts := h.fake.Find("POST", discordtest.TemplateChannelMessages)
	if a, b := posts[0].Map()["nonce"], posts[1].Map()["nonce"]; a != b {
		t.Fatalf("got nonces %v and %v, want the same for the same notice", a, b)
	}
	if got := len(h.fake.Messages(channelID)); got != 1 {
		t.Fatalf("got %d messages after the redelivery, want 1", got)
	}
	other := n
	other.TxHash = common.HexToHash("0x5e1f0000000000000000000000000000000000000000000000000000000000bb")
	other.Nonce = "tx-another-transaction"
	mustNotice(t, h.bot, other)
	if got := len(h.fake.Messages(channelID)); got != 2 {
		t.Fatalf("got %d messages after another transaction's notice, want 2", got)
	}
}

// TestNoRetryOn4xx: a 4xx is Discord's decision about the request itself; the edit and the
// notice are attempted once. A refused notice is Notice's error, marked undeliverable (the
// outbox drops it); a refused edit is logged and the notice still counts as delivered.
func TestNoRetryOn4xx(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound} {
		for _, tc := range []struct {
			call, method, template, logged string
		}{
			{"edit", "PATCH", discordtest.TemplateOriginalResponse, "editing the requester's response failed"},
			{"notice", "POST", discordtest.TemplateChannelMessages, ""},
		} {
			t.Run(fmt.Sprintf("%d %s", status, tc.call), func(t *testing.T) {
				t.Parallel()
				h := newHarness(t)
				logs := &logBuffer{}
				b, _ := loggedBot(t, h, h.clock, logs)
				h.fake.Fail(tc.method, tc.template, status, 0, 100)
				err := b.Notice(context.Background(), notice(discordtest.Token(), h.clock().Add(-time.Minute)))
				if n := len(h.fake.Find(tc.method, tc.template)); n != 1 {
					t.Fatalf("got %d attempts after a %d, want 1", n, status)
				}
				if tc.logged == "" {
					if err == nil || !strings.Contains(err.Error(), fmt.Sprint(status)) {
						t.Fatalf("got Notice error %v, want the %d", err, status)
					}
					if !errors.Is(err, trustbot.ErrUndeliverable) {
						t.Fatalf("got Notice error %v, want it marked trustbot.ErrUndeliverable", err)
					}
					if n := len(h.fake.Find("PATCH", discordtest.TemplateOriginalResponse)); n != 0 {
						t.Fatalf("got %d edits of the requester's response for an undelivered notice, want none", n)
					}
					return
				}
				if err != nil {
					t.Fatalf("got Notice error %v, want nil: the notice was posted", err)
				}
				if !strings.Contains(logs.String(), tc.logged) {
					t.Fatalf("got logs without %q, want the failure logged:\n%s", tc.logged, logs)
				}
			})
		}
	}
}

// TestRetryWithinTokenLife: an edit under an interaction token is never attempted, nor a retry
// scheduled, past the token's 15 minutes on the bot's clock. The clock moves only when Discord
// has seen another attempt, so the token's time left after each attempt decides exactly how many
// are made: none more once less than the next backoff is left.
func TestRetryWithinTokenLife(t *testing.T) {
	for _, tc := range []struct {
		name string
		left []time.Duration // the token's time left once Discord has seen i attempts
		want int
	}{
		{"a minute left throughout", []time.Duration{time.Minute}, bot.FollowupAttempts},
		{"less than the second backoff left after attempt 2", []time.Duration{time.Minute, time.Minute, 2*bot.FollowupBackoff - 10*time.Millisecond}, 2},
		{"less than the first backoff left after attempt 1", []time.Duration{time.Minute, bot.FollowupBackoff - 10*time.Millisecond}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			base := h.clock()
			expires := base.Add(tc.left[0])
			now := func() time.Time {
				n := min(len(h.fake.Find("PATCH", discordtest.TemplateOriginalResponse)), len(tc.left)-1)
				return expires.Add(-tc.left[n])
			}
			logs := &logBuffer{}
			b, _ := loggedBot(t, h, now, logs)
			h.fake.Fail("PATCH", discordtest.TemplateOriginalResponse, http.StatusServiceUnavailable, 0, 100)
			r := trustbot.SigningRequest{ID: "req1", InteractionToken: discordtest.Token(), CreatedAt: expires.Add(-15 * time.Minute),
				Summary: "alice extends bob a budget of 50 tUSD.", Status: trustbot.StatusExpired}
			b.RequestDone(context.Background(), r)
			if n := len(h.fake.Find("PATCH", discordtest.TemplateOriginalResponse)); n != tc.want {
				t.Fatalf("got %d attempts, want %d", n, tc.want)
			}
			if !strings.Contains(logs.String(), "editing the requester's response failed") {
				t.Fatalf("got logs without the failure, want it logged:\n%s", logs)
			}
		})
	}

	// A deferred edit whose first attempt fails as the token's 15 minutes run out: the clock
	// jumps past them once Discord has seen that attempt, and no second one follows.
	t.Run("deferred edit, clock past 15 minutes", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.link(alice, "0x000000000000000000000000000000000000a11c")
		h.link(bob, "0x0000000000000000000000000000000000000b0b")
		h.reserve("0x000000000000000000000000000000000000a11c")
		base := h.clock()
		now := func() time.Time {
			if len(h.fake.Find("PATCH", discordtest.TemplateOriginalResponse)) > 0 {
				return base.Add(15*time.Minute + time.Second)
			}
			return base
		}
		logs := &logBuffer{}
		b, url := loggedBot(t, h, now, logs)
		h.fake.Fail("PATCH", discordtest.TemplateOriginalResponse, http.StatusServiceUnavailable, 0, 100)
		deferTrust(t, h, url)
		h.fake.WaitFor("PATCH", discordtest.TemplateOriginalResponse, 1, 10*time.Second)
		b.Close()
		if n := len(h.fake.Find("PATCH", discordtest.TemplateOriginalResponse)); n != 1 {
			t.Fatalf("got %d edit attempts, want 1: the token expired before a retry", n)
		}
		if !strings.Contains(logs.String(), "editing the deferred response failed") || !strings.Contains(logs.String(), "interaction token expires") {
			t.Fatalf("got logs without the failure and the token's expiry, want both:\n%s", logs)
		}
	})
}

// cancelOnLog cancels a context when a line containing what is logged, and remembers when.
type cancelOnLog struct {
	logBuffer
	what   string
	cancel context.CancelFunc
	at     time.Time
}

func (c *cancelOnLog) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte(c.what)) {
		c.mu.Lock()
		if c.at.IsZero() {
			c.at = time.Now()
		}
		c.mu.Unlock()
		c.cancel()
	}
	return c.logBuffer.Write(p)
}

// TestRetryStopsOnCancel: a context cancelled while the bot waits to retry ends the wait at
// once; no further attempt is made.
func TestRetryStopsOnCancel(t *testing.T) {
	h := newHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &cancelOnLog{what: "discord: retrying", cancel: cancel}
	b, _ := loggedBot(t, h, h.clock, logs)
	h.fake.Fail("POST", discordtest.TemplateChannelMessages, http.StatusServiceUnavailable, 0, 100)
	n := notice("", time.Time{})
	n.Request = trustbot.SigningRequest{}

	err := b.Notice(ctx, n)
	returned := time.Now()

	logs.mu.Lock()
	cancelled := logs.at
	logs.mu.Unlock()
	if cancelled.IsZero() {
		t.Fatalf("got no retry scheduled after a 503, want one (cancelled during its wait):\n%s", logs.String())
	}
	if d := returned.Sub(cancelled); d >= bot.FollowupBackoff {
		t.Fatalf("got Notice returning %s after the cancel, want at once (before the %s backoff ends)", d, bot.FollowupBackoff)
	}
	if got := len(h.fake.Find("POST", discordtest.TemplateChannelMessages)); got != 1 {
		t.Fatalf("got %d attempts, want 1", got)
	}
	if err == nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("got Notice error %v, want one wrapping the cancellation", err)
	}
}

// refusedTransport sends every request to a local port nobody listens on, counting them.
type refusedTransport struct {
	addr string
	mu   sync.Mutex
	n    int
}

func (rt *refusedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.n++
	rt.mu.Unlock()
	r2 := req.Clone(req.Context())
	r2.URL.Scheme, r2.URL.Host, r2.Host = "http", rt.addr, rt.addr
	return http.DefaultTransport.RoundTrip(r2)
}

func (rt *refusedTransport) count() int {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.n
}

// TestRetryOnTransportErrors: a refused connection and an attempt that times out without an
// answer are retried like a 5xx, up to FollowupAttempts attempts.
func TestRetryOnTransportErrors(t *testing.T) {
	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		rt := &refusedTransport{addr: ln.Addr().String()}
		ln.Close()
		sess, err := discordgo.New("Bot fake-token")
		if err != nil {
			t.Fatal(err)
		}
		sess.Client = &http.Client{Transport: rt, Timeout: 5 * time.Second}
		logs := &logBuffer{}
		b := bot.New(bot.Config{AppID: appID, GuildID: guildID, Now: h.clock}, h.set, sess, slog.New(slog.NewTextHandler(logs, nil)))
		t.Cleanup(b.Close)
		n := notice(discordtest.Token(), h.clock().Add(-time.Minute))
		err = b.Notice(context.Background(), n)
		if got, want := rt.count(), bot.FollowupAttempts; got != want {
			t.Fatalf("got %d connection attempts, want %d (the notice only: an undelivered notice edits nothing)", got, want)
		}
		if err == nil || !strings.Contains(err.Error(), "connection refused") {
			t.Fatalf("got Notice error %v, want the refused connection", err)
		}
		// The requester's edit is retried the same way.
		r := n.Request
		r.Status = trustbot.StatusFailed
		b.RequestDone(context.Background(), r)
		if got, want := rt.count(), 2*bot.FollowupAttempts; got != want {
			t.Fatalf("got %d connection attempts, want %d (the notice and the edit, %d each)", got, want, bot.FollowupAttempts)
		}
		for _, want := range []string{"editing the requester's response failed", "connection refused"} {
			if !strings.Contains(logs.String(), want) {
				t.Errorf("got logs without %q, want it:\n%s", want, logs)
			}
		}
	})
	t.Run("no answer before the client's timeout", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.sess.Client.Timeout = 200 * time.Millisecond
		logs := &logBuffer{}
		b, _ := loggedBot(t, h, h.clock, logs)
		h.fake.Hang("POST", discordtest.TemplateChannelMessages)
		n := notice("", time.Time{})
		n.Request = trustbot.SigningRequest{}
		err := b.Notice(context.Background(), n)
		if got := len(h.fake.Find("POST", discordtest.TemplateChannelMessages)); got != bot.FollowupAttempts {
			t.Fatalf("got %d attempts, want %d", got, bot.FollowupAttempts)
		}
		if err == nil {
			t.Fatalf("got Notice returning nil after %d unanswered attempts, want an error", bot.FollowupAttempts)
		}
	})
}
