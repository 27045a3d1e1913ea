package console_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/commands"
	"github.com/trustbot/trustbot/console"
)

func TestParse(t *testing.T) {
	set := commands.New(commands.Services{})
	members := func(name string) (trustbot.Member, bool) {
		if name == "bob" || name == "alice" {
			return trustbot.Member{ID: "dev-" + name, Name: name}, true
		}
		return trustbot.Member{}, false
	}
	for _, tc := range []struct {
		line string
		want string // "cmd sub opt=value …" or "error: substring"
	}{
		{"/trust @bob 50", "trust  amount=50 member=@bob"},
		{"/trust member:@bob amount:50", "trust  amount=50 member=@bob"},
		{"/trust amount:50 @bob", "trust  amount=50 member=@bob"},
		{"/TRUST @bob 12.5 tUSD", "trust  amount=12.5 asset=tUSD member=@bob"},
		{"/wallet link", "wallet link"},
		{"/reserve create backed-by:@alice", "reserve create backed-by=@alice"},
		{`/redeem 10 to:"0xAbC"`, "redeem  amount=10 to=0xAbC"},
		{"/setup #notices", "setup  channel=#notices"},
		{"/setup channel:#trip", "setup  channel=#trip"},
		{"/setup channel", `error: "channel" is not a channel; name one like #trip.`},
		{"/setup #", `error: "#" is not a channel`},
		{"trust @bob 5", "error: Commands start with /"},
		{"/", "error: Commands start with /"},
		{"/frob", "error: There is no command /frob."},
		{"/wallet", "error: /wallet needs one of: link, show, unlink."},
		{"/wallet sing", `error: /wallet has no "sing"`},
		{"/trust @carol 5", `error: "@carol" is not a member here`},
		{"/trust bob 5", `error: "bob" is not a member here`},
		{"/trust @bob 5 tUSD more", `error: Too many values: "more"`},
		{"/trust amount:5 amount:6 @bob", "error: Option amount is given twice."},
		{`/trust "@bob 5`, "error: A quote is not closed."},
	} {
		l, err := console.Parse(set, tc.line, members)
		var got string
		if err != nil {
			got = "error: " + trustbot.ErrorMessage(err)
			if !strings.HasPrefix(tc.want, "error: ") || !strings.Contains(got, strings.TrimPrefix(tc.want, "error: ")) {
				t.Errorf("Parse(%q): got %s, want %s", tc.line, got, tc.want)
			}
			continue
		}
		got = l.Command + " " + l.Subcommand
		var opts []string
		for name, v := range l.Options {
			s := v.String
			if v.Member != nil {
				s = "@" + v.Member.Name
			}
			if v.Channel != "" {
				s = "#" + v.Channel
			}
			opts = append(opts, name+"="+s)
		}
		sort.Strings(opts)
		if len(opts) > 0 {
			got += " " + strings.Join(opts, " ")
		}
		if got != tc.want {
			t.Errorf("Parse(%q): got %q, want %q", tc.line, got, tc.want)
		}
	}
}

// FuzzParse: any line parses into options the command defines, or fails with a sentence.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"/trust @bob 50", "/trust member:@bob amount:50", `/redeem 10 to:"0xAbC"`, "/wallet link",
		"/reserve create backed-by:@alice", `/trust "@bob 5`, "/", "trust", "/trust amount:5 amount:6", "/setup #x", "/reserve ::: ::"} {
		f.Add(s)
	}
	set := commands.New(commands.Services{})
	members := func(name string) (trustbot.Member, bool) {
		return trustbot.Member{ID: "dev-" + name, Name: name}, name == "bob" || name == "alice"
	}
	f.Fuzz(func(t *testing.T, line string) {
		l, err := console.Parse(set, line, members)
		if err != nil {
			if trustbot.ErrorCode(err) != trustbot.EInvalid || trustbot.ErrorMessage(err) == "" {
				t.Fatalf("Parse(%q): error %v, want an invalid-input sentence", line, err)
			}
			return
		}
		def, ok := set.Lookup(l.Command, l.Subcommand)
		if !ok {
			t.Fatalf("Parse(%q) = /%s %s, a command that does not exist", line, l.Command, l.Subcommand)
		}
		for name, v := range l.Options {
			found := false
			for _, o := range def.Options {
				if o.Name == name && o.Type == v.Type {
					found = true
				}
			}
			if !found {
				t.Fatalf("Parse(%q): option %s (type %d) is not defined by /%s", line, name, v.Type, l.Command)
			}
		}
	})
}

// TestHelp: /help lists every command; /help with a command's name shows that command alone,
// with what each option means; an unknown one gets a sentence.
func TestHelp(t *testing.T) {
	set := commands.New(commands.Services{})
	for _, tc := range []struct {
		topic       string
		want, avoid []string
	}{
		{"", []string{"/trust @member amount", "/reserve create", "/approve [N]"}, nil},
		{"trust", []string{"/trust @member amount", "member: whom you trust", "amount: how much"}, []string{"/reserve", "/approve"}},
		{"/reserve", []string{"/reserve create", "/reserve deposit", "/reserve show"}, []string{"/trust"}},
		{"reserve show", []string{"/reserve show"}, []string{"/reserve create"}},
		{"nosuch", []string{"There is no command /nosuch; /help lists them."}, []string{"/trust"}},
	} {
		got := console.Help(set, tc.topic)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("Help(%q): got\n%s\nwant it to contain %q", tc.topic, got, w)
			}
		}
		for _, a := range tc.avoid {
			if strings.Contains(got, a) {
				t.Errorf("Help(%q): got\n%s\nwant no %q", tc.topic, got, a)
			}
		}
	}
}
