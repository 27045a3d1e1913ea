// Package discordtest is a fake Discord for tests: it loads Discord's own
// OpenAPI description (shared/discord/openapi.json), validates request bodies
// against it with a JSON Schema 2020-12 validator, serves a recording REST API
// on loopback that discordgo can be pointed at, and builds interaction
// payloads in Discord's wire format.
package discordtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// EnvOpenAPI names the environment variable that, when set, points at
// Discord's openapi.json and overrides the search from the working directory.
const EnvOpenAPI = "DISCORD_OPENAPI"

// relSpecPath is where the spec lives relative to some ancestor directory.
var relSpecPath = filepath.Join("shared", "discord", "openapi.json")

// Schema is Discord's OpenAPI description compiled on demand, one request
// body schema per (method, path template), cached.
type Schema struct {
	path string
	doc  map[string]any
	url  string // resource URL the document is registered under

	mu       sync.Mutex
	compiler *jsonschema.Compiler
	cache    map[string]*jsonschema.Schema

	templates []template
}

type template struct {
	raw  string
	segs []string
}

// FindSpec returns the path of openapi.json: $DISCORD_OPENAPI when set,
// otherwise the first shared/discord/openapi.json found in the working
// directory or one of its ancestors.
func FindSpec() (string, error) {
	if p := os.Getenv(EnvOpenAPI); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("discordtest: %s=%s: %w", EnvOpenAPI, p, err)
		}
		return p, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("discordtest: %w", err)
	}
	for {
		p := filepath.Join(dir, relSpecPath)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("discordtest: %s not found in any ancestor of the working directory (set %s)", relSpecPath, EnvOpenAPI)
		}
		dir = parent
	}
}

// schemaCache keeps the parsed description once it loaded: the document is read-only, and
// parsing it for every fake server would cost each test. A failure is not kept: the next call
// tries again.
var schemaCache struct {
	mu sync.Mutex
	s  *Schema
}

// LoadSchema finds and parses Discord's OpenAPI description (see FindSpec).
// The parsed document is shared by every caller in the process; compiled
// schemas are cached.
func LoadSchema() (*Schema, error) {
	schemaCache.mu.Lock()
	defer schemaCache.mu.Unlock()
	if schemaCache.s != nil {
		return schemaCache.s, nil
	}
	p, err := FindSpec()
	if err != nil {
		return nil, err
	}
	s, err := LoadSchemaFile(p)
	if err != nil {
		return nil, err
	}
	schemaCache.s = s
	return s, nil
}

// LoadSchemaFile parses the OpenAPI description at path.
func LoadSchemaFile(path string) (*Schema, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("discordtest: %w", err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, fmt.Errorf("discordtest: parse %s: %w", path, err)
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("discordtest: %s: not a JSON object", path)
	}
	if v, _ := root["openapi"].(string); !strings.HasPrefix(v, "3.1") {
		return nil, fmt.Errorf("discordtest: %s: openapi %q, want 3.1.x", path, v)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("discordtest: %w", err)
	}
	s := &Schema{
		path:  abs,
		doc:   root,
		url:   "https://discord.com/openapi.json",
		cache: map[string]*jsonschema.Schema{},
	}
	c := jsonschema.NewCompiler()
	// OpenAPI 3.1 schemas use the JSON Schema 2020-12 dialect.
	c.DefaultDraft(jsonschema.Draft2020)
	// Discord rejects malformed URIs and timestamps; assert the standard
	// formats ("uri", "date-time") instead of treating them as annotations.
	// Discord's own formats (snowflake, int32, int64, double, nonce) are
	// unknown to the validator and stay annotations; snowflakes carry a
	// pattern of their own.
	c.AssertFormat()
	if err := c.AddResource(s.url, root); err != nil {
		return nil, fmt.Errorf("discordtest: add %s: %w", path, err)
	}
	s.compiler = c
	paths, _ := root["paths"].(map[string]any)
	for p := range paths {
		s.templates = append(s.templates, template{raw: p, segs: splitPath(p)})
	}
	return s, nil
}

// Path is the file the schema was loaded from.
func (s *Schema) Path() string { return s.path }

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

var apiPrefix = regexp.MustCompile(`^/api(/v[0-9]+)?(/|$)`)

// Match maps a concrete request path (with or without the /api/vN prefix;
// discordgo v0.29 uses /api/v9, Discord's docs /api/v10) to the OpenAPI path
// template it instantiates, e.g. /api/v10/webhooks/1/tok/messages/@original →
// /webhooks/{webhook_id}/{webhook_token}/messages/@original. Literal segments
// must match exactly; when several templates match, the one with the most
// literal segments wins.
func (s *Schema) Match(method, urlPath string) (string, bool) {
	if i := strings.IndexAny(urlPath, "?#"); i >= 0 {
		urlPath = urlPath[:i]
	}
	if m := apiPrefix.FindStringIndex(urlPath); m != nil {
		urlPath = "/" + urlPath[m[1]:]
	}
	segs := splitPath(urlPath)
	m := strings.ToLower(method)
	best, bestLit := "", -1
	for _, t := range s.templates {
		if len(t.segs) != len(segs) {
			continue
		}
		lit, ok := 0, true
		for i, ts := range t.segs {
			if strings.HasPrefix(ts, "{") && strings.HasSuffix(ts, "}") {
				if segs[i] == "" {
					ok = false
					break
				}
				continue
			}
			seg, err := url.PathUnescape(segs[i])
			if err != nil {
				seg = segs[i]
			}
			if ts != seg {
				ok = false
				break
			}
			lit++
		}
		if !ok {
			continue
		}
		// Prefer a template that declares the method.
		if m != "" {
			if item, _ := s.doc["paths"].(map[string]any)[t.raw].(map[string]any); item != nil {
				if _, has := item[m]; has {
					lit += 1000
				}
			}
		}
		if lit > bestLit || (lit == bestLit && t.raw < best) {
			best, bestLit = t.raw, lit
		}
	}
	return best, bestLit >= 0
}

// ErrNoRequestBody is returned (wrapped) by ValidateRequest when the spec
// declares no application/json request body for the operation.
var ErrNoRequestBody = errors.New("no application/json request body in the spec")

// escapePointer escapes one JSON-pointer token for use in a URL fragment.
func escapePointer(tok string) string {
	tok = strings.ReplaceAll(tok, "~", "~0")
	tok = strings.ReplaceAll(tok, "/", "~1")
	return url.PathEscape(tok)
}

// requestSchema compiles (once) the application/json request body schema of
// method on pathTemplate.
func (s *Schema) requestSchema(method, pathTemplate string) (*jsonschema.Schema, error) {
	m := strings.ToLower(method)
	key := m + " " + pathTemplate
	s.mu.Lock()
	defer s.mu.Unlock()
	if sch, ok := s.cache[key]; ok {
		return sch, nil
	}
	item, _ := s.doc["paths"].(map[string]any)[pathTemplate].(map[string]any)
	if item == nil {
		return nil, fmt.Errorf("discordtest: no path %q in the spec", pathTemplate)
	}
	op, _ := item[m].(map[string]any)
	if op == nil {
		return nil, fmt.Errorf("discordtest: no operation %s %s in the spec", strings.ToUpper(m), pathTemplate)
	}
	rb, _ := op["requestBody"].(map[string]any)
	content, _ := rb["content"].(map[string]any)
	if _, ok := content["application/json"].(map[string]any)["schema"]; !ok {
		return nil, fmt.Errorf("discordtest: %s %s: %w", strings.ToUpper(m), pathTemplate, ErrNoRequestBody)
	}
	ptr := "#/" + strings.Join([]string{
		"paths", escapePointer(pathTemplate), escapePointer(m),
		"requestBody", "content", escapePointer("application/json"), "schema",
	}, "/")
	sch, err := s.compiler.Compile(s.url + ptr)
	if err != nil {
		return nil, fmt.Errorf("discordtest: compile %s %s: %w", strings.ToUpper(m), pathTemplate, err)
	}
	s.cache[key] = sch
	return sch, nil
}

// ValidationError is a body that does not satisfy Discord's schema (or one
// of the documented rules in rules.go).
type ValidationError struct {
	Method, Template string
	// Schema is the validator's error when the JSON Schema rejected the body.
	Schema *jsonschema.ValidationError
	// Rules lists violated rules that Discord documents but the OpenAPI
	// description does not encode.
	Rules []string
	// Syntax is set when the body is not JSON at all.
	Syntax error
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: body rejected", strings.ToUpper(e.Method), e.Template)
	if e.Syntax != nil {
		fmt.Fprintf(&b, ": invalid JSON: %v", e.Syntax)
	}
	if e.Schema != nil {
		fmt.Fprintf(&b, " by Discord's OpenAPI schema: %v", e.Schema)
	}
	if len(e.Rules) > 0 {
		b.WriteString("\nbreaks Discord's documented rules:")
		for _, r := range e.Rules {
			fmt.Fprintf(&b, "\n  - %s", r)
		}
	}
	return b.String()
}

// ValidateRequest validates body against
// paths[pathTemplate][method].requestBody.content["application/json"].schema,
// then against the Discord rules the schema leaves out (see rules.go).
func (s *Schema) ValidateRequest(method, pathTemplate string, body []byte) error {
	sch, err := s.requestSchema(method, pathTemplate)
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return &ValidationError{Method: method, Template: pathTemplate, Syntax: err}
	}
	ve := &ValidationError{Method: method, Template: pathTemplate}
	coerceStringInts(pathTemplate, v)
	if err := sch.Validate(v); err != nil {
		var jv *jsonschema.ValidationError
		if errors.As(err, &jv) {
			ve.Schema = jv
		} else {
			return fmt.Errorf("discordtest: validate %s %s: %w", method, pathTemplate, err)
		}
	}
	var plain any
	if err := json.Unmarshal(body, &plain); err == nil {
		ve.Rules = checkRules(method, pathTemplate, plain)
	}
	if ve.Schema != nil || len(ve.Rules) > 0 {
		return ve
	}
	return nil
}

// Paths of the operations validated by the package-level helpers.
const (
	TemplateInteractionCallback = "/interactions/{interaction_id}/{interaction_token}/callback"
	TemplateGlobalCommands      = "/applications/{application_id}/commands"
	TemplateGuildCommands       = "/applications/{application_id}/guilds/{guild_id}/commands"
	TemplateOriginalResponse    = "/webhooks/{webhook_id}/{webhook_token}/messages/@original"
	TemplateWebhookMessage      = "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"
	TemplateFollowup            = "/webhooks/{webhook_id}/{webhook_token}"
	TemplateChannelMessages     = "/channels/{channel_id}/messages"
	TemplateGatewayBot          = "/gateway/bot"
	TemplateMe                  = "/users/@me"
	TemplateGuildMember         = "/guilds/{guild_id}/members/{user_id}"
	TemplateGuildMembersSearch  = "/guilds/{guild_id}/members/search"
)

// ValidateInteractionResponse validates the body a bot returns from its HTTP
// interactions endpoint (or POSTs to the callback URL): the request body of
// POST /interactions/{interaction_id}/{interaction_token}/callback.
func ValidateInteractionResponse(body []byte) error {
	s, err := LoadSchema()
	if err != nil {
		return err
	}
	return s.ValidateRequest("POST", TemplateInteractionCallback, body)
}

// ValidateCommands validates a JSON array of application commands: the
// request body of PUT /applications/{application_id}/commands (bulk
// overwrite), as printed by `trustbot commands --json`.
func ValidateCommands(body []byte) error {
	s, err := LoadSchema()
	if err != nil {
		return err
	}
	return s.ValidateRequest("PUT", TemplateGlobalCommands, body)
}

// compileAt compiles (once) the schema at a JSON pointer into the document.
func (s *Schema) compileAt(ptr string) (*jsonschema.Schema, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sch, ok := s.cache[ptr]; ok {
		return sch, nil
	}
	sch, err := s.compiler.Compile(s.url + ptr)
	if err != nil {
		return nil, fmt.Errorf("discordtest: compile %s: %w", ptr, err)
	}
	s.cache[ptr] = sch
	return sch, nil
}

// operation is the spec's operation object of method on pathTemplate.
func (s *Schema) operation(method, pathTemplate string) (map[string]any, error) {
	item, _ := s.doc["paths"].(map[string]any)[pathTemplate].(map[string]any)
	if item == nil {
		return nil, fmt.Errorf("discordtest: no path %q in the spec", pathTemplate)
	}
	op, _ := item[strings.ToLower(method)].(map[string]any)
	if op == nil {
		return nil, fmt.Errorf("discordtest: no operation %s %s in the spec", strings.ToUpper(method), pathTemplate)
	}
	return op, nil
}

// ValidateQuery checks a request's query string against the query parameters the operation
// declares: every required one is present, and each one given satisfies its schema (its text
// read as the schema's type: an integer, a number or a boolean). Parameters the spec does not
// declare are ignored, as Discord ignores them.
func (s *Schema) ValidateQuery(method, pathTemplate string, q url.Values) error {
	op, err := s.operation(method, pathTemplate)
	if err != nil {
		return err
	}
	params, _ := op["parameters"].([]any)
	var problems []string
	for i, p := range params {
		pm, _ := p.(map[string]any)
		if in, _ := pm["in"].(string); in != "query" {
			continue
		}
		name, _ := pm["name"].(string)
		vals, given := q[name]
		if !given || len(vals) == 0 {
			if req, _ := pm["required"].(bool); req {
				problems = append(problems, fmt.Sprintf("query parameter %q is required", name))
			}
			continue
		}
		ptr := "#/" + strings.Join([]string{"paths", escapePointer(pathTemplate), escapePointer(strings.ToLower(method)),
			"parameters", strconv.Itoa(i), "schema"}, "/")
		sch, err := s.compileAt(ptr)
		if err != nil {
			return err
		}
		typ, _ := pm["schema"].(map[string]any)["type"].(string)
		if err := sch.Validate(queryValue(typ, vals[0])); err != nil {
			problems = append(problems, fmt.Sprintf("query parameter %q=%q: %v", name, vals[0], err))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s %s: query rejected: %s", strings.ToUpper(method), pathTemplate, strings.Join(problems, "; "))
	}
	return nil
}

// queryValue is a query parameter's text as the JSON value of its schema's type; text that
// does not read as that type stays a string, which the schema then rejects.
func queryValue(typ, v string) any {
	switch typ {
	case "integer", "number":
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			return json.Number(v)
		}
	case "boolean":
		switch strings.ToLower(v) {
		case "true":
			return true
		case "false":
			return false
		}
	}
	return v
}

// ValidateResponse checks a JSON body the fake answers with against the spec's schema for that
// status of the operation: the exact status's response, else its class ("4XX"), else
// "default"; a response defined under components/responses is followed.
func (s *Schema) ValidateResponse(method, pathTemplate string, status int, body []byte) error {
	op, err := s.operation(method, pathTemplate)
	if err != nil {
		return err
	}
	responses, _ := op["responses"].(map[string]any)
	base := "#/" + strings.Join([]string{"paths", escapePointer(pathTemplate), escapePointer(strings.ToLower(method)), "responses"}, "/")
	var resp map[string]any
	var ptr string
	for _, key := range []string{strconv.Itoa(status), strconv.Itoa(status/100) + "XX", "default"} {
		if r, ok := responses[key].(map[string]any); ok {
			resp, ptr = r, base+"/"+escapePointer(key)
			break
		}
	}
	if resp == nil {
		return fmt.Errorf("discordtest: %s %s declares no response for status %d", strings.ToUpper(method), pathTemplate, status)
	}
	if ref, ok := resp["$ref"].(string); ok {
		name, found := strings.CutPrefix(ref, "#/components/responses/")
		if !found {
			return fmt.Errorf("discordtest: %s %s %d: response $ref %q is not under components/responses", strings.ToUpper(method), pathTemplate, status, ref)
		}
		resp, _ = s.doc["components"].(map[string]any)["responses"].(map[string]any)[name].(map[string]any)
		ptr = "#/components/responses/" + escapePointer(name)
	}
	content, _ := resp["content"].(map[string]any)
	if _, ok := content["application/json"].(map[string]any)["schema"]; !ok {
		return fmt.Errorf("discordtest: %s %s %d: the spec declares no JSON body", strings.ToUpper(method), pathTemplate, status)
	}
	sch, err := s.compileAt(ptr + "/content/" + escapePointer("application/json") + "/schema")
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("discordtest: %s %s %d: the response is not JSON: %w", strings.ToUpper(method), pathTemplate, status, err)
	}
	if err := sch.Validate(v); err != nil {
		return fmt.Errorf("discordtest: %s %s %d: the response breaks Discord's schema: %w", strings.ToUpper(method), pathTemplate, status, err)
	}
	return nil
}
