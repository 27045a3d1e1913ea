package discordtest_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/trustbot/trustbot/bot/discordtest"
)

// TestServer_GuildMembers serves Get Guild Member and Search Guild Members from the roster
// through discordgo: found members, Discord's 404s, the documented prefix search on username
// and nickname, and the limit.
func TestServer_GuildMembers(t *testing.T) {
	srv := discordtest.NewServer(t)
	srv.SetMembers("10", discordtest.Member{ID: "1", Username: "carol", GlobalName: "Carol C", Nick: "Caz"},
		discordtest.Member{ID: "2", Username: "carolyn"}, discordtest.Member{ID: "3", Username: "dave", Nick: "Carl"},
		discordtest.Member{ID: "4", Username: "helper", Bot: true})
	dg := srv.Session()

	m, err := dg.GuildMember("10", "1")
	if err != nil || m.User == nil || m.User.ID != "1" || m.User.Username != "carol" || m.User.GlobalName != "Carol C" || m.Nick != "Caz" || m.User.Bot {
		t.Fatalf("GuildMember(10, 1) = %+v, %v; want carol, Carol C, nickname Caz", m, err)
	}
	if m, err := dg.GuildMember("10", "4"); err != nil || !m.User.Bot {
		t.Errorf("GuildMember(10, 4) = %+v, %v; want the bot member", m, err)
	}
	for _, tc := range []struct {
		guild, user string
		code        int
	}{{"10", "9", 10007}, {"11", "1", 10004}} {
		_, err := dg.GuildMember(tc.guild, tc.user)
		var rest *discordgo.RESTError
		if !errors.As(err, &rest) || rest.Response.StatusCode != http.StatusNotFound || rest.Message == nil || rest.Message.Code != tc.code {
			t.Errorf("GuildMember(%s, %s): got %v, want 404 with code %d", tc.guild, tc.user, err, tc.code)
		}
	}

	for _, tc := range []struct {
		query string
		limit int
		want  string
	}{
		{"car", 10, "1 2 3"},
		{"CAROL", 10, "1 2"},
		{"car", 2, "1 2"},
		{"car", 0, "1"}, // discordgo leaves the limit out; Discord's default is 1
		{"zed", 10, ""},
	} {
		got, err := dg.GuildMembersSearch("10", tc.query, tc.limit)
		var ids []string
		for _, m := range got {
			ids = append(ids, m.User.ID)
		}
		if err != nil || strings.Join(ids, " ") != tc.want {
			t.Errorf("GuildMembersSearch(%q, %d) = %v, %v; want %q", tc.query, tc.limit, ids, err, tc.want)
		}
	}
	if errs := srv.SchemaErrors(); len(errs) != 0 {
		t.Errorf("got schema errors %v, want none", errs[0].Err)
	}
}

// TestServer_MemberSearchQueryChecked: a search without its required query, or with a limit
// out of Discord's range, is recorded as rejected and answered 400.
func TestServer_MemberSearchQueryChecked(t *testing.T) {
	srv := discordtest.NewServer(t)
	srv.AllowSchemaErrors()
	srv.SetMembers("10", discordtest.Member{ID: "1", Username: "carol"})
	dg := srv.Session()
	for _, q := range []url.Values{{}, {"query": {"c"}, "limit": {"1001"}}, {"query": {"c"}, "limit": {"two"}}, {"query": {""}}} {
		_, err := dg.RequestWithBucketID("GET", discordgo.EndpointGuildMembersSearch("10")+"?"+q.Encode(), nil, "search")
		var rest *discordgo.RESTError
		if !errors.As(err, &rest) || rest.Response.StatusCode != http.StatusBadRequest {
			t.Errorf("search ?%s: got %v, want 400", q.Encode(), err)
		}
	}
	if n := len(srv.SchemaErrors()); n != 4 {
		t.Errorf("got %d recorded query errors, want 4", n)
	}
}

// TestValidateResponse checks the response schemas the fake's member routes are held to.
func TestValidateResponse(t *testing.T) {
	sch, err := discordtest.LoadSchema()
	if err != nil {
		t.Fatal(err)
	}
	member := `{"avatar":null,"banner":null,"communication_disabled_until":null,"flags":0,"joined_at":"2025-01-02T03:04:05Z",
		"nick":null,"pending":false,"premium_since":null,"roles":[],"mute":false,"deaf":false,
		"user":{"id":"1","username":"carol","avatar":null,"discriminator":"0","public_flags":0,"flags":0,"global_name":null,"primary_guild":null}}`
	for _, tc := range []struct {
		name, tmpl string
		status     int
		body       string
		ok         bool
	}{
		{"a member", discordtest.TemplateGuildMember, 200, member, true},
		{"a member without its user", discordtest.TemplateGuildMember, 200, `{"avatar":null,"banner":null,"communication_disabled_until":null,"flags":0,"joined_at":"2025-01-02T03:04:05Z","nick":null,"pending":false,"premium_since":null,"roles":[],"mute":false,"deaf":false}`, false},
		{"a search", discordtest.TemplateGuildMembersSearch, 200, "[" + member + "]", true},
		{"a search answered with one member, not a list", discordtest.TemplateGuildMembersSearch, 200, member, false},
		{"Unknown Member", discordtest.TemplateGuildMember, 404, `{"message":"Unknown Member","code":10007}`, true},
		{"an error without its code", discordtest.TemplateGuildMember, 404, `{"message":"Unknown Member"}`, false},
		{"a status the spec does not declare", discordtest.TemplateGuildMember, 500, `{"message":"500","code":0}`, false},
	} {
		err := sch.ValidateResponse("GET", tc.tmpl, tc.status, []byte(tc.body))
		if (err == nil) != tc.ok {
			t.Errorf("%s: ValidateResponse = %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}
