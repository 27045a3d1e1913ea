package bot

import (
	"container/list"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/commands"
)

var _ commands.Members = (*Members)(nil)

const (
	// MemberCacheTTL is how long a member found on Discord is used without asking again.
	MemberCacheTTL = 5 * time.Minute
	// MemberCacheSize bounds the members kept; the least recently used goes first.
	MemberCacheSize = 4096
	// memberSearchLimit is how many members one name search asks for: every member whose
	// username or nickname starts with the name comes back, and the exact ones are picked.
	memberSearchLimit = 100
	// maxMemberName is the longest username, display name or nickname Discord allows.
	maxMemberName = 32
)

// Discord's JSON error codes for a user who is not in the guild, and for a guild the bot is
// not in.
const (
	codeUnknownGuild  = 10004
	codeUnknownMember = 10007
	codeUnknownUser   = 10013
	codeMissingAccess = 50001
)

// mentionPattern is a user mention as Discord writes it in text, <@id> or <@!id>.
var mentionPattern = regexp.MustCompile(`^<@!?([0-9]{1,20})>$`)

// Members finds the guild members a user names in a text option (the split of /redeem, /spent
// and /trip tag) on Discord: a mention (<@id>, <@!id>) with Get Guild Member, a name (@carol,
// carol) with Search Guild Members, matched exactly, ignoring case, on username, display name
// or nickname. Neither endpoint needs a privileged intent. What Discord answered is kept for
// MemberCacheTTL, for at most MemberCacheSize members. It satisfies commands.Members and is safe
// for concurrent use.
type Members struct {
	rest *Bot // only its REST calls with retries are used: the session, the log, the clock
	now  func() time.Time
	ttl  time.Duration

	mu    sync.Mutex
	lru   *list.List // of *memberEntry, most recently used first
	byKey map[memberKey]*list.Element
}

// memberKey names a cached answer: a user id, or a lowercased name prefixed with "@".
type memberKey struct{ guild, who string }

type memberEntry struct {
	key     memberKey
	member  trustbot.Member
	expires time.Time
}

// NewMembers returns the member lookup over the session s, the one the bot uses: it needs no
// *Bot, so it can be given to commands.New before the bot is made. log may be nil.
func NewMembers(s *discordgo.Session, log *slog.Logger) *Members {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Members{
		rest:  &Bot{cfg: Config{Now: time.Now}, s: s, log: log},
		now:   time.Now,
		ttl:   MemberCacheTTL,
		lru:   list.New(),
		byKey: map[memberKey]*list.Element{},
	}
}

// Member resolves text, one name of a split as typed, to a member of the guild. A mention is
// answered with the member's nickname, else display name, else username. Someone who is not in
// the guild, a bot, a name no member or several members have, and a DM (guildID "") are
// EInvalid sentences naming text as typed; a Discord that does not answer (5xx, 429, a failed
// connection, after the retries afterAck makes) is EUnavailable.
func (m *Members) Member(ctx context.Context, guildID, text string) (trustbot.Member, error) {
	text = strings.TrimSpace(text)
	if guildID == "" {
		return trustbot.Member{}, trustbot.Errorf(trustbot.EInvalid, "Splits name members of a server; run this in the server's channel.")
	}
	if sub := mentionPattern.FindStringSubmatch(text); sub != nil {
		return m.byID(ctx, guildID, sub[1], text)
	}
	switch {
	case text == "" || text == "@":
		return trustbot.Member{}, trustbot.Errorf(trustbot.EInvalid, "Name each member of the split, like @carol or a mention.")
	case strings.HasPrefix(text, "<@&"):
		return trustbot.Member{}, trustbot.Errorf(trustbot.EInvalid, "%s is a role; name its members one by one.", text)
	case strings.EqualFold(text, "@everyone"), strings.EqualFold(text, "@here"):
		return trustbot.Member{}, trustbot.Errorf(trustbot.EInvalid, "Name the members of the split one by one; %s is not a member.", text)
	case strings.HasPrefix(text, "<"):
		return trustbot.Member{}, trustbot.Errorf(trustbot.EInvalid, "%s is not a member mention I can read; type @ and pick the member, or write their name.", text)
	}
	return m.byName(ctx, guildID, strings.TrimPrefix(text, "@"), text)
}

// byID looks up the member with a user id; typed is the mention as written.
func (m *Members) byID(ctx context.Context, guildID, userID, typed string) (trustbot.Member, error) {
	key := memberKey{guildID, userID}
	if mem, ok := m.cached(key); ok {
		return mem, nil
	}
	endpoint := discordgo.EndpointGuildMember(guildID, userID)
	var gm discordgo.Member
	status, err := m.get(ctx, "get guild member", endpoint, discordgo.EndpointGuildMember(guildID, ""), &gm)
	if err != nil {
		var re *discordgo.RESTError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusNotFound && re.Message != nil &&
			(re.Message.Code == codeUnknownMember || re.Message.Code == codeUnknownUser) {
			return trustbot.Member{}, trustbot.Errorf(trustbot.EInvalid, "%s is not a member of this server.", trustbot.Mention(userID))
		}
		return trustbot.Member{}, m.failed(err, status, guildID, typed)
	}
	if gm.User == nil || gm.User.ID != userID {
		return trustbot.Member{}, fmt.Errorf("discord: get guild member %s in guild %s: the answer is for another user", userID, guildID)
	}
	if gm.User.Bot {
		return trustbot.Member{}, trustbot.Errorf(trustbot.EInvalid, "%s is a bot; only people share a split.", trustbot.Mention(userID))
	}
	mem := memberOf(&gm)
	m.keep(key, mem)
	return mem, nil
}

// byName looks up the one member called name (without its @); typed is the name as written.
func (m *Members) byName(ctx context.Context, guildID, name, typed string) (trustbot.Member, error) {
	shown := "@" + name
	if utf8.RuneCountInString(name) > maxMemberName || strings.ContainsAny(name, " \t\r\n") {
		return trustbot.Member{}, trustbot.Errorf(trustbot.EInvalid, "No member of this server is called %s.", shown)
	}
	key := memberKey{guildID, "@" + strings.ToLower(name)}
	if mem, ok := m.cached(key); ok {
		return mem, nil
	}
	q := url.Values{"query": {name}, "limit": {strconv.Itoa(memberSearchLimit)}}
	endpoint := discordgo.EndpointGuildMembersSearch(guildID)
	var found []*discordgo.Member
	if status, err := m.get(ctx, "search guild members", endpoint+"?"+q.Encode(), endpoint, &found); err != nil {
		return trustbot.Member{}, m.failed(err, status, guildID, typed)
	}
	var people, bots []*discordgo.Member
	for _, gm := range found {
		if gm == nil || gm.User == nil || !calledExactly(gm, name) {
			continue
		}
		if gm.User.Bot {
			bots = append(bots, gm)
		} else {
			people = append(people, gm)
		}
	}
	switch {
	case len(people) == 1:
		mem := memberOf(people[0])
		m.keep(key, mem)
		m.keep(memberKey{guildID, mem.ID}, mem)
		return mem, nil
	case len(people) > 1:
		return trustbot.Member{}, trustbot.Errorf(trustbot.EInvalid, "Several members are called %s: mention one, like %s or %s.",
			shown, trustbot.Mention(people[0].User.ID), trustbot.Mention(people[1].User.ID))
	case len(bots) > 0:
		return trustbot.Member{}, trustbot.Errorf(trustbot.EInvalid, "%s is a bot; only people share a split.", shown)
	case len(found) >= memberSearchLimit:
		return trustbot.Member{}, trustbot.Errorf(trustbot.EInvalid,
			"More than %d members have a name starting with %s and none of those I was shown is called that exactly; mention the one you mean.", memberSearchLimit-1, shown)
	default:
		return trustbot.Member{}, trustbot.Errorf(trustbot.EInvalid, "No member of this server is called %s.", shown)
	}
}

// get makes a GET request to Discord and decodes its JSON answer into v. It goes through
// afterAck: a GET is safe to repeat, so a 5xx or a failed connection is tried again, and a 429
// is waited out, within ctx.
//
// A failure is returned with the HTTP status of the last attempt (0 when none came): discordgo's
// error for a 502 does not carry it.
func (m *Members) get(ctx context.Context, what, endpoint, bucket string, v any) (status int, err error) {
	var body []byte
	w := &wire{}
	watch := func(cfg *discordgo.RequestConfig) { cfg.Client = w.client(cfg.Client) }
	err = m.rest.afterAck(ctx, what, time.Time{}, func(opts ...discordgo.RequestOption) error {
		var err error
		body, err = m.rest.s.RequestWithBucketID(http.MethodGet, endpoint, nil, bucket, append(opts, watch)...)
		return err
	})
	if err != nil {
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.status, err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return http.StatusOK, fmt.Errorf("discord: %s: the answer is not the JSON Discord documents: %w", what, err)
	}
	return http.StatusOK, nil
}

// failed is the error for a lookup of typed that Discord did not answer with a member; status
// is the HTTP status of the last attempt, 0 when no answer came.
func (m *Members) failed(err error, status int, guildID, typed string) error {
	var re *discordgo.RESTError
	var rl *discordgo.RateLimitError
	code := 0
	if errors.As(err, &re) && re.Message != nil {
		code = re.Message.Code
	}
	switch {
	case code == codeUnknownGuild || code == codeMissingAccess:
		return fmt.Errorf("%w [%w]", trustbot.Errorf(trustbot.EInvalid,
			"I can't see the members of this server, so I can't look up %s; an admin of the server needs to invite the bot.", typed), err)
	case status >= 500, errors.As(err, &rl), status == 0 && (connectionFailed(err) || errors.Is(err, context.DeadlineExceeded)):
		m.rest.log.Warn("discord: member lookup failed", "guild", guildID, "member", typed, "err", err)
		return fmt.Errorf("%w [%w]", trustbot.Errorf(trustbot.EUnavailable, "Discord did not answer while I looked up %s; try again.", typed), err)
	default:
		return fmt.Errorf("discord: look up %s in guild %s: %w", typed, guildID, err)
	}
}

// calledExactly reports whether a member's username, display name or nickname is name,
// ignoring case.
func calledExactly(gm *discordgo.Member, name string) bool {
	return strings.EqualFold(gm.User.Username, name) || (gm.User.GlobalName != "" && strings.EqualFold(gm.User.GlobalName, name)) ||
		(gm.Nick != "" && strings.EqualFold(gm.Nick, name))
}

// memberOf is a guild member as the commands name them: nickname, else display name, else
// username.
func memberOf(gm *discordgo.Member) trustbot.Member {
	name := gm.Nick
	if name == "" {
		name = displayName(gm.User)
	}
	return trustbot.Member{ID: gm.User.ID, Name: name}
}

// cached is the member kept under key, if it has not expired.
func (m *Members) cached(key memberKey) (trustbot.Member, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.byKey[key]
	if !ok {
		return trustbot.Member{}, false
	}
	e := el.Value.(*memberEntry)
	if !m.now().Before(e.expires) {
		m.lru.Remove(el)
		delete(m.byKey, key)
		return trustbot.Member{}, false
	}
	m.lru.MoveToFront(el)
	return e.member, true
}

// keep caches mem under key for the TTL, dropping the least recently used entry when full.
func (m *Members) keep(key memberKey, mem trustbot.Member) {
	m.mu.Lock()
	defer m.mu.Unlock()
	expires := m.now().Add(m.ttl)
	if el, ok := m.byKey[key]; ok {
		e := el.Value.(*memberEntry)
		e.member, e.expires = mem, expires
		m.lru.MoveToFront(el)
		return
	}
	m.byKey[key] = m.lru.PushFront(&memberEntry{key: key, member: mem, expires: expires})
	for m.lru.Len() > MemberCacheSize {
		last := m.lru.Back()
		m.lru.Remove(last)
		delete(m.byKey, last.Value.(*memberEntry).key)
	}
}
