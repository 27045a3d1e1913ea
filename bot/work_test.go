package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/trustbot/trustbot/bot"
	"github.com/trustbot/trustbot/bot/discordtest"
)

// oneWorker is a harness whose bot has one worker, where alice has a reserve and /trust @bob
// reaches the node, and its interactions endpoint.
func oneWorker(t *testing.T) (*harness, string) {
	h := newHarness(t, func(c *bot.Config) { c.Workers = 1 })
	h.link(alice, "0x000000000000000000000000000000000000a11c")
	h.link(bob, "0x0000000000000000000000000000000000000b0b")
	h.reserve("0x000000000000000000000000000000000000a11c")
	return h, h.endpoint()
}

// TestWork_NodeWaitsHoldNoTurn: with one worker and a node that never answers, five /trust in
// a row all reach the node at once: a command waiting on the node has given its turn to the
// next. Each is answered that the chain is unreachable.
func TestWork_NodeWaitsHoldNoTurn(t *testing.T) {
	h, url := oneWorker(t)
	for range 5 {
		deferTrust(t, h, url)
	}
	deadline := time.Now().Add(500 * time.Millisecond) // half the harness's 1 s Timeout
	for _, n := h.rpc.firstCall(); n < 5; _, n = h.rpc.firstCall() {
		if time.Now().After(deadline) {
			t.Fatalf("%d of 5 commands reached the node within 500 ms, want all 5: a wait on the node held the one worker", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	for i, e := range h.fake.WaitFor("PATCH", discordtest.TemplateOriginalResponse, 5, 10*time.Second) {
		if got := decode[edit](t, e.Body); !strings.Contains(got.Content, "The chain is unreachable") {
			t.Errorf("edit %d: got %q, want the chain to be unreachable", i+1, got.Content)
		}
	}
}

// TestWork_Busy: a chain command that waits its Timeout for a worker without getting one is
// answered, in words, that the bot has too many commands to run at once and nothing was
// changed; it never ran, so it never reached the node. Once the workers are free, the next is
// run as usual.
func TestWork_Busy(t *testing.T) {
	h, url := oneWorker(t)
	release := h.bot.HoldWork()
	start := time.Now()
	deferTrust(t, h, url)
	edits := h.fake.WaitFor("PATCH", discordtest.TemplateOriginalResponse, 1, 10*time.Second)
	const want = "I have too many commands to run at once to get to /trust; nothing was changed. Try again in a minute."
	if got := decode[edit](t, edits[0].Body); got.Content != want {
		t.Fatalf("got %q, want %q", got.Content, want)
	}
	if waited := time.Since(start); waited < 900*time.Millisecond {
		t.Fatalf("answered busy after %v, want after the 1 s Timeout", waited)
	}
	if _, n := h.rpc.firstCall(); n != 0 {
		t.Fatalf("%d RPCs reached the node, want none: the command must not have run", n)
	}
	if reqs := h.fake.Find("POST", discordtest.TemplateInteractionCallback); len(reqs) != 0 {
		t.Fatalf("the fake got %d callbacks over REST, want none (HTTP interactions answer in the response body)", len(reqs))
	}

	release()
	deferTrust(t, h, url)
	edits = h.fake.WaitFor("PATCH", discordtest.TemplateOriginalResponse, 2, 10*time.Second)
	if got := decode[edit](t, edits[1].Body); !strings.Contains(got.Content, "The chain is unreachable") {
		t.Fatalf("after the workers are free: got %q, want the command run (the chain is unreachable)", got.Content)
	}
	if _, n := h.rpc.firstCall(); n == 0 {
		t.Fatal("after the workers are free the command never reached the node")
	}
}
