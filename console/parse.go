// Package console is the playground's terminal adapter: lines typed (or piped) are the same slash
// commands as in Discord, with dev members instead of Discord users.
package console

import (
	"fmt"
	"strings"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/commands"
)

// Line is a parsed input line: a command, an optional subcommand and its options.
type Line struct {
	Command    string
	Subcommand string
	Options    map[string]commands.Value
}

// tokenize splits a line into words; "double quotes" keep spaces together.
func tokenize(s string) ([]string, error) {
	var out []string
	var b strings.Builder
	inQuote, have := false, false
	for _, r := range s {
		switch {
		case r == '"':
			inQuote = !inQuote
			have = true
		case (r == ' ' || r == '\t') && !inQuote:
			if have {
				out = append(out, b.String())
				b.Reset()
				have = false
			}
		default:
			b.WriteRune(r)
			have = true
		}
	}
	if inQuote {
		return nil, trustbot.Errorf(trustbot.EInvalid, "A quote is not closed.")
	}
	if have {
		out = append(out, b.String())
	}
	return out, nil
}

// Parse reads "/trust @bob 50" or "/trust member:@bob amount:50" against the command set.
// Positional words fill the options in their defined order; name:value sets one by name.
// members resolves "@name" to a member.
func Parse(set *commands.Set, text string, members func(name string) (trustbot.Member, bool)) (*Line, error) {
	words, err := tokenize(strings.TrimSpace(text))
	if err != nil {
		return nil, err
	}
	if len(words) == 0 || !strings.HasPrefix(words[0], "/") || len(words[0]) < 2 {
		return nil, trustbot.Errorf(trustbot.EInvalid, "Commands start with /, like /trust @bob 50. Type /help for the list.")
	}
	l := &Line{Command: strings.ToLower(words[0][1:]), Options: map[string]commands.Value{}}
	words = words[1:]
	def, ok := set.Lookup(l.Command, "")
	if !ok {
		return nil, trustbot.Errorf(trustbot.EInvalid, "There is no command /%s. Type /help for the list.", l.Command)
	}
	if len(def.Subcommands) > 0 {
		var names []string
		for _, s := range def.Subcommands {
			names = append(names, s.Name)
		}
		if len(words) == 0 {
			return nil, trustbot.Errorf(trustbot.EInvalid, "/%s needs one of: %s.", l.Command, strings.Join(names, ", "))
		}
		l.Subcommand = strings.ToLower(words[0])
		words = words[1:]
		if def, ok = set.Lookup(l.Command, l.Subcommand); !ok {
			return nil, trustbot.Errorf(trustbot.EInvalid, "/%s has no %q; it has: %s.", l.Command, l.Subcommand, strings.Join(names, ", "))
		}
	}
	byName := map[string]commands.OptionDef{}
	for _, o := range def.Options {
		byName[o.Name] = o
	}
	next := 0 // next option to fill positionally
	for _, w := range words {
		var o commands.OptionDef
		var raw string
		if name, val, found := strings.Cut(w, ":"); found && byName[strings.ToLower(name)].Name != "" {
			o, raw = byName[strings.ToLower(name)], val
		} else {
			for next < len(def.Options) {
				if _, set := l.Options[def.Options[next].Name]; !set {
					break
				}
				next++
			}
			if next >= len(def.Options) {
				return nil, trustbot.Errorf(trustbot.EInvalid, "Too many values: %q is one more than /%s takes.", w, fullName(l))
			}
			o, raw = def.Options[next], w
		}
		if _, dup := l.Options[o.Name]; dup {
			return nil, trustbot.Errorf(trustbot.EInvalid, "Option %s is given twice.", o.Name)
		}
		v, err := value(o, raw, members)
		if err != nil {
			return nil, err
		}
		l.Options[o.Name] = v
	}
	return l, nil
}

func value(o commands.OptionDef, raw string, members func(string) (trustbot.Member, bool)) (commands.Value, error) {
	switch o.Type {
	case commands.User:
		name := strings.TrimPrefix(raw, "@")
		m, ok := members(strings.ToLower(name))
		if !ok || !strings.HasPrefix(raw, "@") {
			return commands.Value{}, trustbot.Errorf(trustbot.EInvalid, "%q is not a member here; name one like @bob.", raw)
		}
		return commands.Value{Type: commands.User, Member: &m}, nil
	case commands.Channel:
		// A channel is named with #, as a member is with @: a bare word is refused rather than
		// taken for a channel of that name.
		name := strings.TrimPrefix(raw, "#")
		if !strings.HasPrefix(raw, "#") || name == "" {
			return commands.Value{}, trustbot.Errorf(trustbot.EInvalid, "%q is not a channel; name one like #trip.", raw)
		}
		return commands.Value{Type: commands.Channel, Channel: name}, nil
	default:
		return commands.Value{Type: commands.String, String: raw}, nil
	}
}

func fullName(l *Line) string {
	if l.Subcommand != "" {
		return l.Command + " " + l.Subcommand
	}
	return l.Command
}

// Help lists the commands with their options, for /help; with a topic ("trust", "reserve"), only
// the commands it names, each option with its description.
func Help(set *commands.Set, topic string) string {
	topic = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(topic), "/"))
	var b strings.Builder
	if topic == "" {
		b.WriteString("Commands (options by position or name:value; members as @name, channels as #name):\n")
	}
	found := false
	write := func(name string, d commands.Definition) {
		if topic != "" && name != topic && !strings.HasPrefix(name, topic+" ") {
			return
		}
		found = true
		var opts []string
		for _, o := range d.Options {
			name := o.Name
			switch o.Type {
			case commands.User:
				name = "@" + name
			case commands.Channel:
				name = "#" + name
			}
			if !o.Required {
				name = "[" + name + "]"
			}
			opts = append(opts, name)
		}
		fmt.Fprintf(&b, "  /%s %s — %s\n", name, strings.Join(opts, " "), d.Description)
		if topic == "" {
			return
		}
		for _, o := range d.Options {
			fmt.Fprintf(&b, "      %s: %s\n", o.Name, o.Description)
		}
	}
	for _, d := range set.Definitions() {
		if len(d.Subcommands) == 0 {
			write(d.Name, d)
		}
		for _, s := range d.Subcommands {
			write(d.Name+" "+s.Name, s)
		}
	}
	if topic != "" {
		if !found {
			return fmt.Sprintf("There is no command /%s; /help lists them.", topic)
		}
		return strings.TrimRight(b.String(), "\n")
	}
	b.WriteString("Playground:\n  /as NAME — act as another member\n  /approve [N] — sign your latest link, or request N of /pending, with your dev key\n  /help [command], /quit")
	return b.String()
}
