package discordtest

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"regexp"
	"strings"
)

// Discord's OpenAPI description is generated from its request models and
// leaves out several rules its API enforces (and documents on
// discord.com/developers/docs). The schema is used as is; the rules below are
// checked in addition, never instead.

// commandName is Discord's documented pattern for CHAT_INPUT command and
// option names; letters with a lowercase variant must be lowercase.
var commandName = regexp.MustCompile(`^[-_'\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

func isCommandTemplate(t string) bool {
	return strings.HasPrefix(t, "/applications/{application_id}/") && strings.Contains(t, "/commands")
}

// coerceStringInts converts the string-encoded permission bit set of
// application commands into a number before schema validation. Discord
// documents default_member_permissions as a string ("32"), accepts it as
// one, and discordgo sends it as one (`json:",string"`); the generated
// schema types it integer. Only a string of decimal digits is converted, so
// anything else still fails the integer schema.
func coerceStringInts(t string, v any) {
	if !isCommandTemplate(t) {
		return
	}
	fix := func(o any) {
		m, ok := o.(map[string]any)
		if !ok {
			return
		}
		s, ok := m["default_member_permissions"].(string)
		if !ok || s == "" || strings.Trim(s, "0123456789") != "" {
			return
		}
		n, ok := new(big.Int).SetString(s, 10)
		if !ok {
			return
		}
		// jsonschema.UnmarshalJSON represents numbers as json.Number.
		m["default_member_permissions"] = json.Number(n.String())
	}
	if a, ok := v.([]any); ok {
		for _, o := range a {
			fix(o)
		}
		return
	}
	fix(v)
}

// checkRules returns the documented Discord rules body breaks. A PATCH is a
// partial update: absent fields are not required.
func checkRules(method, t string, body any) []string {
	partial := strings.EqualFold(method, "PATCH")
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if isCommandTemplate(t) && !strings.HasSuffix(t, "/permissions") {
		cmds, ok := body.([]any)
		if !ok {
			cmds = []any{body}
		}
		names := map[string]bool{}
		for i, c := range cmds {
			m, ok := c.(map[string]any)
			if !ok {
				continue
			}
			where := fmt.Sprintf("command[%d]", i)
			typ := 1.0
			if v, ok := m["type"].(float64); ok {
				typ = v
			}
			name, _ := m["name"].(string)
			key := fmt.Sprintf("%v/%s", typ, name)
			if names[key] && len(cmds) > 1 {
				add("%s: duplicate command name %q", where, name)
			}
			names[key] = true
			if typ == 1 {
				if _, has := m["name"]; has || !partial {
					checkName(where, name, add)
				}
				if _, has := m["description"]; has || !partial {
					checkDescription(where, m, add)
				}
			}
			checkOptions(where, m["options"], add)
		}
	}
	walkComponents(body, "", add)
	return out
}

func checkName(where, name string, add func(string, ...any)) {
	if !commandName.MatchString(name) {
		add("%s: name %q must match %s", where, name, commandName)
	} else if strings.ToLower(name) != name {
		add("%s: name %q must be lowercase", where, name)
	}
}

func checkDescription(where string, m map[string]any, add func(string, ...any)) {
	d, _ := m["description"].(string)
	if n := len([]rune(d)); n < 1 || n > 100 {
		add("%s: description must be 1-100 characters, got %d", where, n)
	}
}

func checkOptions(where string, v any, add func(string, ...any)) {
	opts, _ := v.([]any)
	seenOptional, sub, nonSub := false, 0, 0
	names := map[string]bool{}
	for i, o := range opts {
		m, ok := o.(map[string]any)
		if !ok {
			continue
		}
		w := fmt.Sprintf("%s.options[%d]", where, i)
		name, _ := m["name"].(string)
		checkName(w, name, add)
		checkDescription(w, m, add)
		if names[name] {
			add("%s: duplicate option name %q", w, name)
		}
		names[name] = true
		typ, _ := m["type"].(float64)
		if typ == 1 || typ == 2 {
			sub++
			checkOptions(w, m["options"], add)
			continue
		}
		nonSub++
		req, _ := m["required"].(bool)
		if req && seenOptional {
			add("%s: required option %q after an optional one", w, name)
		}
		if !req {
			seenOptional = true
		}
		if ac, _ := m["autocomplete"].(bool); ac {
			if ch, _ := m["choices"].([]any); len(ch) > 0 {
				add("%s: autocomplete may not be combined with choices", w)
			}
			if typ != 3 && typ != 4 && typ != 10 {
				add("%s: autocomplete is only for string, integer and number options", w)
			}
		}
	}
	if sub > 0 && nonSub > 0 {
		add("%s: subcommands may not be mixed with other options", where)
	}
}

// walkComponents checks every button found under a "components" array or a
// section "accessory".
func walkComponents(v any, parentKey string, add func(string, ...any)) {
	switch x := v.(type) {
	case map[string]any:
		if parentKey == "components" || parentKey == "accessory" {
			if t, _ := x["type"].(float64); t == 2 {
				checkButton(x, add)
			}
		}
		for k, c := range x {
			walkComponents(c, k, add)
		}
	case []any:
		for _, c := range x {
			walkComponents(c, parentKey, add)
		}
	}
}

func checkButton(b map[string]any, add func(string, ...any)) {
	style, _ := b["style"].(float64)
	label, _ := b["label"].(string)
	u, _ := b["url"].(string)
	cid, _ := b["custom_id"].(string)
	sku, _ := b["sku_id"].(string)
	switch style {
	case 5:
		if u == "" {
			add("link button %q: url is required", label)
		} else if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https" && p.Scheme != "discord") {
			add("link button %q: url %q must be http, https or discord", label, u)
		}
		if cid != "" {
			add("link button %q: custom_id is not allowed", label)
		}
	case 6:
		if sku == "" {
			add("premium button: sku_id is required")
		}
	case 1, 2, 3, 4:
		if cid == "" {
			add("button %q (style %v): custom_id is required", label, style)
		}
		if u != "" {
			add("button %q (style %v): url is only for link buttons", label, style)
		}
	}
}
