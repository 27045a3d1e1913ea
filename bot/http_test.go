package bot_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/trustbot/trustbot/bot/discordtest"
)

// endpoint serves the bot's interactions handler on loopback.
func (h *harness) endpoint() string {
	srv := httptest.NewServer(h.bot.InteractionsHandler())
	h.t.Cleanup(srv.Close)
	return srv.URL + "/interactions"
}

func do(t *testing.T, req *http.Request) (int, string, []byte) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST /interactions: %v", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Content-Type"), body
}

func TestHTTPPing(t *testing.T) {
	h := newHarness(t)
	status, ctype, body := do(t, discordtest.SignedRequest(h.endpoint(), h.priv, discordtest.Ping(appID), time.Now()))
	if status != http.StatusOK || ctype != "application/json" || string(body) != `{"type":1}` {
		t.Fatalf("got %d %s %s, want 200 application/json {\"type\":1}", status, ctype, body)
	}
	if err := discordtest.ValidateInteractionResponse(body); err != nil {
		t.Fatalf("ValidateInteractionResponse: got %v, want nil", err)
	}
}

// A signed command that needs no chain is answered in the HTTP response itself.
func TestHTTPCommand(t *testing.T) {
	h := newHarness(t)
	status, ctype, body := do(t, discordtest.SignedRequest(h.endpoint(), h.priv, slash("wallet", sub("show")), time.Now()))
	if status != http.StatusOK || ctype != "application/json" {
		t.Fatalf("got %d %s, want 200 application/json", status, ctype)
	}
	if err := discordtest.ValidateInteractionResponse(body); err != nil {
		t.Fatalf("ValidateInteractionResponse(%s): got %v, want nil", body, err)
	}
	r := decode[response](t, body)
	if r.Type != 4 || r.Data.Flags != ephemeral || r.Data.Content != "You haven't linked a wallet yet — run /wallet link." {
		t.Fatalf("got %+v, want type 4, flags 64 and the sentence", r)
	}
	if n := len(h.fake.Requests()); n != 0 {
		t.Fatalf("got %d REST requests, want none: the answer is the HTTP response", n)
	}
}

// A signed chain command is deferred in the HTTP response; the work goes on in the background
// and ends with an edit of the original response over REST.
func TestHTTPChainCommandDeferred(t *testing.T) {
	h := newHarness(t)
	h.link(alice, "0x000000000000000000000000000000000000a11c")
	h.link(bob, "0x0000000000000000000000000000000000000b0b")
	h.reserve("0x000000000000000000000000000000000000a11c")
	start := time.Now()
	status, _, body := do(t, discordtest.SignedRequest(h.endpoint(), h.priv, slash("trust", user("member", bob), str("amount", "5")), time.Now()))
	answered := time.Now()
	if status != http.StatusOK {
		t.Fatalf("got status %d, want 200", status)
	}
	if d := answered.Sub(start); d > 500*time.Millisecond {
		t.Fatalf("got the deferral after %s, want it within 500ms", d)
	}
	if err := discordtest.ValidateInteractionResponse(body); err != nil {
		t.Fatalf("ValidateInteractionResponse(%s): got %v, want nil", body, err)
	}
	if r := decode[response](t, body); r.Type != 5 || r.Data.Flags != ephemeral {
		t.Fatalf("got type %d flags %d, want 5 and 64", r.Type, r.Data.Flags)
	}
	edits := h.fake.WaitFor("PATCH", discordtest.TemplateOriginalResponse, 1, 5*time.Second)
	if e := decode[edit](t, edits[0].Body); !strings.Contains(e.Content, "The chain is unreachable") {
		t.Fatalf("got edit %q, want the chain to be unreachable", e.Content)
	}
	if first, _ := h.rpc.firstCall(); first.Before(answered.Add(-50 * time.Millisecond)) {
		t.Fatalf("got the first RPC at %s before the deferral was answered at %s", first.Format(time.StampMicro), answered.Format(time.StampMicro))
	}
}

// Requests Discord did not sign, or signed too long ago, are refused with 401 and nothing runs.
func TestHTTPRefusesUnsigned(t *testing.T) {
	h := newHarness(t)
	url := h.endpoint()
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	body := slash("setup", discordtest.Option{Name: "channel", Type: discordtest.OptionChannel, Value: "1600000000000000006"})
	for _, tc := range []struct {
		name string
		req  func() *http.Request
	}{
		{"tampered body", func() *http.Request {
			r := discordtest.SignedRequest(url, h.priv, body, time.Now())
			tampered := bytes.Replace(body, []byte("1600000000000000006"), []byte("1600000000000000007"), 1)
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(tampered)), int64(len(tampered))
			return r
		}},
		{"wrong key", func() *http.Request { return discordtest.SignedRequest(url, otherKey, body, time.Now()) }},
		{"no signature", func() *http.Request {
			r := discordtest.SignedRequest(url, h.priv, body, time.Now())
			r.Header.Del("X-Signature-Ed25519")
			return r
		}},
		{"no timestamp", func() *http.Request {
			r := discordtest.SignedRequest(url, h.priv, body, time.Now())
			r.Header.Del("X-Signature-Timestamp")
			return r
		}},
		{"no headers", func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
			return r
		}},
		{"stale timestamp", func() *http.Request {
			return discordtest.SignedRequest(url, h.priv, body, time.Now().Add(-6*time.Minute))
		}},
		{"future timestamp", func() *http.Request {
			return discordtest.SignedRequest(url, h.priv, body, time.Now().Add(6*time.Minute))
		}},
		{"garbage signature", func() *http.Request {
			r := discordtest.SignedRequest(url, h.priv, body, time.Now())
			r.Header.Set("X-Signature-Ed25519", "zz")
			return r
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, got := do(t, tc.req())
			if status != http.StatusUnauthorized {
				t.Fatalf("got %d %s, want 401", status, got)
			}
		})
	}
	if ch, _ := h.db.NoticeChannel(context.Background(), guildID); ch != "" {
		t.Fatalf("got notice channel %q, want none: no refused request may run", ch)
	}
	if n := len(h.fake.Requests()); n != 0 {
		t.Fatalf("got %d REST requests, want none", n)
	}
	// The same body, properly signed, does run.
	status, _, got := do(t, discordtest.SignedRequest(url, h.priv, body, time.Now()))
	if status != http.StatusOK {
		t.Fatalf("got %d %s, want 200 for the signed request", status, got)
	}
	if ch, _ := h.db.NoticeChannel(context.Background(), guildID); ch != "1600000000000000006" {
		t.Fatalf("got notice channel %q, want 1600000000000000006", ch)
	}
}

func TestHTTPBodyLimit(t *testing.T) {
	h := newHarness(t)
	big := append(slash("wallet", sub("show")), bytes.Repeat([]byte(" "), 64<<10)...)
	status, _, _ := do(t, discordtest.SignedRequest(h.endpoint(), h.priv, big, time.Now()))
	if status != http.StatusRequestEntityTooLarge {
		t.Fatalf("got %d, want 413 for a body over 64 KiB", status)
	}
}
