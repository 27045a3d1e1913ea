package bot_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/bot"
	"github.com/trustbot/trustbot/bot/discordtest"
)

const txHash = "0x5e1f0000000000000000000000000000000000000000000000000000000000aa"

// notice is a transaction's notice as the outbox delivers it: its nonce is the same at every
// delivery (commands names it by the transaction hash).
func notice(token string, created time.Time) trustbot.Notice {
	return trustbot.Notice{
		GuildID: guildID, ChannelID: channelID, TxHash: common.HexToHash(txHash), Nonce: "tx" + txHash[2:25],
		Text: "<@" + alice.ID + "> extended <@" + bob.ID + "> a budget of 50 tUSD. · tx 0x5e1f0000…00aa",
		Request: trustbot.SigningRequest{ID: "req1", InteractionToken: token, CreatedAt: created,
			Summary: "alice extends bob a budget of 50 tUSD.", Status: trustbot.StatusConfirmed},
	}
}

// mustNotice delivers n and fails the test when Notice does not return nil.
func mustNotice(t *testing.T, b *bot.Bot, n trustbot.Notice) {
	t.Helper()
	if err := b.Notice(context.Background(), n); err != nil {
		t.Fatalf("Notice: %v, want nil", err)
	}
}

func TestNotice(t *testing.T) {
	for _, tc := range []struct {
		name     string
		explorer string
		age      time.Duration
		wantEdit bool
	}{
		{"fresh token, explorer", "https://explorer.example/", time.Minute, true},
		{"fresh token, no explorer", "", 14 * time.Minute, true},
		{"expired token", "https://explorer.example", 16 * time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, func(c *bot.Config) { c.ExplorerURL = tc.explorer })
			token := discordtest.Token()
			mustNotice(t, h.bot, notice(token, h.clock().Add(-tc.age)))

			posts := h.fake.Find("POST", discordtest.TemplateChannelMessages)
			if len(posts) != 1 {
				t.Fatalf("got %d channel messages, want 1", len(posts))
			}
			if !strings.Contains(posts[0].Path, "/channels/"+channelID+"/messages") {
				t.Fatalf("got path %s, want the notice channel %s", posts[0].Path, channelID)
			}
			msg := posts[0].Map()
			content, _ := msg["content"].(string)
			if !strings.HasPrefix(content, "<@"+alice.ID+"> extended <@"+bob.ID+"> a budget of 50 tUSD.") {
				t.Fatalf("got content %q, want the notice's sentence", content)
			}
			link := "https://explorer.example/tx/" + txHash
			if got := strings.Contains(content, link); got != (tc.explorer != "") {
				t.Fatalf("got content %q: contains explorer link %v, want %v", content, got, tc.explorer != "")
			}
			if am, _ := msg["allowed_mentions"].(map[string]any); am == nil || len(am["parse"].([]any)) != 1 || am["parse"].([]any)[0] != "users" {
				t.Fatalf("got allowed_mentions %v, want users only", msg["allowed_mentions"])
			}

			edits := h.fake.Find("PATCH", discordtest.TemplateOriginalResponse)
			if got := len(edits) == 1; got != tc.wantEdit {
				t.Fatalf("got %d edits of the original response, want edited=%v (token %s old)", len(edits), tc.wantEdit, tc.age)
			}
			if tc.wantEdit {
				if !strings.Contains(edits[0].Path, "/webhooks/"+appID+"/"+token+"/messages/@original") {
					t.Fatalf("got edit path %s, want the requester's token", edits[0].Path)
				}
				e := decode[edit](t, edits[0].Body)
				if !strings.HasPrefix(e.Content, "Confirmed on chain: alice extends bob a budget of 50 tUSD.") {
					t.Fatalf("got edit %q, want it to say confirmed", e.Content)
				}
				if e.Components == nil || len(e.Components) != 0 {
					t.Fatalf("got components %+v, want [] (the signing button removed)", e.Components)
				}
			}
		})
	}
}

func TestNoticeWithoutRequest(t *testing.T) {
	h := newHarness(t)
	n := notice("", time.Time{})
	n.Request = trustbot.SigningRequest{}
	mustNotice(t, h.bot, n)
	if got := len(h.fake.Find("POST", discordtest.TemplateChannelMessages)); got != 1 {
		t.Fatalf("got %d channel messages, want 1", got)
	}
	if got := len(h.fake.Find("PATCH", discordtest.TemplateOriginalResponse)); got != 0 {
		t.Fatalf("got %d edits, want none", got)
	}
}

func TestRequestDone(t *testing.T) {
	for _, tc := range []struct {
		status trustbot.RequestStatus
		age    time.Duration
		want   string // "" = no edit
	}{
		{trustbot.StatusFailed, time.Minute, "This did not go through: alice extends bob a budget of 50 tUSD. The transaction failed (reverted: NotIssuer())."},
		{trustbot.StatusExpired, 10 * time.Minute, "This link expired before it was signed: alice extends bob a budget of 50 tUSD."},
		{trustbot.StatusExpired, 20 * time.Minute, ""},
		{trustbot.StatusFailed, 15 * time.Minute, ""},
		{trustbot.StatusConfirmed, time.Minute, ""},
	} {
		t.Run(string(tc.status)+" "+tc.age.String(), func(t *testing.T) {
			h := newHarness(t)
			r := trustbot.SigningRequest{ID: "req1", InteractionToken: discordtest.Token(), CreatedAt: h.clock().Add(-tc.age),
				Summary: "alice extends bob a budget of 50 tUSD.", Status: tc.status, Error: "reverted: NotIssuer()"}
			h.bot.RequestDone(context.Background(), r)
			edits := h.fake.Find("PATCH", discordtest.TemplateOriginalResponse)
			if tc.want == "" {
				if len(edits) != 0 {
					t.Fatalf("got %d edits, want none", len(edits))
				}
				return
			}
			if len(edits) != 1 {
				t.Fatalf("got %d edits, want 1", len(edits))
			}
			if e := decode[edit](t, edits[0].Body); !strings.HasPrefix(e.Content, tc.want) {
				t.Fatalf("got %q, want it to start with %q", e.Content, tc.want)
			}
			if n := len(h.fake.Find("POST", discordtest.TemplateChannelMessages)); n != 0 {
				t.Fatalf("got %d channel messages, want none", n)
			}
		})
	}
}

// Replies longer than Discord's 2,000 characters are cut at a line break, marked with "…".
func TestLongNoticeIsCut(t *testing.T) {
	h := newHarness(t)
	n := notice("", time.Time{})
	var lines []string
	for i := 0; i < 100; i++ {
		lines = append(lines, "<@"+alice.ID+"> re-upped <@"+bob.ID+"> with 1 tUSD.")
	}
	n.Text = strings.Join(lines, "\n")
	mustNotice(t, h.bot, n)
	posts := h.fake.Find("POST", discordtest.TemplateChannelMessages)
	if len(posts) != 1 {
		t.Fatalf("got %d channel messages, want 1", len(posts))
	}
	content, _ := posts[0].Map()["content"].(string)
	if n := len([]rune(content)); n > 2000 || n < 1500 {
		t.Fatalf("got %d characters, want at most 2000 and most of the text", n)
	}
	if !strings.HasSuffix(content, "tUSD.…") {
		t.Fatalf("got a cut ending %q, want it at the end of a line, marked …", content[len(content)-20:])
	}
}

// TestNoticeErrorUntilDiscordRecovers: while Discord answers 5xx to every attempt, Notice
// returns an error (the outbox keeps the notice) and tells the requester nothing; the next
// delivery, once Discord recovers, returns nil, and the channel shows the notice once even
// though Discord had stored the message before failing.
func TestNoticeErrorUntilDiscordRecovers(t *testing.T) {
	h := newHarness(t)
	h.fake.Script("POST", discordtest.TemplateChannelMessages,
		discordtest.Fault{Status: http.StatusServiceUnavailable, Times: bot.FollowupAttempts - 1},
		discordtest.Fault{Status: http.StatusBadGateway, After: true})
	n := notice(discordtest.Token(), h.clock().Add(-time.Minute))

	err := h.bot.Notice(context.Background(), n)
	if err == nil {
		t.Fatalf("got nil from Notice after %d answers of 5xx, want an error", bot.FollowupAttempts)
	}
	if got := len(h.fake.Find("POST", discordtest.TemplateChannelMessages)); got != bot.FollowupAttempts {
		t.Fatalf("got %d POSTs, want %d", got, bot.FollowupAttempts)
	}
	if got := len(h.fake.Find("PATCH", discordtest.TemplateOriginalResponse)); got != 0 {
		t.Fatalf("got %d edits of the requester's response for an undelivered notice, want none", got)
	}

	mustNotice(t, h.bot, n)
	if got := len(h.fake.Find("POST", discordtest.TemplateChannelMessages)); got != bot.FollowupAttempts+1 {
		t.Fatalf("got %d POSTs, want %d: one more for the redelivery", got, bot.FollowupAttempts+1)
	}
	if got := len(h.fake.Messages(channelID)); got != 1 {
		t.Fatalf("got %d messages in the channel, want 1", got)
	}
	if got := len(h.fake.Find("PATCH", discordtest.TemplateOriginalResponse)); got != 1 {
		t.Fatalf("got %d edits of the requester's response, want 1 once delivered", got)
	}
}

// TestNoticeDeliveredTwice: the outbox may deliver a notice again (delivered but not marked);
// both deliveries carry the notice's nonce with enforce_nonce, and the channel shows one
// message. A notice with another nonce is another message.
func TestNoticeDeliveredTwice(t *testing.T) {
	h := newHarness(t)
	n := notice("", time.Time{})
	mustNotice(t, h.bot, n)
	mustNotice(t, h.bot, n)
	posts := h.fake.Find("POST", discordtest.TemplateChannelMessages)
	if len(posts) != 2 {
		t.Fatalf("got %d POSTs, want 2", len(posts))
	}
	a, b := posts[0].Map(), posts[1].Map()
	if a["nonce"] == nil || a["nonce"] != b["nonce"] || a["enforce_nonce"] != true || b["enforce_nonce"] != true {
		t.Fatalf("got nonces %v/%v enforce_nonce %v/%v, want one nonce, enforced both times", a["nonce"], b["nonce"], a["enforce_nonce"], b["enforce_nonce"])
	}
	if got := len(h.fake.Messages(channelID)); got != 1 {
		t.Fatalf("got %d messages, want 1", got)
	}
	other := n
	other.Nonce = "tx-another-transaction"
	mustNotice(t, h.bot, other)
	if got := len(h.fake.Messages(channelID)); got != 2 {
		t.Fatalf("got %d messages after a notice with another nonce, want 2", got)
	}
}
