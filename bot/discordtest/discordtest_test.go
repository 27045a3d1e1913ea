package discordtest_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/trustbot/trustbot/bot/discordtest"
)

const linkResponse = `{
  "type": 4,
  "data": {
    "content": "Sign the transaction that trusts @bob with 100 USDC.",
    "flags": 64,
    "components": [{"type": 1, "components": [
      {"type": 2, "style": 5, "label": "Open signing page", "url": "https://trustbot.example/s/AAAAAAAAAAAAAAAAAAAAAA"}
    ]}]
  }
}`

const deferredResponse = `{"type": 5, "data": {"flags": 64}}`

const bulkCommands = `[
  {
    "name": "wallet",
    "type": 1,
    "description": "Link or show a wallet",
    "contexts": [0],
    "options": [
      {"type": 1, "name": "show", "description": "Show a member's wallet", "options": [
        {"type": 6, "name": "member", "description": "Whose wallet", "required": false}
      ]}
    ]
  },
  {
    "name": "redeem",
    "type": 1,
    "description": "Redeem trust tokens",
    "contexts": [0],
    "options": [
      {"type": 3, "name": "amount", "description": "How much", "required": true},
      {"type": 3, "name": "from", "description": "Issuer", "autocomplete": true}
    ]
  },
  {
    "name": "setup",
    "type": 1,
    "description": "Choose the notice channel",
    "contexts": [0],
    "default_member_permissions": "32"
  }
]`

func TestValidateInteractionResponse_Valid(t *testing.T) {
	for name, body := range map[string]string{
		"type 4 with link button": linkResponse,
		"deferred type 5":         deferredResponse,
	} {
		if err := discordtest.ValidateInteractionResponse([]byte(body)); err != nil {
			t.Errorf("%s: got %v, want nil", name, err)
		}
	}
}

func TestValidateInteractionResponse_DiscordgoMarshal(t *testing.T) {
	for name, resp := range map[string]*discordgo.InteractionResponse{
		"type 4": {
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{
				Content: "Open the link to sign.",
				Flags:   discordgo.MessageFlagsEphemeral,
				Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
					discordgo.Button{Style: discordgo.LinkButton, Label: "Sign", URL: "https://trustbot.example/s/x"},
				}}},
			},
		},
		"type 5": {
			Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
		},
		"pong": {Type: discordgo.InteractionResponsePong},
		"autocomplete": {
			Type: discordgo.InteractionApplicationCommandAutocompleteResult,
			Data: &discordgo.InteractionResponseData{Choices: []*discordgo.ApplicationCommandOptionChoice{{Name: "alice", Value: "123"}}},
		},
	} {
		b, err := json.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		if err := discordtest.ValidateInteractionResponse(b); err != nil {
			t.Errorf("%s: got %v, want nil\nbody: %s", name, err, b)
		}
	}
}

func TestValidateCommands_Valid(t *testing.T) {
	if err := discordtest.ValidateCommands([]byte(bulkCommands)); err != nil {
		t.Errorf("got %v, want nil", err)
	}
}

func discordgoCommands() []*discordgo.ApplicationCommand {
	perm := int64(discordgo.PermissionManageGuild)
	guild := []discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	return []*discordgo.ApplicationCommand{
		{
			Name: "wallet", Description: "Link or show a wallet", Contexts: &guild,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "link", Description: "Link a wallet"},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "show", Description: "Show a wallet", Options: []*discordgo.ApplicationCommandOption{
					{Type: discordgo.ApplicationCommandOptionUser, Name: "member", Description: "Whose wallet"},
				}},
			},
		},
		{
			Name: "redeem", Description: "Redeem trust tokens", Contexts: &guild,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "amount", Description: "How much", Required: true},
				{Type: discordgo.ApplicationCommandOptionString, Name: "from", Description: "Issuer", Autocomplete: true},
			},
		},
		{Name: "setup", Description: "Choose the notice channel", Contexts: &guild, DefaultMemberPermissions: &perm},
	}
}

func TestValidateCommands_DiscordgoMarshal(t *testing.T) {
	b, err := json.Marshal(discordgoCommands())
	if err != nil {
		t.Fatal(err)
	}
	if err := discordtest.ValidateCommands(b); err != nil {
		t.Errorf("got %v, want nil\nbody: %s", err, b)
	}
}

// TestValidate_RejectsWrongPayloads proves the validator is not a rubber
// stamp: each payload is wrong in one way and must be refused. bySchema
// marks the ones Discord's OpenAPI schema itself rejects (the others break
// documented rules the generated schema does not encode).
func TestValidate_RejectsWrongPayloads(t *testing.T) {
	long := strings.Repeat("x", 2001)
	longURL := "https://trustbot.example/s/" + strings.Repeat("a", 500)
	tests := []struct {
		name     string
		commands bool
		body     string
		bySchema bool
	}{
		{name: "response type as a string", body: `{"type": "four", "data": {"content": "hi"}}`, bySchema: true},
		{name: "response type 42", body: `{"type": 42}`, bySchema: true},
		{name: "response without type", body: `{"data": {"content": "hi"}}`, bySchema: true},
		{name: "content over 2000 characters", body: `{"type": 4, "data": {"content": "` + long + `"}}`, bySchema: true},
		{name: "flags as a string", body: `{"type": 5, "data": {"flags": "64"}}`, bySchema: true},
		{name: "link button url over 512", body: `{"type": 4, "data": {"components": [{"type": 1, "components": [{"type": 2, "style": 5, "label": "Sign", "url": "` + longURL + `"}]}]}}`, bySchema: true},
		{name: "link button url not a URI", body: `{"type": 4, "data": {"components": [{"type": 1, "components": [{"type": 2, "style": 5, "label": "Sign", "url": "not a url"}]}]}}`, bySchema: true},
		{name: "button style 9", body: `{"type": 4, "data": {"components": [{"type": 1, "components": [{"type": 2, "style": 9, "label": "x", "custom_id": "x"}]}]}}`, bySchema: true},
		{name: "button outside an action row", body: `{"type": 4, "data": {"components": [{"type": 2, "style": 5, "label": "Sign", "url": "https://a.example"}]}}`, bySchema: true},
		{name: "empty action row", body: `{"type": 4, "data": {"components": [{"type": 1, "components": []}]}}`, bySchema: true},
		{name: "link button without url", body: `{"type": 4, "data": {"components": [{"type": 1, "components": [{"type": 2, "style": 5, "label": "Sign"}]}]}}`},
		{name: "link button with custom_id", body: `{"type": 4, "data": {"components": [{"type": 1, "components": [{"type": 2, "style": 5, "label": "Sign", "url": "https://a.example", "custom_id": "x"}]}]}}`},
		{name: "link button with javascript url", body: `{"type": 4, "data": {"components": [{"type": 1, "components": [{"type": 2, "style": 5, "label": "Sign", "url": "javascript:alert(1)"}]}]}}`},
		{name: "not JSON", body: `{"type": 4,`, bySchema: true},
		{name: "option type 99", commands: true, body: `[{"name": "trust", "description": "d", "options": [{"type": 99, "name": "member", "description": "d"}]}]`, bySchema: true},
		{name: "option without description", commands: true, body: `[{"name": "trust", "description": "d", "options": [{"type": 6, "name": "member"}]}]`, bySchema: true},
		{name: "command name over 32", commands: true, body: `[{"name": "` + strings.Repeat("a", 33) + `", "description": "d"}]`, bySchema: true},
		{name: "contexts [7]", commands: true, body: `[{"name": "trust", "description": "d", "contexts": [7]}]`, bySchema: true},
		{name: "contexts not unique", commands: true, body: `[{"name": "trust", "description": "d", "contexts": [0, 0]}]`, bySchema: true},
		{name: "permissions not a number", commands: true, body: `[{"name": "setup", "description": "d", "default_member_permissions": "manage"}]`, bySchema: true},
		{name: "commands not an array", commands: true, body: `{"name": "trust", "description": "d"}`, bySchema: true},
		{name: "command name with a space", commands: true, body: `[{"name": "trust me", "description": "d"}]`},
		{name: "command name uppercase", commands: true, body: `[{"name": "Trust", "description": "d"}]`},
		{name: "option name uppercase", commands: true, body: `[{"name": "trust", "description": "d", "options": [{"type": 6, "name": "Member", "description": "d"}]}]`},
		{name: "chat input command without description", commands: true, body: `[{"name": "trust"}]`},
		{name: "required option after optional", commands: true, body: `[{"name": "trust", "description": "d", "options": [{"type": 3, "name": "a", "description": "d"}, {"type": 3, "name": "b", "description": "d", "required": true}]}]`},
		{name: "autocomplete with choices", commands: true, body: `[{"name": "trust", "description": "d", "options": [{"type": 3, "name": "a", "description": "d", "autocomplete": true, "choices": [{"name": "x", "value": "x"}]}]}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			validate := discordtest.ValidateInteractionResponse
			if tt.commands {
				validate = discordtest.ValidateCommands
			}
			err := validate([]byte(tt.body))
			if err == nil {
				t.Fatalf("got nil error, want the payload rejected\nbody: %s", tt.body)
			}
			var ve *discordtest.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %T %v, want *ValidationError", err, err)
			}
			if got := ve.Schema != nil || ve.Syntax != nil; got != tt.bySchema {
				t.Errorf("rejected by the schema: got %v, want %v (%v)", got, tt.bySchema, err)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	s, err := discordtest.LoadSchema()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ method, path, want string }{
		{"PUT", "/api/v10/applications/123/guilds/456/commands", discordtest.TemplateGuildCommands},
		{"PUT", "/api/v9/applications/123/commands", discordtest.TemplateGlobalCommands},
		{"POST", "/api/v10/interactions/789/aW50ZXJhY3Rpb246abc/callback", discordtest.TemplateInteractionCallback},
		{"PATCH", "/api/v10/webhooks/123/tok/messages/@original", discordtest.TemplateOriginalResponse},
		{"PATCH", "/api/v9/webhooks/123/tok/messages/%40original", discordtest.TemplateOriginalResponse},
		{"PATCH", "/api/v10/webhooks/123/tok/messages/555", discordtest.TemplateWebhookMessage},
		{"POST", "/api/v10/webhooks/123/tok", discordtest.TemplateFollowup},
		{"POST", "/api/v10/channels/42/messages?x=1", discordtest.TemplateChannelMessages},
		{"GET", "/api/v10/users/@me", discordtest.TemplateMe},
		{"GET", "/api/v10/users/42", "/users/{user_id}"},
		{"GET", "/gateway/bot", discordtest.TemplateGatewayBot},
	}
	for _, tt := range tests {
		got, ok := s.Match(tt.method, tt.path)
		if !ok || got != tt.want {
			t.Errorf("Match(%s %s): got %q, %v, want %q, true", tt.method, tt.path, got, ok, tt.want)
		}
	}
	for _, p := range []string{"/api/v10/nope", "/api/v10/channels/42/messages/1/2/3/4/5", "/api/v10/webhooks/1/tok/messages/@original/x"} {
		if got, ok := s.Match("GET", p); ok {
			t.Errorf("Match(GET %s): got %q, true, want no match", p, got)
		}
	}
}

func TestServer_Discordgo(t *testing.T) {
	srv := discordtest.NewServer(t)
	dg := srv.Session()
	const appID, guildID, channelID = "1100000000000000001", "1100000000000000002", "1100000000000000003"

	cmds, err := dg.ApplicationCommandBulkOverwrite(appID, guildID, discordgoCommands())
	if err != nil {
		t.Fatalf("ApplicationCommandBulkOverwrite: %v", err)
	}
	if len(cmds) != 3 || cmds[0].ID == "" || cmds[0].ApplicationID != srv.AppID || cmds[0].Version == "" || cmds[0].GuildID != guildID {
		t.Errorf("registered commands: got %+v, want 3 with id, application_id, version, guild_id", cmds[0])
	}
	if p := cmds[2].DefaultMemberPermissions; p == nil || *p != discordgo.PermissionManageGuild {
		t.Errorf("setup default_member_permissions: got %v, want %d", p, discordgo.PermissionManageGuild)
	}

	msg, err := dg.ChannelMessageSendComplex(channelID, &discordgo.MessageSend{
		Content: "Alice trusted Bob with 100 USDC.",
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Style: discordgo.LinkButton, Label: "Explorer", URL: "https://explorer.example/tx/0x1"},
		}}},
	})
	if err != nil {
		t.Fatalf("ChannelMessageSendComplex: %v", err)
	}
	if msg.ChannelID != channelID || msg.Content != "Alice trusted Bob with 100 USDC." || msg.Author == nil || !msg.Author.Bot || len(msg.Components) != 1 {
		t.Errorf("message: got %+v, want channel %s, content echoed, bot author, 1 component", msg, channelID)
	}

	var ic discordgo.InteractionCreate
	body := discordtest.SlashCommand(appID, guildID, channelID, discordtest.User{ID: "1100000000000000010", Username: "alice"}, "balance")
	if err := json.Unmarshal(body, &ic); err != nil {
		t.Fatal(err)
	}
	if err := dg.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
	}); err != nil {
		t.Fatalf("InteractionRespond: %v", err)
	}
	content := "You hold 100 tUSD from Alice."
	edited, err := dg.InteractionResponseEdit(ic.Interaction, &discordgo.WebhookEdit{
		Content: &content,
		Components: &[]discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Style: discordgo.LinkButton, Label: "Sign", URL: "https://trustbot.example/s/abc"},
		}}},
	})
	if err != nil {
		t.Fatalf("InteractionResponseEdit: %v", err)
	}
	if edited.Content != content || edited.Flags&discordgo.MessageFlagsEphemeral == 0 {
		t.Errorf("edited original: got content %q flags %d, want %q with the ephemeral flag kept", edited.Content, edited.Flags, content)
	}
	follow, err := dg.FollowupMessageCreate(ic.Interaction, true, &discordgo.WebhookParams{Content: "Confirmed.", Flags: discordgo.MessageFlagsEphemeral})
	if err != nil {
		t.Fatalf("FollowupMessageCreate: %v", err)
	}
	if follow.Content != "Confirmed." {
		t.Errorf("follow-up: got %q, want %q", follow.Content, "Confirmed.")
	}

	for _, w := range []struct{ method, template string }{
		{"PUT", discordtest.TemplateGuildCommands},
		{"POST", discordtest.TemplateChannelMessages},
		{"POST", discordtest.TemplateInteractionCallback},
		{"PATCH", discordtest.TemplateOriginalResponse},
		{"POST", discordtest.TemplateFollowup},
	} {
		got := srv.Find(w.method, w.template)
		if len(got) != 1 {
			t.Errorf("%s %s: got %d requests, want 1", w.method, w.template, len(got))
			continue
		}
		if got[0].Err != nil {
			t.Errorf("%s %s: got schema error %v, want none\nbody: %s", w.method, w.template, got[0].Err, got[0].Body)
		}
	}
	cb := srv.Find("POST", discordtest.TemplateInteractionCallback)[0].Map()
	if cb["type"] != 5.0 || cb["data"].(map[string]any)["flags"] != 64.0 {
		t.Errorf("callback: got %v, want type 5 with flags 64", cb)
	}
	if errs := srv.SchemaErrors(); len(errs) != 0 {
		t.Errorf("schema errors: got %d, want 0", len(errs))
	}
}

func TestServer_InvalidBodyGets400(t *testing.T) {
	srv := discordtest.NewServer(t)
	srv.AllowSchemaErrors()
	resp, err := srv.Client().Post("https://discord.com/api/v10/channels/42/messages", "application/json",
		strings.NewReader(`{"content": 5}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct {
		Code    int            `json:"code"`
		Message string         `json:"message"`
		Errors  map[string]any `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 400 || e.Code != 50035 || e.Message != "Invalid Form Body" || e.Errors == nil {
		t.Errorf("got %d %+v, want 400 code 50035 Invalid Form Body with errors", resp.StatusCode, e)
	}
	if got := len(srv.SchemaErrors()); got != 1 {
		t.Errorf("SchemaErrors: got %d, want 1", got)
	}

	dg := srv.Session()
	_, err = dg.InteractionResponseEdit(&discordgo.Interaction{AppID: "1", Token: "t"}, &discordgo.WebhookEdit{
		Components: &[]discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Style: discordgo.LinkButton, Label: "Sign"},
		}}},
	})
	var rest *discordgo.RESTError
	if !errors.As(err, &rest) || rest.Response.StatusCode != 400 || rest.Message == nil || rest.Message.Code != 50035 {
		t.Errorf("link button without url: got %v, want a 400 RESTError with code 50035", err)
	}
}

func TestServer_UnknownRouteAndOtherHosts(t *testing.T) {
	srv := discordtest.NewServer(t)
	resp, err := srv.Client().Get("https://discord.com/api/v10/no/such/route")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || !bytes.Contains(b, []byte(`"code":0`)) {
		t.Errorf("unknown route: got %d %s, want 404 with Discord's error JSON", resp.StatusCode, b)
	}
	if _, err := srv.Client().Get("https://example.com/"); err == nil {
		t.Errorf("request to example.com: got nil error, want refused")
	}
	dg := srv.Session()
	u, err := dg.User("@me")
	if err != nil || u.ID != srv.BotID || !u.Bot {
		t.Errorf("User(@me): got %+v, %v, want bot %s", u, err, srv.BotID)
	}
	srv.SetGatewayURL("ws://127.0.0.1:1/")
	gw, err := dg.GatewayBot()
	if err != nil || gw.URL != "ws://127.0.0.1:1/" || gw.Shards != 1 {
		t.Errorf("GatewayBot: got %+v, %v, want the fake gateway url and 1 shard", gw, err)
	}
}

func TestSlashCommand_Discordgo(t *testing.T) {
	bob := discordtest.User{ID: "1100000000000000011", Username: "bob"}
	body := discordtest.SlashCommand("1", "2", "3", discordtest.User{ID: "1100000000000000010", Username: "alice"}, "trust",
		discordtest.Option{Name: "member", Type: discordtest.OptionUser, Value: bob},
		discordtest.Option{Name: "amount", Type: discordtest.OptionString, Value: "12.5"},
	)
	var ic discordgo.InteractionCreate
	if err := json.Unmarshal(body, &ic); err != nil {
		t.Fatal(err)
	}
	if ic.Type != discordgo.InteractionApplicationCommand || ic.Token == "" || ic.GuildID != "2" || ic.ChannelID != "3" {
		t.Fatalf("got %+v, want an application command in guild 2 channel 3 with a token", ic.Interaction)
	}
	if ic.Member == nil || ic.Member.User == nil || ic.Member.User.Username != "alice" {
		t.Fatalf("member: got %+v, want alice", ic.Member)
	}
	data := ic.ApplicationCommandData()
	if data.Name != "trust" || len(data.Options) != 2 {
		t.Fatalf("data: got %+v, want trust with 2 options", data)
	}
	if u := data.Options[0].UserValue(nil); u == nil || u.ID != bob.ID {
		t.Errorf("member option: got %+v, want %s", u, bob.ID)
	}
	if got := data.Resolved.Users[bob.ID]; got == nil || got.Username != "bob" {
		t.Errorf("resolved user: got %+v, want bob", got)
	}
	if got := data.Resolved.Members[bob.ID]; got == nil {
		t.Errorf("resolved member: got nil, want bob's member")
	}
	if got := data.Options[1].StringValue(); got != "12.5" {
		t.Errorf("amount: got %q, want %q", got, "12.5")
	}

	sub := discordtest.SlashCommand("1", "2", "3", bob, "wallet", discordtest.Option{Name: "show", Type: discordtest.OptionSubCommand})
	if err := json.Unmarshal(sub, &ic); err != nil {
		t.Fatal(err)
	}
	if d := ic.ApplicationCommandData(); len(d.Options) != 1 || d.Options[0].Type != discordgo.ApplicationCommandOptionSubCommand {
		t.Errorf("subcommand: got %+v, want one subcommand option", d.Options)
	}

	var ping discordgo.Interaction
	if err := json.Unmarshal(discordtest.Ping("1"), &ping); err != nil || ping.Type != discordgo.InteractionPing {
		t.Errorf("Ping: got type %v, %v, want %v", ping.Type, err, discordgo.InteractionPing)
	}
}

func TestSign_VerifyInteraction(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	body := discordtest.Ping("1")
	now := time.Now()
	if !discordgo.VerifyInteraction(discordtest.SignedRequest("http://127.0.0.1/interactions", priv, body, now), pub) {
		t.Errorf("signed request: got not verified, want verified")
	}
	tampered := discordtest.SignedRequest("http://127.0.0.1/interactions", priv, body, now)
	sig := tampered.Header.Get("X-Signature-Ed25519")
	tampered = discordtest.SignedRequest("http://127.0.0.1/interactions", priv, append(bytes.Clone(body[:len(body)-1]), ' ', '}'), now)
	tampered.Header.Set("X-Signature-Ed25519", sig)
	if discordgo.VerifyInteraction(tampered, pub) {
		t.Errorf("tampered body: got verified, want rejected")
	}
	otherPub, _, _ := ed25519.GenerateKey(rand.Reader)
	if discordgo.VerifyInteraction(discordtest.SignedRequest("http://127.0.0.1/interactions", priv, body, now), otherPub) {
		t.Errorf("wrong key: got verified, want rejected")
	}
	sigHex, ts := discordtest.Sign(priv, body, time.Unix(1700000000, 0))
	if ts != "1700000000" || !ed25519.Verify(pub, append([]byte(ts), body...), mustHex(t, sigHex)) {
		t.Errorf("Sign: got ts %q, want 1700000000 and a signature over timestamp+body", ts)
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	var b []byte
	for i := 0; i+1 < len(s); i += 2 {
		var v byte
		for _, c := range s[i : i+2] {
			v <<= 4
			switch {
			case c >= '0' && c <= '9':
				v |= byte(c - '0')
			case c >= 'a' && c <= 'f':
				v |= byte(c - 'a' + 10)
			default:
				t.Fatalf("got non-hex %q, want lowercase hex", s)
			}
		}
		b = append(b, v)
	}
	return b
}

func TestFail429_DiscordgoWaitsRetryAfter(t *testing.T) {
	srv := discordtest.NewServer(t)
	const retryAfter = 1200 * time.Millisecond
	srv.Fail("POST", discordtest.TemplateChannelMessages, http.StatusTooManyRequests, retryAfter, 1)
	dg := srv.Session()
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		_, err := dg.ChannelMessageSend("42", "hello")
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ChannelMessageSend: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("ChannelMessageSend: still blocked after 10s, want a retry after %v", retryAfter)
	}
	reqs := srv.Find("POST", discordtest.TemplateChannelMessages)
	if len(reqs) != 2 {
		t.Fatalf("requests: got %d, want 2 (the 429 and one retry)", len(reqs))
	}
	// The gap is measured from when the 429's request arrived, a moment before the answer left:
	// allow for that, not for a retry loop.
	if gap := reqs[1].At.Sub(reqs[0].At); gap < retryAfter-50*time.Millisecond {
		t.Errorf("retry came %v after the 429, want about %v", gap, retryAfter)
	}
	if el := time.Since(start); el > retryAfter+3*time.Second {
		t.Errorf("took %v, want about %v", el, retryAfter)
	}
}

func TestFail_OtherStatusAndHang(t *testing.T) {
	srv := discordtest.NewServer(t)
	srv.Fail("POST", discordtest.TemplateChannelMessages, http.StatusForbidden, 0, 1)
	dg := srv.Session()
	_, err := dg.ChannelMessageSend("42", "hello")
	var rest *discordgo.RESTError
	if !errors.As(err, &rest) || rest.Response.StatusCode != http.StatusForbidden {
		t.Errorf("first send: got %v, want a 403 RESTError", err)
	}
	if _, err := dg.ChannelMessageSend("42", "hello"); err != nil {
		t.Errorf("second send: got %v, want success once the fault is used up", err)
	}

	srv.Hang("PATCH", discordtest.TemplateOriginalResponse)
	dg.Client.Timeout = 300 * time.Millisecond
	content := "late"
	start := time.Now()
	_, err = dg.InteractionResponseEdit(&discordgo.Interaction{AppID: "1", Token: "t"}, &discordgo.WebhookEdit{Content: &content})
	if err == nil || time.Since(start) < 300*time.Millisecond {
		t.Errorf("hung edit: got %v after %v, want a client timeout", err, time.Since(start))
	}
	if got := srv.WaitFor("PATCH", discordtest.TemplateOriginalResponse, 1, time.Second); len(got) != 1 {
		t.Errorf("WaitFor: got %d, want 1", len(got))
	}
}

func TestWaitFor_Async(t *testing.T) {
	srv := discordtest.NewServer(t)
	dg := srv.Session()
	go func() {
		time.Sleep(50 * time.Millisecond)
		_, _ = dg.ChannelMessageSend("42", "one")
		_, _ = dg.ChannelMessageSend("42", "two")
	}()
	got := srv.WaitFor("POST", discordtest.TemplateChannelMessages, 2, 5*time.Second)
	if len(got) != 2 || got[1].Map()["content"] != "two" {
		t.Errorf("got %d requests, want 2 ending with content \"two\"", len(got))
	}
}

func TestFindSpec(t *testing.T) {
	real, err := discordtest.FindSpec()
	if err != nil {
		t.Fatal(err)
	}
	// CI layout: a clone with shared/ beside it, tests run in a package dir.
	root := t.TempDir()
	pkg := filepath.Join(root, "repo", "bot")
	spec := filepath.Join(root, "shared", "discord", "openapi.json")
	for _, d := range []string{pkg, filepath.Dir(spec)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(real, spec); err != nil {
		t.Fatal(err)
	}
	t.Setenv(discordtest.EnvOpenAPI, "")
	t.Chdir(pkg)
	if got, err := discordtest.FindSpec(); err != nil || got != spec {
		t.Errorf("FindSpec from %s: got %q, %v, want %q", pkg, got, err, spec)
	}
	t.Setenv(discordtest.EnvOpenAPI, real)
	if got, err := discordtest.FindSpec(); err != nil || got != real {
		t.Errorf("FindSpec with %s set: got %q, %v, want %q", discordtest.EnvOpenAPI, got, err, real)
	}
	t.Chdir(t.TempDir())
	t.Setenv(discordtest.EnvOpenAPI, "")
	if got, err := discordtest.FindSpec(); err == nil {
		t.Errorf("FindSpec without a spec: got %q, nil, want an error", got)
	}
}

func TestValidateRequest_PartialCommandEdit(t *testing.T) {
	s, err := discordtest.LoadSchema()
	if err != nil {
		t.Fatal(err)
	}
	const tmpl = "/applications/{application_id}/commands/{command_id}"
	if err := s.ValidateRequest("PATCH", tmpl, []byte(`{"default_member_permissions": "32"}`)); err != nil {
		t.Errorf("partial edit: got %v, want nil", err)
	}
	if err := s.ValidateRequest("PATCH", tmpl, []byte(`{"name": "Bad Name"}`)); err == nil {
		t.Errorf("partial edit with a bad name: got nil, want an error")
	}
}

// Script answers a route's requests step by step, in order, then serves them as usual: a
// status, a status after acting, a dropped connection.
func TestScript_StepsInOrder(t *testing.T) {
	srv := discordtest.NewServer(t)
	const channelID = "1100000000000000003"
	srv.Script("POST", discordtest.TemplateChannelMessages,
		discordtest.Fault{Status: http.StatusServiceUnavailable, Times: 2},
		discordtest.Fault{Status: http.StatusInternalServerError, After: true},
		discordtest.Fault{Drop: true},
		discordtest.Fault{Drop: true, After: true},
	)
	dg := srv.Session()
	for i, want := range []struct {
		status  int // 0: no answer
		created int // messages in the channel afterwards
	}{
		{http.StatusServiceUnavailable, 0},
		{http.StatusServiceUnavailable, 0},
		{http.StatusInternalServerError, 1},
		{0, 1},
		{0, 2},
		{http.StatusOK, 3},
	} {
		_, err := dg.ChannelMessageSend(channelID, "hello", discordgo.WithRestRetries(0))
		var rest *discordgo.RESTError
		switch {
		case want.status == http.StatusOK && err != nil:
			t.Errorf("request %d: got %v, want success once the script is used up", i+1, err)
		case want.status == 0 && (err == nil || errors.As(err, &rest)):
			t.Errorf("request %d: got %v, want a transport error (no answer)", i+1, err)
		case want.status != 0 && want.status != http.StatusOK && (!errors.As(err, &rest) || rest.Response.StatusCode != want.status):
			t.Errorf("request %d: got %v, want a %d RESTError", i+1, err, want.status)
		}
		if got := len(srv.Messages(channelID)); got != want.created {
			t.Errorf("request %d: got %d messages in the channel, want %d", i+1, got, want.created)
		}
	}
	if got := len(srv.Find("POST", discordtest.TemplateChannelMessages)); got != 6 {
		t.Errorf("got %d recorded requests, want 6", got)
	}
}

// With enforce_nonce, a second Create Message with the same nonce returns the first message
// and creates nothing; without it, or with another nonce, a message is created.
func TestServer_EnforceNonce(t *testing.T) {
	srv := discordtest.NewServer(t)
	const channelID = "1100000000000000003"
	post := func(body string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest("POST", "https://discord.com/api/v9/channels/"+channelID+"/messages", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(res.Body).Decode(&m); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: got %d %v, want 200 and a message", body, res.StatusCode, err)
		}
		return m
	}
	first := post(`{"content":"one","nonce":"n1","enforce_nonce":true}`)
	again := post(`{"content":"one","nonce":"n1","enforce_nonce":true}`)
	if again["id"] != first["id"] || first["nonce"] != "n1" {
		t.Errorf("same nonce: got ids %v and %v (nonce %v), want the first message returned", first["id"], again["id"], first["nonce"])
	}
	post(`{"content":"two","nonce":"n2","enforce_nonce":true}`)
	post(`{"content":"three","nonce":"n1"}`)
	post(`{"content":"four"}`)
	var got []string
	for _, m := range srv.Messages(channelID) {
		got = append(got, m["content"].(string))
	}
	if strings.Join(got, ",") != "one,two,three,four" {
		t.Errorf("got messages %v, want [one two three four]", got)
	}
	if errs := srv.SchemaErrors(); len(errs) != 0 {
		t.Errorf("got schema errors %v, want none: Discord's schema has nonce and enforce_nonce", errs[0].Err)
	}
}
