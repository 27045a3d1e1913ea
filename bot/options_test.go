package bot_test

import (
	"strings"
	"testing"

	"github.com/trustbot/trustbot/bot/discordtest"
)

// Malformed interactions are answered with a sentence, ephemeral, and never panic: the
// interaction is decoded by discordgo as the gateway does, then handled.
func TestMalformedOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		body []byte
		want string
	}{
		{"integer where text is due", slash("trust", user("member", bob), discordtest.Option{Name: "amount", Type: discordtest.OptionInteger, Value: 50}),
			"Option amount of /trust takes text."},
		{"number in a string option", slash("trust", user("member", bob), discordtest.Option{Name: "amount", Type: discordtest.OptionString, Value: 50}),
			"Option amount of /trust came without a value I can read"},
		{"string option without a value", slash("trust", user("member", bob), discordtest.Option{Name: "amount", Type: discordtest.OptionString}),
			"Option amount of /trust came without a value I can read"},
		{"user option with a number", slash("trust", discordtest.Option{Name: "member", Type: discordtest.OptionUser, Value: 12345}, str("amount", "5")),
			"Option member of /trust came without a value I can read"},
		{"user option without a value", slash("trust", discordtest.Option{Name: "member", Type: discordtest.OptionUser}, str("amount", "5")),
			"Option member of /trust came without a value I can read"},
		{"text where a member is due", slash("trust", str("member", "bob"), str("amount", "5")),
			"Option member of /trust takes a member."},
		{"boolean option", slash("pending", discordtest.Option{Name: "cancel", Type: discordtest.OptionBoolean, Value: true}),
			"Option cancel of /pending takes text."},
		{"object value", slash("pending", discordtest.Option{Name: "cancel", Type: discordtest.OptionString, Value: map[string]any{"n": 1}}),
			"Option cancel of /pending came without a value I can read"},
		{"channel option with a number", slash("setup", discordtest.Option{Name: "channel", Type: discordtest.OptionChannel, Value: 7}),
			"Option channel of /setup came without a value I can read"},
		{"unknown subcommand", slash("wallet", sub("frobnicate")), "There is no command /wallet frobnicate."},
		{"missing subcommand", slash("wallet"), "There is no command /wallet."},
		{"subcommand group", slash("wallet", discordtest.Option{Name: "x", Type: discordtest.OptionSubCommandGroup, Options: []discordtest.Option{sub("y")}}),
			"There is no command /wallet x y."},
		{"empty subcommand group", slash("wallet", discordtest.Option{Name: "x", Type: discordtest.OptionSubCommandGroup}),
			"/wallet x needs a subcommand."},
		{"subcommand among options", slash("wallet", sub("show"), sub("link")),
			"/wallet was sent with a subcommand among its options"},
		{"unknown command", slash("frobnicate"), "There is no command /frobnicate."},
		{"unknown option", slash("pending", str("colour", "red")), `/pending has no option "colour".`},
		{"option twice", slash("pending", str("cancel", "1"), str("cancel", "2")), "Option cancel of /pending was given twice."},
		{"required option missing", slash("trust", user("member", bob)), "/trust needs amount"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.gateway(tc.body)
			// Options are checked before any acknowledgement: the sentence comes at once.
			cb := h.onlyCallback()
			got := cb.Data.Content
			if cb.Type != 4 || cb.Data.Flags != ephemeral {
				t.Fatalf("got type %d flags %d, want type 4 with flags 64", cb.Type, cb.Data.Flags)
			}
			if !strings.Contains(got, tc.want) {
				t.Fatalf("got %q, want it to contain %q", got, tc.want)
			}
			if _, n := h.rpc.firstCall(); n != 0 {
				t.Fatalf("got %d chain RPCs, want none for a malformed request", n)
			}
		})
	}
}

// The DM form of an interaction (User instead of Member) reads the invoker from User.
func TestInvokerFromUser(t *testing.T) {
	h := newHarness(t)
	body := slash("wallet", sub("show"))
	body = []byte(strings.Replace(string(body), `"member":`, `"user":{"id":"`+bob.ID+`","username":"bob"},"ignored":`, 1))
	h.gateway(body)
	cb := h.onlyCallback()
	if want := "You haven't linked a wallet yet — run /wallet link."; cb.Data.Content != want {
		t.Fatalf("got %q, want %q", cb.Data.Content, want)
	}
}
