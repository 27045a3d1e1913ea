package bot_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/trustbot/trustbot/bot"
	"github.com/trustbot/trustbot/bot/discordtest"
)

// command is a registered command as the bulk overwrite sends it.
type command struct {
	Type                     int      `json:"type"`
	Name                     string   `json:"name"`
	Description              string   `json:"description"`
	DefaultMemberPermissions *string  `json:"default_member_permissions"`
	DMPermission             *bool    `json:"dm_permission"`
	Contexts                 []int    `json:"contexts"`
	Options                  []cmdOpt `json:"options"`
}

type cmdOpt struct {
	Type         int      `json:"type"`
	Name         string   `json:"name"`
	Description  string   `json:"description"`
	Required     bool     `json:"required"`
	Autocomplete bool     `json:"autocomplete"`
	ChannelTypes []int    `json:"channel_types"`
	Options      []cmdOpt `json:"options"`
}

func TestRegister(t *testing.T) {
	for _, tc := range []struct {
		name, guild, template string
	}{
		{"guild", guildID, discordtest.TemplateGuildCommands},
		{"global", "", discordtest.TemplateGlobalCommands},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, func(c *bot.Config) { c.GuildID = tc.guild })
			if err := h.bot.Register(context.Background()); err != nil {
				t.Fatalf("Register: %v", err)
			}
			reqs := h.fake.Requests()
			if len(reqs) != 1 {
				t.Fatalf("got %d requests, want exactly 1 (the bulk overwrite)", len(reqs))
			}
			r := reqs[0]
			if r.Method != http.MethodPut || r.Template != tc.template {
				t.Fatalf("got %s %s, want PUT %s", r.Method, r.Template, tc.template)
			}
			if r.Err != nil {
				t.Fatalf("body breaks Discord's schema: %v", r.Err)
			}
			want, _ := json.Marshal(bot.Commands(h.set))
			if string(r.Body) != string(want) {
				t.Fatalf("got body\n%s\nwant Commands(set)\n%s", r.Body, want)
			}
			checkCommands(t, decode[[]command](t, r.Body))
			if err := discordtest.ValidateCommands(r.Body); err != nil {
				t.Fatalf("ValidateCommands: got %v, want nil", err)
			}
		})
	}
}

func checkCommands(t *testing.T, cmds []command) {
	t.Helper()
	byName := map[string]command{}
	for _, c := range cmds {
		byName[c.Name] = c
		if c.Type != 1 {
			t.Errorf("/%s: got type %d, want 1 (chat input)", c.Name, c.Type)
		}
		if len(c.Contexts) != 1 || c.Contexts[0] != 0 {
			t.Errorf("/%s: got contexts %v, want [0] (guild only)", c.Name, c.Contexts)
		}
		if c.DMPermission != nil {
			t.Errorf("/%s: got dm_permission %v, want none (deprecated; contexts says guild only)", c.Name, *c.DMPermission)
		}
		if n := len([]rune(c.Description)); n < 1 || n > 100 {
			t.Errorf("/%s: got a description of %d characters, want 1–100", c.Name, n)
		}
		if c.Name != "setup" && c.DefaultMemberPermissions != nil {
			t.Errorf("/%s: got default_member_permissions %q, want none", c.Name, *c.DefaultMemberPermissions)
		}
	}
	for _, name := range []string{"wallet", "reserve", "trust", "reup", "revoke", "redeem", "balance", "pending", "setup"} {
		if _, ok := byName[name]; !ok {
			t.Errorf("got no /%s, want it registered", name)
		}
	}
	if got := byName["setup"].DefaultMemberPermissions; got == nil || *got != "32" {
		t.Errorf("/setup: got default_member_permissions %v, want \"32\" (Manage Server)", got)
	}
	setup := byName["setup"].Options
	if len(setup) != 1 || setup[0].Type != 7 || !setup[0].Required || len(setup[0].ChannelTypes) != 1 || setup[0].ChannelTypes[0] != 0 {
		t.Errorf("/setup options: got %+v, want one required channel option for text channels", setup)
	}
	var wallet []string
	for _, o := range byName["wallet"].Options {
		if o.Type != 1 {
			t.Errorf("/wallet %s: got type %d, want 1 (subcommand)", o.Name, o.Type)
		}
		wallet = append(wallet, o.Name)
	}
	if len(wallet) != 3 {
		t.Errorf("/wallet: got subcommands %v, want link, show, unlink", wallet)
	}
	trust := map[string]cmdOpt{}
	for _, o := range byName["trust"].Options {
		trust[o.Name] = o
	}
	for name, want := range map[string]cmdOpt{
		"member": {Type: 6, Required: true},
		"amount": {Type: 3, Required: true},
		"asset":  {Type: 3, Autocomplete: true},
	} {
		got := trust[name]
		if got.Type != want.Type || got.Required != want.Required || got.Autocomplete != want.Autocomplete {
			t.Errorf("/trust %s: got type %d required %v autocomplete %v, want type %d required %v autocomplete %v",
				name, got.Type, got.Required, got.Autocomplete, want.Type, want.Required, want.Autocomplete)
		}
	}
	for _, o := range byName["redeem"].Options {
		if o.Name == "from" && (o.Type != 3 || !o.Autocomplete) {
			t.Errorf("/redeem from: got type %d autocomplete %v, want a text option (3) with autocomplete of the issuers held", o.Type, o.Autocomplete)
		}
	}
}

// A 429 is waited out as its Retry-After says and the call repeated; a 429 that keeps coming
// ends in an error after a bounded number of attempts, not a loop.
func TestRegisterRateLimited(t *testing.T) {
	t.Run("once", func(t *testing.T) {
		h := newHarness(t)
		h.fake.Fail("PUT", discordtest.TemplateGuildCommands, http.StatusTooManyRequests, 300*time.Millisecond, 1)
		if err := h.bot.Register(context.Background()); err != nil {
			t.Fatalf("Register: got %v, want nil after one retry", err)
		}
		puts := h.fake.Find("PUT", discordtest.TemplateGuildCommands)
		if len(puts) != 2 {
			t.Fatalf("got %d PUTs, want 2 (the limited one and the retry)", len(puts))
		}
		if gap := puts[1].At.Sub(puts[0].At); gap < 300*time.Millisecond {
			t.Fatalf("got a retry %s after the 429, want at least its Retry-After of 300ms", gap)
		}
	})
	t.Run("always", func(t *testing.T) {
		h := newHarness(t)
		h.fake.Fail("PUT", discordtest.TemplateGuildCommands, http.StatusTooManyRequests, 50*time.Millisecond, 100)
		if err := h.bot.Register(context.Background()); err == nil {
			t.Fatalf("Register: got nil, want an error while Discord keeps answering 429")
		}
		if n := len(h.fake.Find("PUT", discordtest.TemplateGuildCommands)); n != 3 {
			t.Fatalf("got %d PUTs, want 3 (one call and two retries)", n)
		}
	})
}
