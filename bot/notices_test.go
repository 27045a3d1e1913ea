package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trustbot/trustbot/bot"
	"github.com/trustbot/trustbot/bot/discordtest"
	"github.com/trustbot/trustbot/commands"
	"github.com/trustbot/trustbot/store"
)

const txHash = "0x5e1f0000000000000000000000000000000000000000000000000000000000aa"

func notice(token string, created time.Time) commands.Notice {
	return commands.Notice{
		GuildID: guildID, ChannelID: channelID, TxHash: txHash,
		Text: "<@" + alice.ID + "> extended <@" + bob.ID + "> a budget of 50 tUSD. · tx 0x5e1f0000…00aa",
		Request: &store.Request{ID: "req1", InteractionToken: token, CreatedAt: created,
			Summary: "alice extends bob a budget of 50 tUSD.", Status: store.StatusConfirmed},
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
			h.bot.Notice(context.Background(), notice(token, h.clock().Add(-tc.age)))

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
	n.Request = nil
	h.bot.Notice(context.Background(), n)
	if got := len(h.fake.Find("POST", discordtest.TemplateChannelMessages)); got != 1 {
		t.Fatalf("got %d channel messages, want 1", got)
	}
	if got := len(h.fake.Find("PATCH", discordtest.TemplateOriginalResponse)); got != 0 {
		t.Fatalf("got %d edits, want none", got)
	}
}

func TestRequestDone(t *testing.T) {
	for _, tc := range []struct {
		status store.RequestStatus
		age    time.Duration
		want   string // "" = no edit
	}{
		{store.StatusFailed, time.Minute, "This did not go through: alice extends bob a budget of 50 tUSD. The transaction failed (reverted: NotIssuer())."},
		{store.StatusExpired, 10 * time.Minute, "This link expired before it was signed: alice extends bob a budget of 50 tUSD."},
		{store.StatusExpired, 20 * time.Minute, ""},
		{store.StatusFailed, 15 * time.Minute, ""},
		{store.StatusConfirmed, time.Minute, ""},
	} {
		t.Run(string(tc.status)+" "+tc.age.String(), func(t *testing.T) {
			h := newHarness(t)
			r := store.Request{ID: "req1", InteractionToken: discordtest.Token(), CreatedAt: h.clock().Add(-tc.age),
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
	h.bot.Notice(context.Background(), n)
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
