package discordtest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// User is a Discord user taking part in an interaction.
type User struct {
	ID, Username string
}

// Option is one option of a slash command invocation, as Discord sends it in
// data.options. Value is a string, a number, a bool, or for USER (6) and
// MENTIONABLE (9) options a User or a user id string; SUB_COMMAND (1) and
// SUB_COMMAND_GROUP (2) carry Options instead. Focused marks the option being
// typed in an autocomplete interaction.
type Option struct {
	Name    string
	Type    int
	Value   any
	Options []Option
	Focused bool
}

// Option types (Discord's ApplicationCommandOptionType).
const (
	OptionSubCommand      = 1
	OptionSubCommandGroup = 2
	OptionString          = 3
	OptionInteger         = 4
	OptionBoolean         = 5
	OptionUser            = 6
	OptionChannel         = 7
	OptionRole            = 8
	OptionMentionable     = 9
	OptionNumber          = 10
	OptionAttachment      = 11
)

// Interaction types (Discord's InteractionType).
const (
	InteractionPing               = 1
	InteractionApplicationCommand = 2
	InteractionComponent          = 3
	InteractionAutocomplete       = 4
	InteractionModalSubmit        = 5
)

// Permission bit sets used in the payloads built here.
const (
	// MemberPermissions is what an ordinary member holds in a fresh guild
	// (the @everyone defaults).
	MemberPermissions = "2248473465835073"
	// AppPermissions is what the bot holds in the channel.
	AppPermissions = "562949953601536"
)

// Token returns a random interaction token in Discord's shape (base64url
// text, "aW50ZXJhY3Rpb246" = "interaction:" followed by random bytes).
func Token() string {
	b := make([]byte, 96)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return "aW50ZXJhY3Rpb246" + base64.RawURLEncoding.EncodeToString(b)
}

func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000+00:00") }

func userJSON(u User) map[string]any {
	return map[string]any{
		"id": u.ID, "username": u.Username, "global_name": u.Username,
		"discriminator": "0", "avatar": nil, "avatar_decoration_data": nil,
		"public_flags": 0, "clan": nil, "primary_guild": nil,
	}
}

func memberJSON(u *User, joined time.Time) map[string]any {
	m := map[string]any{
		"roles": []any{}, "permissions": MemberPermissions, "joined_at": timestamp(joined),
		"nick": nil, "avatar": nil, "banner": nil, "premium_since": nil, "pending": false,
		"flags": 0, "communication_disabled_until": nil, "unusual_dm_activity_until": nil,
	}
	if u != nil {
		m["user"] = userJSON(*u)
		m["deaf"] = false
		m["mute"] = false
	}
	return m
}

type resolved struct {
	users, members map[string]any
}

func (r *resolved) add(u User) {
	r.users[u.ID] = userJSON(u)
	r.members[u.ID] = memberJSON(nil, time.Now().Add(-24*time.Hour))
}

func optionsJSON(opts []Option, r *resolved) []any {
	out := make([]any, 0, len(opts))
	for _, o := range opts {
		m := map[string]any{"name": o.Name, "type": o.Type}
		switch o.Type {
		case OptionSubCommand, OptionSubCommandGroup:
			m["options"] = optionsJSON(o.Options, r)
		case OptionUser, OptionMentionable:
			switch v := o.Value.(type) {
			case User:
				r.add(v)
				m["value"] = v.ID
			case *User:
				r.add(*v)
				m["value"] = v.ID
			case string:
				r.add(User{ID: v, Username: "user" + v})
				m["value"] = v
			default:
				m["value"] = v
			}
		default:
			m["value"] = o.Value
		}
		if o.Focused {
			m["focused"] = true
		}
		out = append(out, m)
	}
	return out
}

func commandInteraction(typ int, appID, guildID, channelID string, user User, name string, opts []Option) []byte {
	r := &resolved{users: map[string]any{}, members: map[string]any{}}
	data := map[string]any{
		"id":       Snowflake(),
		"name":     name,
		"type":     1,
		"guild_id": guildID,
		"options":  optionsJSON(opts, r),
	}
	if len(r.users) > 0 {
		data["resolved"] = map[string]any{"users": r.users, "members": r.members}
	}
	in := map[string]any{
		"type":           typ,
		"id":             Snowflake(),
		"application_id": appID,
		"token":          Token(),
		"version":        1,
		"guild_id":       guildID,
		"channel_id":     channelID,
		"channel": map[string]any{
			"id": channelID, "type": 0, "guild_id": guildID, "name": "general",
			"position": 0, "flags": 0, "parent_id": nil, "topic": nil, "nsfw": false,
			"last_message_id": nil, "rate_limit_per_user": 0, "permissions": MemberPermissions,
		},
		"guild":                          map[string]any{"id": guildID, "locale": "en-US", "features": []any{}},
		"guild_locale":                   "en-US",
		"member":                         memberJSON(&user, time.Now().Add(-7*24*time.Hour)),
		"data":                           data,
		"app_permissions":                AppPermissions,
		"locale":                         "en-US",
		"entitlements":                   []any{},
		"authorizing_integration_owners": map[string]any{"0": guildID},
		"context":                        0,
		"attachment_size_limit":          10485760,
	}
	b, err := json.Marshal(in)
	if err != nil {
		panic(fmt.Sprintf("discordtest: %v", err))
	}
	return b
}

// SlashCommand returns an APPLICATION_COMMAND interaction (type 2) for the
// chat-input command name invoked by user in a guild channel, as Discord
// sends it in an INTERACTION_CREATE dispatch's "d" or as the body of a POST
// to the HTTP interactions endpoint. User options are resolved in
// data.resolved.users and data.resolved.members.
func SlashCommand(appID, guildID, channelID string, user User, name string, opts ...Option) []byte {
	return commandInteraction(InteractionApplicationCommand, appID, guildID, channelID, user, name, opts)
}

// Autocomplete returns an APPLICATION_COMMAND_AUTOCOMPLETE interaction
// (type 4); mark the option being typed with Focused.
func Autocomplete(appID, guildID, channelID string, user User, name string, opts ...Option) []byte {
	return commandInteraction(InteractionAutocomplete, appID, guildID, channelID, user, name, opts)
}

// Ping returns the PING interaction (type 1) Discord sends to check an HTTP
// interactions endpoint.
func Ping(appID string) []byte {
	b, err := json.Marshal(map[string]any{
		"type": InteractionPing, "id": Snowflake(), "application_id": appID,
		"token": Token(), "version": 1, "user": nil, "entitlements": []any{},
	})
	if err != nil {
		panic(fmt.Sprintf("discordtest: %v", err))
	}
	return b
}

// Dispatch wraps an event payload in a gateway DISPATCH frame (op 0), e.g.
// Dispatch(2, "INTERACTION_CREATE", SlashCommand(...)).
func Dispatch(seq int, event string, d []byte) []byte {
	b, err := json.Marshal(map[string]any{"op": 0, "s": seq, "t": event, "d": json.RawMessage(d)})
	if err != nil {
		panic(fmt.Sprintf("discordtest: %v", err))
	}
	return b
}

// Sign signs body as Discord signs requests to an HTTP interactions
// endpoint: ed25519 over the decimal Unix timestamp followed by the raw body.
// It returns the X-Signature-Ed25519 (hex) and X-Signature-Timestamp values.
func Sign(priv ed25519.PrivateKey, body []byte, ts time.Time) (sigHex, tsStr string) {
	tsStr = strconv.FormatInt(ts.Unix(), 10)
	msg := make([]byte, 0, len(tsStr)+len(body))
	msg = append(msg, tsStr...)
	msg = append(msg, body...)
	return hex.EncodeToString(ed25519.Sign(priv, msg)), tsStr
}

// SignedRequest builds the POST Discord makes to an HTTP interactions
// endpoint at url, signed with priv at ts. It panics on a malformed url.
func SignedRequest(url string, priv ed25519.PrivateKey, body []byte, ts time.Time) *http.Request {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		panic(fmt.Sprintf("discordtest: %v", err))
	}
	sig, tsStr := Sign(priv, body, ts)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Discord-Interactions/1.0 (+https://discord.com)")
	req.Header.Set("X-Signature-Ed25519", sig)
	req.Header.Set("X-Signature-Timestamp", tsStr)
	return req
}

// SendDeferred sends reqs open loop, one every interval, each on its own goroutine at its
// scheduled time, as Discord delivers a burst of interactions. It returns each request's latency,
// from its scheduled time until its body was read, the wall time from the first send to the
// last answer, and an error for every answer that is not 200 with a deferral (type 5).
func SendDeferred(hc *http.Client, reqs []*http.Request, interval time.Duration) ([]time.Duration, time.Duration, []error) {
	lat := make([]time.Duration, len(reqs))
	errs := make(chan error, len(reqs))
	var wg sync.WaitGroup
	start := time.Now()
	for i := range reqs {
		at := start.Add(time.Duration(i) * interval)
		time.Sleep(time.Until(at))
		wg.Go(func() {
			res, err := hc.Do(reqs[i])
			if err != nil {
				errs <- err
				return
			}
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			lat[i] = time.Since(at)
			var cb struct {
				Type int `json:"type"`
			}
			if err == nil && res.StatusCode == http.StatusOK {
				err = json.Unmarshal(body, &cb)
			}
			if err != nil || res.StatusCode != http.StatusOK || cb.Type != 5 {
				errs <- fmt.Errorf("got %d %s (%v), want 200 with a deferral (type 5)", res.StatusCode, body, err)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	var out []error
	for err := range errs {
		out = append(out, err)
	}
	return lat, elapsed, out
}
