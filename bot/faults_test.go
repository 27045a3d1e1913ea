package bot_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

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

// TestFollowupRetriesOn5xx: after a deferral, the edit of the original response that carries
// the result is retried when Discord answers 502, a bounded number of times (1 + MaxRestRetries
// attempts); when Discord keeps failing, the bot gives up after the bound and logs it.
func TestFollowupRetriesOn5xx(t *testing.T) {
	attempts := 1 + bot.MaxRestRetries
	for _, tc := range []struct {
		name     string
		failures int
		landed   bool
	}{
		{"502 twice then success", 2, true},
		{"502 forever", 100, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.link(alice, "0x000000000000000000000000000000000000a11c")
			h.link(bob, "0x0000000000000000000000000000000000000b0b")
			logs := &logBuffer{}
			// A bot of its own, to read what it logs; same config as the harness's.
			b := bot.New(bot.Config{AppID: appID, GuildID: guildID, PublicKey: h.pub, Assets: []string{"tUSD", "ETH"},
				Timeout: time.Second, Now: h.clock}, h.set, h.sess, slog.New(slog.NewTextHandler(logs, nil)))
			srv := httptest.NewServer(b.InteractionsHandler())
			t.Cleanup(srv.Close)
			t.Cleanup(b.Close)
			h.fake.Fail("PATCH", discordtest.TemplateOriginalResponse, http.StatusBadGateway, 0, tc.failures)

			status, _, body := do(t, discordtest.SignedRequest(srv.URL+"/interactions", h.priv, slash("trust", user("member", bob), str("amount", "5")), time.Now()))
			if r := decode[response](t, body); status != http.StatusOK || r.Type != 5 {
				t.Fatalf("got %d type %d, want 200 and a deferral (type 5)", status, r.Type)
			}
			want := min(tc.failures+1, attempts)
			edits := h.fake.WaitFor("PATCH", discordtest.TemplateOriginalResponse, want, 10*time.Second)
			// Let the bot finish (or wrongly go on retrying) before counting.
			b.Close()
			edits = h.fake.Find("PATCH", discordtest.TemplateOriginalResponse)
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
				t.Errorf("the edit landed on attempt %d, yet the bot logged a failure:\n%s", want, logs)
			case !tc.landed && !failed:
				t.Errorf("after %d failed attempts the bot logged no failure:\n%s", want, logs)
			}
		})
	}
}
