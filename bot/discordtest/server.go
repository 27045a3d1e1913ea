package discordtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Recorded is one request the fake Discord received.
type Recorded struct {
	Method   string
	Path     string // as sent, e.g. /api/v9/channels/1/messages
	Template string // OpenAPI path template; "" for an unknown route
	Query    string
	Header   http.Header
	Body     []byte // the JSON body (payload_json of a multipart request)
	// Err is the schema error for Body or the query: non-nil when Discord's
	// OpenAPI description (or a documented rule, see rules.go) rejects it.
	Err error
	At  time.Time
}

// JSON decodes the recorded body into v.
func (r Recorded) JSON(v any) error { return json.Unmarshal(r.Body, v) }

// Map decodes the recorded body into a generic map (nil when the body is
// not a JSON object).
func (r Recorded) Map() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.Body, &m)
	return m
}

type fault struct {
	method, template string
	Fault
	hang bool // never answer until Close
}

// Fault is one step of a route's scripted answers (see Script).
type Fault struct {
	// Status answers the request with this HTTP status and Discord's error
	// JSON (for 429, Retry-After and the rate-limit headers as well). 0
	// serves the request as usual.
	Status int
	// RetryAfter is a 429's Retry-After.
	RetryAfter time.Duration
	// Drop closes the connection without an answer.
	Drop bool
	// After serves the request first, so that what it does (a message
	// created, a response edited) is kept, and only then answers with Status
	// or drops the connection: Discord failing after it acted. Without
	// Status or Drop it has no effect.
	After bool
	// Times is how many requests this step answers (at least 1).
	Times int
}

// Server is a fake Discord REST API on 127.0.0.1. Every request is recorded
// and every JSON body is validated against Discord's OpenAPI description;
// an invalid body is answered 400 with Discord's error shape.
type Server struct {
	// URL is the base URL of the fake, e.g. http://127.0.0.1:41234.
	URL    string
	Schema *Schema

	// BotID and BotName are the bot user the fake answers /users/@me with
	// and authors messages as. AppID is the application id.
	BotID, BotName, AppID string

	t   testing.TB
	srv *httptest.Server

	mu          sync.Mutex
	reqs        []Recorded
	changed     chan struct{} // closed and replaced on every new record
	faults      []*fault
	originals   map[string]map[string]any // webhook token → original response message
	messages    []map[string]any          // channel messages created, in order
	nonces      map[string]map[string]any // enforced nonce → the message it created
	commands    map[string][]any          // "global" or guild id → registered commands
	rosters     map[string][]Member       // guild id → its members (SetMembers)
	gatewayURL  string
	allowErrors bool

	closed    chan struct{}
	closeOnce sync.Once
}

var snowflakeSeq atomic.Uint64

// discordEpoch is 2015-01-01T00:00:00Z in milliseconds.
const discordEpoch = 1420070400000

// Snowflake returns a new, unique Discord snowflake id for the current time.
func Snowflake() string {
	ms := uint64(time.Now().UnixMilli() - discordEpoch)
	return strconv.FormatUint(ms<<22|(snowflakeSeq.Add(1)&0x3FFFFF), 10)
}

// NewServer starts a fake Discord for the test; it is closed in t.Cleanup,
// and at cleanup the test fails if any request body broke Discord's schema
// (unless AllowSchemaErrors was called).
func NewServer(t testing.TB) *Server {
	t.Helper()
	sch, err := LoadSchema()
	if err != nil {
		t.Fatalf("discordtest: %v", err)
	}
	s := &Server{
		Schema:     sch,
		BotID:      Snowflake(),
		BotName:    "trustbot",
		t:          t,
		changed:    make(chan struct{}),
		originals:  map[string]map[string]any{},
		nonces:     map[string]map[string]any{},
		commands:   map[string][]any{},
		rosters:    map[string][]Member{},
		gatewayURL: "wss://gateway.discord.gg",
		closed:     make(chan struct{}),
	}
	s.AppID = s.BotID
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("discordtest: listen: %v", err)
	}
	s.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(s.serve)}}
	s.srv.Start()
	s.URL = s.srv.URL
	t.Cleanup(func() {
		s.Close()
		s.mu.Lock()
		allow := s.allowErrors
		s.mu.Unlock()
		if !allow {
			for _, r := range s.SchemaErrors() {
				t.Errorf("discordtest: %s %s sent a body Discord rejects: %v\nbody: %s", r.Method, r.Path, r.Err, r.Body)
			}
		}
	})
	return s
}

// Close stops the server, releasing hung requests. It is safe to call twice.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.srv.Close()
	})
}

// AllowSchemaErrors turns off the cleanup check that fails the test when a
// body broke the schema; for tests that send invalid bodies on purpose.
func (s *Server) AllowSchemaErrors() {
	s.mu.Lock()
	s.allowErrors = true
	s.mu.Unlock()
}

// SetGatewayURL sets the url GET /gateway and /gateway/bot answer with (a
// fake gateway's ws:// address).
func (s *Server) SetGatewayURL(u string) {
	s.mu.Lock()
	s.gatewayURL = u
	s.mu.Unlock()
}

// Transport returns a RoundTripper that sends requests for discord.com and
// discordapp.com (any subdomain) to the fake and refuses every other host
// except the fake itself.
func (s *Server) Transport() http.RoundTripper {
	return &rewriter{target: s.srv.Listener.Addr().String(), base: s.srv.Client().Transport}
}

// Client returns an http.Client using Transport.
func (s *Server) Client() *http.Client {
	return &http.Client{Transport: s.Transport(), Timeout: 30 * time.Second}
}

// Session returns a discordgo session with a bot token whose REST calls go to
// the fake. Rate-limit retries stay on, as in production.
func (s *Server) Session() *discordgo.Session {
	dg, err := discordgo.New("Bot fake-token")
	if err != nil {
		s.t.Fatalf("discordtest: %v", err)
	}
	dg.Client = s.Client()
	dg.ShouldRetryOnRateLimit = true
	return dg
}

type rewriter struct {
	target string
	base   http.RoundTripper
}

func isDiscordHost(h string) bool {
	h = strings.ToLower(h)
	for _, d := range []string{"discord.com", "discordapp.com"} {
		if h == d || strings.HasSuffix(h, "."+d) {
			return true
		}
	}
	return false
}

func (rw *rewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	host := req.URL.Hostname()
	if req.URL.Host != rw.target && !isDiscordHost(host) {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("discordtest: refusing request to %s (only Discord hosts go to the fake)", req.URL.Host)
	}
	r2 := req.Clone(req.Context())
	r2.URL.Scheme = "http"
	r2.URL.Host = rw.target
	r2.Host = rw.target
	r2.Header.Set("X-Discordtest-Host", req.URL.Host)
	return rw.base.RoundTrip(r2)
}

// Fail answers the next times requests matching method and template with
// status. For 429 the answer carries Retry-After, the X-RateLimit headers
// discordgo reads and Discord's rate-limit JSON; other statuses get
// Discord's error JSON.
func (s *Server) Fail(method, template string, status int, retryAfter time.Duration, times int) {
	if times <= 0 {
		return
	}
	s.Script(method, template, Fault{Status: status, RetryAfter: retryAfter, Times: times})
}

// Script queues answers for the next requests matching method and template:
// each step answers its Times requests, in order, after the steps queued
// before it for the route; once all are used up, requests are served as
// usual.
func (s *Server) Script(method, template string, steps ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range steps {
		st.Times = max(st.Times, 1)
		s.faults = append(s.faults, &fault{method: strings.ToUpper(method), template: template, Fault: st})
	}
}

// Hang makes every later request matching method and template wait without
// an answer until the server is closed (or the client gives up).
func (s *Server) Hang(method, template string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{method: strings.ToUpper(method), template: template, hang: true})
}

// Messages returns the messages created in a channel so far, in order, as
// Discord returns them: what the channel shows, whatever number of requests
// it took.
func (s *Server) Messages(channelID string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, m := range s.messages {
		if m["channel_id"] == channelID {
			out = append(out, m)
		}
	}
	return out
}

// Requests returns a copy of every request received so far, in order.
func (s *Server) Requests() []Recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Recorded(nil), s.reqs...)
}

// Find returns the recorded requests with method and template.
func (s *Server) Find(method, template string) []Recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.findLocked(method, template)
}

func (s *Server) findLocked(method, template string) []Recorded {
	var out []Recorded
	for _, r := range s.reqs {
		if strings.EqualFold(r.Method, method) && r.Template == template {
			out = append(out, r)
		}
	}
	return out
}

// SchemaErrors returns the recorded requests whose body Discord would reject.
func (s *Server) SchemaErrors() []Recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Recorded
	for _, r := range s.reqs {
		if r.Err != nil {
			out = append(out, r)
		}
	}
	return out
}

// WaitFor waits until at least n requests with method and template were
// received and returns them all; after timeout it fails the test (call it
// from the test goroutine).
func (s *Server) WaitFor(method, template string, n int, timeout time.Duration) []Recorded {
	s.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got := s.findLocked(method, template)
		ch := s.changed
		s.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-ch:
		case <-deadline.C:
			s.t.Fatalf("discordtest: %s %s: got %d requests after %v, want %d", method, template, len(got), timeout, n)
			return got
		}
	}
}

func (s *Server) record(r Recorded) {
	s.mu.Lock()
	s.reqs = append(s.reqs, r)
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

// takeFault returns the fault for this request, consuming one use.
func (s *Server) takeFault(method, template string) *fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if f.method != method || f.template != template {
			continue
		}
		if f.hang {
			return f
		}
		if f.Times > 0 {
			f.Times--
			return f
		}
	}
	return nil
}

// readBody returns the JSON body of r: the raw body for JSON, the
// payload_json part for multipart/form-data.
func readBody(r *http.Request) ([]byte, error) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return raw, nil
	}
	mr := multipart.NewReader(bytes.NewReader(raw), params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, errors.New("multipart body without payload_json")
		}
		if err != nil {
			return nil, err
		}
		if p.FormName() == "payload_json" {
			return io.ReadAll(p)
		}
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	method := strings.ToUpper(r.Method)
	tmpl, ok := s.Schema.Match(method, r.URL.Path)
	rec := Recorded{Method: method, Path: r.URL.Path, Template: tmpl, Query: r.URL.RawQuery, Header: r.Header.Clone(), At: time.Now()}
	body, err := readBody(r)
	rec.Body = body
	if err != nil {
		rec.Err = fmt.Errorf("discordtest: read body: %w", err)
	} else if ok && len(bytes.TrimSpace(body)) > 0 {
		if verr := s.Schema.ValidateRequest(method, tmpl, body); verr != nil && !errors.Is(verr, ErrNoRequestBody) {
			rec.Err = verr
		} else if errors.Is(verr, ErrNoRequestBody) && method != "GET" && method != "DELETE" {
			rec.Err = verr
		}
	} else if ok && needsBody(s.Schema, method, tmpl) {
		rec.Err = fmt.Errorf("discordtest: %s %s: the spec requires a JSON body, got none", method, tmpl)
	}
	if ok && rec.Err == nil {
		if qerr := s.Schema.ValidateQuery(method, tmpl, r.URL.Query()); qerr != nil {
			rec.Err = qerr
		}
	}
	s.record(rec)

	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "404: Not Found", "code": 0})
		return
	}
	if f := s.takeFault(method, tmpl); f != nil {
		if f.hang {
			select {
			case <-s.closed:
			case <-r.Context().Done():
			}
			return
		}
		if f.After && (f.Drop || f.Status != 0) {
			s.serveValid(httptest.NewRecorder(), method, tmpl, r, rec.Err, body)
		}
		if f.Drop {
			drop(w)
			return
		}
		if f.Status != 0 {
			writeFault(w, f)
			return
		}
	}
	s.serveValid(w, method, tmpl, r, rec.Err, body)
}

// serveValid answers a request whose body Discord's schema accepts, and
// refuses one it rejects (invalid) with Discord's 400.
func (s *Server) serveValid(w http.ResponseWriter, method, tmpl string, r *http.Request, invalid error, body []byte) {
	if invalid != nil {
		writeJSON(w, http.StatusBadRequest, invalidFormBody(invalid))
		return
	}
	s.respond(w, method, tmpl, r, body)
}

// drop closes the request's connection without writing an answer.
func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(fmt.Sprintf("discordtest: cannot drop the connection: %v", err))
	}
	conn.Close()
}

func needsBody(sch *Schema, method, tmpl string) bool {
	item, _ := sch.doc["paths"].(map[string]any)[tmpl].(map[string]any)
	op, _ := item[strings.ToLower(method)].(map[string]any)
	rb, _ := op["requestBody"].(map[string]any)
	req, _ := rb["required"].(bool)
	return req
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeFault(w http.ResponseWriter, f *fault) {
	secs := f.RetryAfter.Seconds()
	if f.Status == http.StatusTooManyRequests {
		h := w.Header()
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(secs))))
		h.Set("X-RateLimit-Limit", "5")
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(time.Now().Add(f.RetryAfter).UnixMilli())/1000, 'f', 3, 64))
		h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(secs, 'f', 3, 64))
		h.Set("X-RateLimit-Bucket", "discordtest-"+strings.ReplaceAll(f.template, "/", "-"))
		h.Set("X-RateLimit-Scope", "user")
		writeJSON(w, f.Status, map[string]any{"message": "You are being rate limited.", "retry_after": secs, "global": false})
		return
	}
	msg := fmt.Sprintf("%d: %s", f.Status, http.StatusText(f.Status))
	writeJSON(w, f.Status, map[string]any{"message": msg, "code": 0})
}

// invalidFormBody renders err in Discord's 400 shape. The errors object
// carries the validator's message under _errors, as Discord nests field
// errors.
func invalidFormBody(err error) map[string]any {
	return map[string]any{
		"code":    50035,
		"message": "Invalid Form Body",
		"errors": map[string]any{
			"_errors": []any{map[string]any{"code": "SCHEMA_INVALID", "message": err.Error()}},
		},
	}
}

func (s *Server) respond(w http.ResponseWriter, method, tmpl string, r *http.Request, body []byte) {
	params := pathParams(tmpl, r.URL.Path)
	var in any
	if len(body) > 0 {
		_ = json.Unmarshal(body, &in)
	}
	obj, _ := in.(map[string]any)
	switch method + " " + tmpl {
	case "PUT " + TemplateGlobalCommands, "PUT " + TemplateGuildCommands:
		items, _ := in.([]any)
		out := make([]any, 0, len(items))
		for _, it := range items {
			if m, ok := it.(map[string]any); ok {
				out = append(out, s.command(m, params["guild_id"]))
			}
		}
		s.mu.Lock()
		s.commands[scope(params)] = out
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, out)
	case "POST " + TemplateGlobalCommands, "POST " + TemplateGuildCommands:
		c := s.command(obj, params["guild_id"])
		s.mu.Lock()
		s.commands[scope(params)] = append(s.commands[scope(params)], c)
		s.mu.Unlock()
		writeJSON(w, http.StatusCreated, c)
	case "GET " + TemplateGlobalCommands, "GET " + TemplateGuildCommands:
		s.mu.Lock()
		out := append([]any{}, s.commands[scope(params)]...)
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, out)
	case "POST " + TemplateInteractionCallback:
		if t, _ := obj["type"].(float64); t == 4 || t == 5 {
			data, _ := obj["data"].(map[string]any)
			msg := s.message("", data, true)
			s.mu.Lock()
			s.originals[params["interaction_token"]] = msg
			s.mu.Unlock()
		}
		w.WriteHeader(http.StatusNoContent)
	case "GET " + TemplateOriginalResponse:
		s.mu.Lock()
		msg, ok := s.originals[params["webhook_token"]]
		s.mu.Unlock()
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]any{"message": "Unknown Message", "code": 10008})
			return
		}
		writeJSON(w, http.StatusOK, msg)
	case "PATCH " + TemplateOriginalResponse:
		s.mu.Lock()
		prev := s.originals[params["webhook_token"]]
		msg := s.message("", obj, true)
		if prev != nil {
			msg["id"] = prev["id"]
			for _, k := range []string{"content", "components", "embeds", "flags"} {
				if _, sent := obj[k]; !sent {
					msg[k] = prev[k]
				}
			}
			msg["edited_timestamp"] = time.Now().UTC().Format(time.RFC3339Nano)
		}
		s.originals[params["webhook_token"]] = msg
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, msg)
	case "DELETE " + TemplateOriginalResponse, "DELETE " + TemplateWebhookMessage:
		w.WriteHeader(http.StatusNoContent)
	case "POST " + TemplateFollowup, "PATCH " + TemplateWebhookMessage:
		if method == "POST" && r.URL.Query().Get("wait") != "true" {
			// Without ?wait=true Discord answers an executed webhook with 204.
			w.WriteHeader(http.StatusNoContent)
			return
		}
		msg := s.message("", obj, true)
		if id := params["message_id"]; id != "" {
			msg["id"] = id
		}
		writeJSON(w, http.StatusOK, msg)
	case "POST " + TemplateChannelMessages:
		writeJSON(w, http.StatusOK, s.createMessage(params["channel_id"], obj, body))
	case "GET " + TemplateGatewayBot:
		s.mu.Lock()
		u := s.gatewayURL
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{
			"url": u, "shards": 1,
			"session_start_limit": map[string]any{"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1},
		})
	case "GET /gateway":
		s.mu.Lock()
		u := s.gatewayURL
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"url": u})
	case "GET " + TemplateGuildMember:
		s.serveMember(w, params["guild_id"], params["user_id"])
	case "GET " + TemplateGuildMembersSearch:
		s.searchMembers(w, params["guild_id"], r.URL.Query())
	case "GET " + TemplateMe:
		writeJSON(w, http.StatusOK, s.botUser())
	case "GET /applications/@me":
		writeJSON(w, http.StatusOK, map[string]any{
			"id": s.AppID, "name": s.BotName, "description": "", "bot_public": true,
			"bot_require_code_grant": false, "verify_key": strings.Repeat("0", 64), "flags": 0, "bot": s.botUser(),
		})
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "404: Not Found", "code": 0})
	}
}

// createMessage creates a channel message, or, as Discord's Create Message
// does when enforce_nonce is true, returns the message an earlier request
// with the same nonce created and creates nothing. Discord checks the nonce
// over the past few minutes; the fake remembers it for its whole life.
func (s *Server) createMessage(channelID string, in map[string]any, body []byte) map[string]any {
	var n struct {
		Nonce        json.RawMessage `json:"nonce"`
		EnforceNonce bool            `json:"enforce_nonce"`
	}
	_ = json.Unmarshal(body, &n)
	key := string(n.Nonce)
	enforce := n.EnforceNonce && key != "" && key != "null"
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev, ok := s.nonces[key]; enforce && ok {
		return prev
	}
	msg := s.message(channelID, in, false)
	if v, ok := in["nonce"]; ok && v != nil {
		msg["nonce"] = v
	}
	s.messages = append(s.messages, msg)
	if enforce {
		s.nonces[key] = msg
	}
	return msg
}

func scope(params map[string]string) string {
	if g := params["guild_id"]; g != "" {
		return g
	}
	return "global"
}

// pathParams extracts {name} segments of tmpl from a concrete path.
func pathParams(tmpl, path string) map[string]string {
	if m := apiPrefix.FindStringIndex(path); m != nil {
		path = "/" + path[m[1]:]
	}
	ts, ps := splitPath(tmpl), splitPath(path)
	out := map[string]string{}
	for i := range ts {
		if i < len(ps) && strings.HasPrefix(ts[i], "{") {
			out[strings.Trim(ts[i], "{}")] = ps[i]
		}
	}
	return out
}

func (s *Server) botUser() map[string]any {
	return map[string]any{
		"id": s.BotID, "username": s.BotName, "discriminator": "0", "global_name": nil,
		"avatar": nil, "bot": true, "public_flags": 0, "flags": 0,
	}
}

// command is a registered application command as Discord returns it.
func (s *Server) command(in map[string]any, guildID string) map[string]any {
	c := map[string]any{}
	for k, v := range in {
		c[k] = v
	}
	c["id"] = Snowflake()
	c["application_id"] = s.AppID
	c["version"] = Snowflake()
	if _, ok := c["type"]; !ok || c["type"] == nil {
		c["type"] = 1
	}
	if guildID != "" {
		c["guild_id"] = guildID
	}
	if _, ok := c["description"]; !ok {
		c["description"] = ""
	}
	switch v := c["default_member_permissions"].(type) {
	case float64:
		c["default_member_permissions"] = strconv.FormatInt(int64(v), 10)
	case string, nil:
	}
	return c
}

// message is a message object as Discord returns it for a created or
// edited message with the fields of in.
func (s *Server) message(channelID string, in map[string]any, webhook bool) map[string]any {
	if channelID == "" {
		channelID = "0"
	}
	orEmpty := func(k string) any {
		if v, ok := in[k]; ok && v != nil {
			return v
		}
		return []any{}
	}
	content, _ := in["content"].(string)
	flags := 0.0
	if f, ok := in["flags"].(float64); ok {
		flags = f
	}
	msg := map[string]any{
		"id":               Snowflake(),
		"type":             0,
		"channel_id":       channelID,
		"content":          content,
		"components":       orEmpty("components"),
		"embeds":           orEmpty("embeds"),
		"attachments":      []any{},
		"mentions":         []any{},
		"mention_roles":    []any{},
		"mention_everyone": false,
		"pinned":           false,
		"tts":              in["tts"] == true,
		"flags":            int(flags),
		"author":           s.botUser(),
		"timestamp":        time.Now().UTC().Format(time.RFC3339Nano),
		"edited_timestamp": nil,
	}
	if webhook {
		msg["webhook_id"] = s.AppID
		msg["application_id"] = s.AppID
	}
	return msg
}
