package bot_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/bot"
	"github.com/trustbot/trustbot/bot/discordtest"
)

// The guild roster the member lookups run against.
var (
	carol   = discordtest.Member{ID: "1600000000000000006", Username: "carol", GlobalName: "Carol C", Nick: "Caz"}
	carolyn = discordtest.Member{ID: "1600000000000000016", Username: "carolyn"}
	dave    = discordtest.Member{ID: "1700000000000000007", Username: "dave", GlobalName: "Dave D"}
	erin    = discordtest.Member{ID: "1800000000000000008", Username: "erin"}
	frank   = discordtest.Member{ID: "1900000000000000009", Username: "frank_77", Nick: "Franky"}
	samA    = discordtest.Member{ID: "2000000000000000010", Username: "sam"}
	samB    = discordtest.Member{ID: "2000000000000000011", Username: "samuel", Nick: "Sam"}
	helper  = discordtest.Member{ID: "2100000000000000012", Username: "helperbot", Bot: true}
	roster  = []discordtest.Member{carol, carolyn, dave, erin, frank, samA, samB, helper}
)

// newMembers is a member lookup over a fake Discord whose guild has roster, logging to logs.
func newMembers(t *testing.T) (*bot.Members, *discordtest.Server, *logBuffer) {
	t.Helper()
	srv := discordtest.NewServer(t)
	srv.SetMembers(guildID, roster...)
	logs := &logBuffer{}
	return bot.NewMembers(srv.Session(), slog.New(slog.NewTextHandler(logs, nil))), srv, logs
}

// TestMembers resolves each way a split names a member against the fake's roster: mentions by
// Get Guild Member (nickname, else display name, else username), names by Search Guild Members
// matched exactly, and the sentences for everyone who cannot share a split.
func TestMembers(t *testing.T) {
	memberPath := func(id string) string { return "/api/v9/guilds/" + guildID + "/members/" + id }
	for _, tc := range []struct {
		name, guild, text string
		want              trustbot.Member
		code, msg         string
		template, path    string // the one request expected
		query             string // the search's query parameter
	}{
		{name: "mention, nickname first", text: "<@" + carol.ID + ">", want: trustbot.Member{ID: carol.ID, Name: "Caz"},
			template: discordtest.TemplateGuildMember, path: memberPath(carol.ID)},
		{name: "mention, display name without a nickname", text: "<@" + dave.ID + ">", want: trustbot.Member{ID: dave.ID, Name: "Dave D"},
			template: discordtest.TemplateGuildMember, path: memberPath(dave.ID)},
		{name: "mention, username alone", text: " <@" + erin.ID + "> ", want: trustbot.Member{ID: erin.ID, Name: "erin"},
			template: discordtest.TemplateGuildMember, path: memberPath(erin.ID)},
		{name: "nickname mention <@!id>", text: "<@!" + dave.ID + ">", want: trustbot.Member{ID: dave.ID, Name: "Dave D"},
			template: discordtest.TemplateGuildMember, path: memberPath(dave.ID)},
		{name: "mention of someone not in the server", text: "<@2200000000000000013>", code: trustbot.EInvalid,
			msg: "<@2200000000000000013> is not a member of this server.", template: discordtest.TemplateGuildMember, path: memberPath("2200000000000000013")},
		{name: "mention of a bot", text: "<@" + helper.ID + ">", code: trustbot.EInvalid, msg: "<@" + helper.ID + "> is a bot; only people share a split.",
			template: discordtest.TemplateGuildMember, path: memberPath(helper.ID)},
		{name: "name with @, one exact among prefixes", text: "@carol", want: trustbot.Member{ID: carol.ID, Name: "Caz"},
			template: discordtest.TemplateGuildMembersSearch, query: "carol"},
		{name: "bare name in capitals", text: "CAROLYN", want: trustbot.Member{ID: carolyn.ID, Name: "carolyn"},
			template: discordtest.TemplateGuildMembersSearch, query: "CAROLYN"},
		{name: "name that is a nickname", text: "@franky", want: trustbot.Member{ID: frank.ID, Name: "Franky"},
			template: discordtest.TemplateGuildMembersSearch, query: "franky"},
		{name: "name nobody has", text: "@zed", code: trustbot.EInvalid, msg: "No member of this server is called @zed.",
			template: discordtest.TemplateGuildMembersSearch, query: "zed"},
		{name: "name only a prefix of someone's", text: "car", code: trustbot.EInvalid, msg: "No member of this server is called @car.",
			template: discordtest.TemplateGuildMembersSearch, query: "car"},
		{name: "name two members have", text: "@sam", code: trustbot.EInvalid,
			msg:      "Several members are called @sam: mention one, like <@" + samA.ID + "> or <@" + samB.ID + ">.",
			template: discordtest.TemplateGuildMembersSearch, query: "sam"},
		{name: "name of a bot", text: "@helperbot", code: trustbot.EInvalid, msg: "@helperbot is a bot; only people share a split.",
			template: discordtest.TemplateGuildMembersSearch, query: "helperbot"},
		{name: "name longer than Discord allows", text: "@" + strings.Repeat("x", 33), code: trustbot.EInvalid,
			msg: "No member of this server is called @" + strings.Repeat("x", 33) + "."},
		{name: "in a DM", guild: "-", text: "<@" + carol.ID + ">", code: trustbot.EInvalid,
			msg: "Splits name members of a server; run this in the server's channel."},
		{name: "a role", text: "<@&2300000000000000014>", code: trustbot.EInvalid, msg: "<@&2300000000000000014> is a role; name its members one by one."},
		{name: "everyone", text: "@everyone", code: trustbot.EInvalid, msg: "Name the members of the split one by one; @everyone is not a member."},
		{name: "a channel", text: "<#2400000000000000015>", code: trustbot.EInvalid,
			msg: "<#2400000000000000015> is not a member mention I can read; type @ and pick the member, or write their name."},
		{name: "a server the bot is not in", guild: "2500000000000000016", text: "<@" + carol.ID + ">", code: trustbot.EInvalid,
			msg:      "I can't see the members of this server, so I can't look up <@" + carol.ID + ">; an admin of the server needs to invite the bot.",
			template: discordtest.TemplateGuildMember, path: "/api/v9/guilds/2500000000000000016/members/" + carol.ID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, srv, _ := newMembers(t)
			g := guildID
			switch tc.guild {
			case "-":
				g = ""
			case "":
			default:
				g = tc.guild
			}
			got, err := m.Member(context.Background(), g, tc.text)
			if code := trustbot.ErrorCode(err); code != tc.code || trustbot.ErrorMessage(err) != tc.msg && tc.code != "" {
				t.Fatalf("Member(%q) error = %v (%s); want code %q, message %q", tc.text, err, code, tc.code, tc.msg)
			}
			if got != tc.want {
				t.Errorf("Member(%q) = %+v, want %+v", tc.text, got, tc.want)
			}
			reqs := srv.Requests()
			if tc.template == "" {
				if len(reqs) != 0 {
					t.Errorf("got %d requests to Discord (first %s %s), want none", len(reqs), reqs[0].Method, reqs[0].Path)
				}
				return
			}
			if len(reqs) != 1 || reqs[0].Method != http.MethodGet || reqs[0].Template != tc.template {
				t.Fatalf("got requests %v, want one GET %s", describe(reqs), tc.template)
			}
			if tc.path != "" && reqs[0].Path != tc.path {
				t.Errorf("got path %s, want %s", reqs[0].Path, tc.path)
			}
			if tc.template == discordtest.TemplateGuildMembersSearch {
				q, _ := url.ParseQuery(reqs[0].Query)
				if q.Get("query") != tc.query || q.Get("limit") != "100" {
					t.Errorf("got query %q, want query=%s and limit=100", reqs[0].Query, tc.query)
				}
			}
		})
	}
}

func describe(reqs []discordtest.Recorded) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.Method+" "+r.Path+"?"+r.Query)
	}
	return out
}

// TestMembersRetries: a lookup Discord fails in a way that may pass (5xx, a dropped
// connection, a 429) is made again and succeeds; one Discord keeps failing is an EUnavailable
// sentence naming what was typed, logged; any other refusal is an internal error.
func TestMembersRetries(t *testing.T) {
	for _, tc := range []struct {
		name     string
		text     string
		steps    []discordtest.Fault
		want     trustbot.Member
		code     string
		msg      string
		requests int
	}{
		{name: "500 then success", text: "<@" + carol.ID + ">", steps: []discordtest.Fault{{Status: http.StatusInternalServerError}},
			want: trustbot.Member{ID: carol.ID, Name: "Caz"}, requests: 2},
		{name: "503 twice then success", text: "<@" + carol.ID + ">", steps: []discordtest.Fault{{Status: http.StatusServiceUnavailable, Times: 2}},
			want: trustbot.Member{ID: carol.ID, Name: "Caz"}, requests: 3},
		{name: "dropped connection then success", text: "@dave", steps: []discordtest.Fault{{Drop: true}},
			want: trustbot.Member{ID: dave.ID, Name: "Dave D"}, requests: 2},
		{name: "429 then success", text: "@dave", steps: []discordtest.Fault{{Status: http.StatusTooManyRequests, RetryAfter: 10 * time.Millisecond}},
			want: trustbot.Member{ID: dave.ID, Name: "Dave D"}, requests: 2},
		{name: "502 every time", text: "<@" + carol.ID + ">", steps: []discordtest.Fault{{Status: http.StatusBadGateway, Times: 10}},
			code: trustbot.EUnavailable, msg: "Discord did not answer while I looked up <@" + carol.ID + ">; try again.", requests: bot.FollowupAttempts},
		{name: "429 every time", text: "@carol", steps: []discordtest.Fault{{Status: http.StatusTooManyRequests, RetryAfter: 10 * time.Millisecond, Times: 10}},
			code: trustbot.EUnavailable, msg: "Discord did not answer while I looked up @carol; try again.", requests: 3},
		{name: "403 without a reason", text: "<@" + carol.ID + ">", steps: []discordtest.Fault{{Status: http.StatusForbidden}},
			code: trustbot.EInternal, msg: trustbot.ErrorMessage(fmt.Errorf("x")), requests: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, srv, logs := newMembers(t)
			tmpl := discordtest.TemplateGuildMember
			if !strings.HasPrefix(tc.text, "<") {
				tmpl = discordtest.TemplateGuildMembersSearch
			}
			srv.Script(http.MethodGet, tmpl, tc.steps...)
			got, err := m.Member(context.Background(), guildID, tc.text)
			if code := trustbot.ErrorCode(err); code != tc.code || trustbot.ErrorMessage(err) != tc.msg && tc.code != "" {
				t.Fatalf("Member(%q) error = %v (%s); want code %q, message %q", tc.text, err, code, tc.code, tc.msg)
			}
			if got != tc.want {
				t.Errorf("Member(%q) = %+v, want %+v", tc.text, got, tc.want)
			}
			if n := len(srv.Find(http.MethodGet, tmpl)); n != tc.requests {
				t.Errorf("got %d requests, want %d", n, tc.requests)
			}
			if logged := strings.Contains(logs.String(), "member lookup failed"); logged != (tc.code == trustbot.EUnavailable) {
				t.Errorf("logged the failure: %v, want %v; log:\n%s", logged, tc.code == trustbot.EUnavailable, logs)
			}
		})
	}
}

// TestMembersCache: a split of six names costs six requests the first time and none again
// within the TTL, in any spelling of the same names, even from many goroutines at once; a name
// found by search also answers its mention; after the TTL Discord is asked again.
func TestMembersCache(t *testing.T) {
	m, srv, _ := newMembers(t)
	now := time.Now()
	var mu sync.Mutex
	m.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	split := []string{"<@" + carol.ID + ">", "<@!" + dave.ID + ">", "@erin", "franky", "@carolyn", "<@" + samA.ID + ">"}
	resolve := func(texts []string) {
		t.Helper()
		for _, text := range texts {
			if _, err := m.Member(context.Background(), guildID, text); err != nil {
				t.Fatalf("Member(%q): %v", text, err)
			}
		}
	}
	resolve(split)
	if n := len(srv.Requests()); n != 6 {
		t.Fatalf("the first split: got %d requests, want 6", n)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for _, text := range append(split, "<@"+erin.ID+">", "@FRANKY", "<@!"+carol.ID+">") {
				if _, err := m.Member(context.Background(), guildID, text); err != nil {
					t.Errorf("Member(%q): %v", text, err)
				}
			}
		})
	}
	wg.Wait()
	if n := len(srv.Requests()); n != 6 {
		t.Fatalf("the same split again, 8 times at once, in other spellings: got %d requests in all, want still 6", n)
	}
	mu.Lock()
	now = now.Add(bot.MemberCacheTTL)
	mu.Unlock()
	resolve(split[:1])
	if n := len(srv.Requests()); n != 7 {
		t.Fatalf("after the TTL: got %d requests in all, want 7", n)
	}
	if _, err := m.Member(context.Background(), "2600000000000000017", "<@"+carol.ID+">"); trustbot.ErrorCode(err) != trustbot.EInvalid {
		t.Errorf("carol in another guild: got %v, want the sentence for a server the bot cannot see (the cache is per guild)", err)
	}
}

// TestMembersCacheBound: the cache keeps at most MemberCacheSize members, dropping the least
// recently used.
func TestMembersCacheBound(t *testing.T) {
	srv := discordtest.NewServer(t)
	many := make([]discordtest.Member, bot.MemberCacheSize+1)
	for i := range many {
		many[i] = discordtest.Member{ID: fmt.Sprint(3000000000000000000 + i), Username: fmt.Sprintf("m%d", i)}
	}
	srv.SetMembers(guildID, many...)
	m := bot.NewMembers(srv.Session(), nil)
	for _, mem := range many {
		if _, err := m.Member(context.Background(), guildID, "<@"+mem.ID+">"); err != nil {
			t.Fatalf("Member(%s): %v", mem.ID, err)
		}
	}
	before := len(srv.Requests())
	if _, err := m.Member(context.Background(), guildID, "<@"+many[len(many)-1].ID+">"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Member(context.Background(), guildID, "<@"+many[0].ID+">"); err != nil {
		t.Fatal(err)
	}
	if got := len(srv.Requests()) - before; got != 1 {
		t.Errorf("got %d requests for the newest and the evicted oldest member, want 1 (the oldest only)", got)
	}
}
