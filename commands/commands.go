// Package commands holds trustbot's slash commands, independent of any chat platform: their
// definitions (name, description, typed options) and handlers that take a neutral Request and
// return a neutral Reply. Adapters (bot/ for Discord, console/ for the playground) turn their
// platform's input into Requests and Replies into their platform's output.
package commands

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/trustbot/trustbot"
)

// OptionType is the kind of value an option takes.
type OptionType int

const (
	// String options carry amounts, addresses and free text.
	String OptionType = iota + 1
	// User options name a member of the guild.
	User
	// Channel options name a channel.
	Channel
)

// OptionDef describes one option of a command.
type OptionDef struct {
	Name        string
	Description string
	Type        OptionType
	Required    bool
	// Choices, when set, are the only values accepted (String options).
	Choices []string
	// Autocomplete asks the adapter to offer values as the user types (assets, issuers).
	Autocomplete bool
}

// Definition describes a command or a subcommand.
type Definition struct {
	Name        string
	Description string
	Options     []OptionDef
	Subcommands []Definition
	// ManageServer restricts the command to members who can manage the server.
	ManageServer bool
	// Chain is true when the handler reads the chain: adapters acknowledge first, answer later.
	Chain   bool
	handler func(*handlers, context.Context, *Request) (*Reply, error)
}

// Value is an option's value as the user gave it.
type Value struct {
	Type    OptionType
	String  string
	Member  *trustbot.Member
	Channel string
}

// Request is one invocation of a command.
type Request struct {
	// InteractionID identifies the delivery: the same id twice acts once.
	InteractionID string
	GuildID       string
	ChannelID     string
	User          trustbot.Member
	// Token lets the adapter edit its reply later (Discord's interaction token); may be empty.
	Token string
	// Command and Subcommand name what was invoked ("wallet", "link").
	Command    string
	Subcommand string
	Options    map[string]Value
}

// Option returns a string option's text, trimmed, or "".
func (r *Request) Option(name string) string {
	return strings.TrimSpace(r.Options[name].String)
}

// MemberOption returns a user option's member, or nil.
func (r *Request) MemberOption(name string) *trustbot.Member {
	return r.Options[name].Member
}

// Link is a button or URL that goes with a reply: a signing link.
type Link struct {
	URL   string
	Label string
}

// Attachment is a file that goes with a reply.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// Reply is what a command answers.
type Reply struct {
	Text string
	// Private replies are seen only by the invoker (Discord: ephemeral).
	Private bool
	Link    *Link
	Files   []Attachment
	// RequestID is the signing request the reply's link belongs to, if any.
	RequestID string
}

// Set is the bot's command set: definitions and the services their handlers use.
type Set struct {
	defs  []Definition
	byID  map[string]*Definition
	log   *slog.Logger
	store Store
	h     *handlers
}

// Definitions lists the commands in name order, as they are registered with a platform.
func (s *Set) Definitions() []Definition {
	out := append([]Definition(nil), s.defs...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup returns the definition a request invokes (the subcommand's, if it has one).
func (s *Set) Lookup(command, sub string) (*Definition, bool) {
	key := command
	if sub != "" {
		key += " " + sub
	}
	d, ok := s.byID[key]
	return d, ok
}

func (s *Set) add(d Definition) {
	s.defs = append(s.defs, d)
	s.byID = map[string]*Definition{}
	for i := range s.defs {
		def := &s.defs[i]
		s.byID[def.Name] = def
		for j := range def.Subcommands {
			s.byID[def.Name+" "+def.Subcommands[j].Name] = &def.Subcommands[j]
		}
	}
}

// errUnknown answers a command the set does not have.
func errUnknown(r *Request) error {
	name := "/" + r.Command
	if r.Subcommand != "" {
		name += " " + r.Subcommand
	}
	return trustbot.Errorf(trustbot.EInvalid, "There is no command %s. Try /help.", name)
}

// validate checks a request's options against the definition before any handler runs.
func (d *Definition) validate(r *Request) error {
	known := map[string]OptionDef{}
	for _, o := range d.Options {
		known[o.Name] = o
	}
	for name, v := range r.Options {
		o, ok := known[name]
		if !ok {
			return trustbot.Errorf(trustbot.EInvalid, "/%s has no option %q.", fullName(r), name)
		}
		if v.Type != o.Type {
			return trustbot.Errorf(trustbot.EInvalid, "Option %s of /%s takes %s.", name, fullName(r), typeWord(o.Type))
		}
		if o.Type == User && v.Member == nil {
			return trustbot.Errorf(trustbot.EInvalid, "Option %s of /%s must name a member, like @bob.", name, fullName(r))
		}
		if len(o.Choices) > 0 && !contains(o.Choices, v.String) {
			return trustbot.Errorf(trustbot.EInvalid, "Option %s of /%s is one of: %s.", name, fullName(r), strings.Join(o.Choices, ", "))
		}
	}
	for _, o := range d.Options {
		if _, ok := r.Options[o.Name]; o.Required && !ok {
			return trustbot.Errorf(trustbot.EInvalid, "/%s needs %s (%s).", fullName(r), o.Name, o.Description)
		}
	}
	return nil
}

func fullName(r *Request) string {
	if r.Subcommand != "" {
		return r.Command + " " + r.Subcommand
	}
	return r.Command
}

func typeWord(t OptionType) string {
	switch t {
	case User:
		return "a member"
	case Channel:
		return "a channel"
	default:
		return "text"
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// article is "an" before a symbol read with a vowel sound ("an ETH reserve", "an ALICE-tUSD
// reserve"), else "a" ("a tUSD reserve").
func article(symbol string) string {
	if symbol != "" && strings.ContainsRune("AEIOaeio", rune(symbol[0])) {
		return "an"
	}
	return "a"
}

// plural writes "1 holder" / "2 holders".
func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
