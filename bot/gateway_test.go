package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/trustbot/trustbot/bot/discordtest"
)

const ephemeral = 64

// A command that needs no chain is answered at once: type 4, ephemeral.
func TestGatewayWalletShow(t *testing.T) {
	h := newHarness(t)
	h.link(alice, "0x000000000000000000000000000000000000a11c")
	h.gateway(slash("wallet", sub("show")))
	cb := h.onlyCallback()
	if cb.Type != 4 || cb.Data.Flags != ephemeral {
		t.Fatalf("got type %d flags %d, want type 4 flags 64", cb.Type, cb.Data.Flags)
	}
	if want := "<@" + alice.ID + ">'s wallet is 0x000000000000000000000000000000000000a11c"; !strings.Contains(cb.Data.Content, want) {
		t.Fatalf("got content %q, want it to contain %q", cb.Data.Content, want)
	}
	if _, n := h.rpc.firstCall(); n != 0 {
		t.Fatalf("got %d chain RPCs, want none for /wallet show", n)
	}
}

// A user option is resolved to the member Discord resolved, with their global name.
func TestGatewayUserOption(t *testing.T) {
	h := newHarness(t)
	h.gateway(slash("wallet", sub("show", user("member", bob))))
	cb := h.onlyCallback()
	if want := "<@" + bob.ID + "> hasn't linked a wallet yet."; cb.Data.Content != want {
		t.Fatalf("got content %q, want %q", cb.Data.Content, want)
	}
}

// /wallet link answers with the sentence and a link button to the signing server.
func TestGatewayWalletLinkButton(t *testing.T) {
	h := newHarness(t)
	h.gateway(slash("wallet", sub("link")))
	cb := h.onlyCallback()
	if cb.Type != 4 || cb.Data.Flags != ephemeral {
		t.Fatalf("got type %d flags %d, want type 4 flags 64", cb.Type, cb.Data.Flags)
	}
	if len(cb.Data.Components) != 1 || len(cb.Data.Components[0].Components) != 1 {
		t.Fatalf("got components %+v, want one action row with one button", cb.Data.Components)
	}
	btn := cb.Data.Components[0].Components[0]
	if btn.Type != 2 || btn.Style != 5 || !strings.HasPrefix(btn.URL, h.WebURL+"/l/") || btn.Label != "Link your wallet" {
		t.Fatalf("got button %+v, want a link button (style 5) to %s/l/…", btn, h.WebURL)
	}
	if !strings.HasPrefix(cb.Data.Content, "Open the link and sign the message") {
		t.Fatalf("got content %q, want the sentence of what the link does", cb.Data.Content)
	}
}

// The 3-second rule with a chain that never answers: the deferred ephemeral acknowledgement
// reaches Discord before any RPC is made and within 500 ms; the original response is then
// edited to say the chain is unreachable once the handler's deadline (1 s here) passes.
func TestGatewayTrustAcksBeforeChain(t *testing.T) {
	h := newHarness(t)
	h.link(alice, "0x000000000000000000000000000000000000a11c")
	h.link(bob, "0x0000000000000000000000000000000000000b0b")
	h.reserve("0x000000000000000000000000000000000000a11c")
	start := time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.gateway(slash("trust", user("member", bob), str("amount", "50")))
	}()
	acks := h.fake.WaitFor("POST", discordtest.TemplateInteractionCallback, 1, 500*time.Millisecond)
	if d := acks[0].At.Sub(start); d > 500*time.Millisecond {
		t.Fatalf("got the acknowledgement after %s, want it within 500ms", d)
	}
	ack := decode[response](t, acks[0].Body)
	if ack.Type != 5 || ack.Data.Flags != ephemeral {
		t.Fatalf("got type %d flags %d, want type 5 flags 64 (deferred, ephemeral)", ack.Type, ack.Data.Flags)
	}
	edits := h.fake.WaitFor("PATCH", discordtest.TemplateOriginalResponse, 1, 5*time.Second)
	<-done
	first, calls := h.rpc.firstCall()
	if calls == 0 {
		t.Fatalf("got no chain RPC, want /trust to have tried the chain")
	}
	if !acks[0].At.Before(first) {
		t.Fatalf("got the first RPC at %s and the acknowledgement at %s, want the acknowledgement first", first.Format(time.StampMicro), acks[0].At.Format(time.StampMicro))
	}
	e := decode[edit](t, edits[0].Body)
	if want := "The chain is unreachable right now"; !strings.Contains(e.Content, want) {
		t.Fatalf("got edit %q, want it to say %q", e.Content, want)
	}
	if !strings.Contains(edits[0].Path, "/webhooks/"+appID+"/") {
		t.Fatalf("got edit path %s, want the application's webhook", edits[0].Path)
	}
	if n := len(h.callbacks()); n != 1 {
		t.Fatalf("got %d callbacks, want 1", n)
	}
}

// Autocomplete of asset offers the configured symbols that match what was typed.
func TestGatewayAutocomplete(t *testing.T) {
	for _, tc := range []struct {
		typed string
		want  []string
	}{
		{"", []string{"tUSD", "ETH"}},
		{"t", []string{"tUSD", "ETH"}},
		{"e", []string{"ETH"}},
		{"usd", []string{"tUSD"}},
		{"xyz", nil},
	} {
		t.Run(tc.typed, func(t *testing.T) {
			h := newHarness(t)
			h.gateway(discordtest.Autocomplete(appID, guildID, channelID, alice, "reserve",
				sub("deposit", str("amount", "5"), discordtest.Option{Name: "asset", Type: discordtest.OptionString, Value: tc.typed, Focused: true})))
			cb := h.onlyCallback()
			if cb.Type != 8 {
				t.Fatalf("got type %d, want 8 (autocomplete result)", cb.Type)
			}
			var got []string
			for _, c := range cb.Data.Choices {
				got = append(got, c.Value)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("typed %q: got choices %v, want %v", tc.typed, got, tc.want)
			}
		})
	}
}
