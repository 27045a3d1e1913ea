package discordtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Member is a member of a guild in the fake's roster (see SetMembers).
type Member struct {
	ID, Username string
	// GlobalName is the user's display name and Nick the member's nickname in the guild; ""
	// when not set (null on the wire).
	GlobalName, Nick string
	Bot              bool
}

// joinedAt is when every roster member joined, as Discord writes timestamps.
var joinedAt = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC).Format(time.RFC3339Nano)

// SetMembers makes members the roster of guildID, replacing any earlier one. Get Guild Member
// (GET /guilds/{guild_id}/members/{user_id}) answers a roster member, 404 Unknown Member (10007)
// for anyone else, and 404 Unknown Guild (10004) in a guild without a roster. Search Guild
// Members (GET /guilds/{guild_id}/members/search) answers, in roster order and up to its limit
// (default 1), the members whose username or nickname starts with the query, ignoring case, as
// Discord documents it.
func (s *Server) SetMembers(guildID string, members ...Member) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rosters[guildID] = append([]Member(nil), members...)
}

// wire is the member as Discord's guild member object.
func (m Member) wire() map[string]any {
	orNull := func(v string) any {
		if v == "" {
			return nil
		}
		return v
	}
	return map[string]any{
		"avatar": nil, "banner": nil, "communication_disabled_until": nil, "flags": 0,
		"joined_at": joinedAt, "nick": orNull(m.Nick), "pending": false, "premium_since": nil,
		"roles": []any{}, "mute": false, "deaf": false,
		"user": map[string]any{
			"id": m.ID, "username": m.Username, "avatar": nil, "discriminator": "0",
			"public_flags": 0, "flags": 0, "global_name": orNull(m.GlobalName), "primary_guild": nil,
			"bot": m.Bot,
		},
	}
}

// roster is guildID's roster, and whether it has one.
func (s *Server) roster(guildID string) ([]Member, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rosters[guildID]
	return r, ok
}

func (s *Server) serveMember(w http.ResponseWriter, guildID, userID string) {
	roster, ok := s.roster(guildID)
	if !ok {
		s.writeChecked(w, TemplateGuildMember, http.StatusNotFound, map[string]any{"message": "Unknown Guild", "code": 10004})
		return
	}
	for _, m := range roster {
		if m.ID == userID {
			s.writeChecked(w, TemplateGuildMember, http.StatusOK, m.wire())
			return
		}
	}
	s.writeChecked(w, TemplateGuildMember, http.StatusNotFound, map[string]any{"message": "Unknown Member", "code": 10007})
}

func (s *Server) searchMembers(w http.ResponseWriter, guildID string, q url.Values) {
	roster, ok := s.roster(guildID)
	if !ok {
		s.writeChecked(w, TemplateGuildMembersSearch, http.StatusNotFound, map[string]any{"message": "Unknown Guild", "code": 10004})
		return
	}
	limit := 1
	if l, err := strconv.Atoi(q.Get("limit")); err == nil {
		limit = l
	}
	prefix := strings.ToLower(q.Get("query"))
	out := []any{}
	for _, m := range roster {
		if len(out) >= limit {
			break
		}
		if strings.HasPrefix(strings.ToLower(m.Username), prefix) || (m.Nick != "" && strings.HasPrefix(strings.ToLower(m.Nick), prefix)) {
			out = append(out, m.wire())
		}
	}
	s.writeChecked(w, TemplateGuildMembersSearch, http.StatusOK, out)
}

// writeChecked answers a GET on tmpl with v, and fails the test when v is not what Discord's
// OpenAPI description says that status carries.
func (s *Server) writeChecked(w http.ResponseWriter, tmpl string, status int, v any) {
	body, err := json.Marshal(v)
	if err == nil {
		err = s.Schema.ValidateResponse(http.MethodGet, tmpl, status, body)
	}
	if err != nil {
		s.t.Errorf("discordtest: the fake's own answer to GET %s is wrong: %v", tmpl, err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
