package bot_test

// End-to-end tests of notice delivery with real parts: the harness's SQLite store filled with
// real typed events, the real index.Outbox composing with the real commands.Set.Notice (as
// cmd/trustbot's app does), and the real bot.Bot posting to the fake Discord.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/bot"
	"github.com/trustbot/trustbot/bot/discordtest"
	"github.com/trustbot/trustbot/chain/devchain"
	"github.com/trustbot/trustbot/index"
	"github.com/trustbot/trustbot/store"
)

const (
	outboxChanA  = "1300000000000000031"
	outboxChanB  = "1300000000000000032"
	outboxExplor = "https://explorer.example"
)

var (
	outboxAlice   = common.HexToAddress("0xa11ce00000000000000000000000000000000001")
	outboxBob     = common.HexToAddress("0xb0b0000000000000000000000000000000000002")
	outboxReserve = common.HexToAddress("0x00000000000000000000000000000000000000c1")
)

// outboxClock is the outbox's fake clock; tests move it.
type outboxClock struct {
	mu  sync.Mutex
	now time.Time
}

// newOutboxClock starts at the present, to the store's millisecond.
func newOutboxClock() *outboxClock {
	return &outboxClock{now: time.Now().UTC().Truncate(time.Millisecond)}
}

func (c *outboxClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *outboxClock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// outboxTx is a transaction the bot asked for, with the channel its notice goes to.
type outboxTx struct {
	hash    common.Hash
	channel string
}

// withExplorer makes the bot link every notice to its transaction, which names the message's
// transaction in its content.
func withExplorer(c *bot.Config) { c.ExplorerURL = outboxExplor }

// fillOutbox puts one notice per channel given into the harness's store, in chain order: for
// each, a signing request run in that channel, its transaction reported, and, in one chunk with
// alice's tUSD reserve, the transaction's events (a trust of bob: a Transfer mint and Trusted),
// one block each. Alice and bob have linked wallets, so the sentences name them.
func fillOutbox(t *testing.T, h *harness, channels ...string) []outboxTx {
	t.Helper()
	ctx := context.Background()
	h.link(alice, outboxAlice.Hex())
	h.link(bob, outboxBob.Hex())
	var (
		out    []outboxTx
		events []trustbot.Event
		cursor trustbot.Block
	)
	for i, ch := range channels {
		hash := crypto.Keccak256Hash([]byte(fmt.Sprintf("outbox e2e tx %d", i)))
		amount := big.NewInt(int64(i+1) * 1_000_000)
		req, err := h.db.CreateRequest(ctx, trustbot.SigningRequest{
			ID: fmt.Sprintf("outbox-e2e-request-%04d", i), GuildID: guildID, ChannelID: ch, UserID: alice.ID,
			Signer: outboxAlice, ChainID: devchain.ChainID, Kind: "trust", Summary: fmt.Sprintf("alice extends bob a budget of %d tUSD.", i+1),
			Calls:     []trustbot.Call{{To: outboxReserve, Data: []byte{0x01, byte(i)}, Value: new(big.Int)}},
			ExpiresAt: time.Now().Add(time.Hour),
		})
		if err != nil {
			t.Fatalf("CreateRequest: %v", err)
		}
		if _, err := h.db.RecordTx(ctx, req.ID, 0, hash); err != nil {
			t.Fatalf("RecordTx: %v", err)
		}
		cursor = trustbot.Block{Number: uint64(i + 2), Hash: crypto.Keccak256Hash([]byte(fmt.Sprintf("outbox e2e block %d", i+2)))}
		events = append(events,
			trustbot.Event{Block: cursor, LogIndex: 0, TxHash: hash, Address: outboxReserve,
				Data: &trustbot.Transfer{From: common.Address{}, To: outboxBob, Amount: amount}},
			trustbot.Event{Block: cursor, LogIndex: 1, TxHash: hash, Address: outboxReserve,
				Data: &trustbot.Trusted{Holder: outboxBob, Amount: amount}})
		out = append(out, outboxTx{hash: hash, channel: ch})
	}
	if _, err := h.db.ApplyChunk(ctx, store.Chunk{Cursor: cursor, Events: events, Reserves: []trustbot.Reserve{{
		Address: outboxReserve, Issuer: outboxAlice, ChainID: devchain.ChainID, CreatedBlock: 1,
		Name: "alice tUSD", Symbol: "atUSD", Decimals: tusd.Decimals, Asset: tusd,
	}}}); err != nil {
		t.Fatalf("ApplyChunk: %v", err)
	}
	if got := pendingCount(t, h); got != len(channels) {
		t.Fatalf("got %d pending notices after indexing, want %d", got, len(channels))
	}
	return out
}

// newDeliveryOutbox is the outbox of the harness's store composing as cmd/trustbot's app does
// and delivering to n, on clock clk, logging to logs.
func newDeliveryOutbox(h *harness, n trustbot.Notifier, clk *outboxClock, logs io.Writer) *index.Outbox {
	compose := func(ctx context.Context, p store.OutboxNotice) (trustbot.Notice, error) {
		return h.set.Notice(ctx, p.Events, p.Request, p.Channel)
	}
	return index.NewOutbox(h.db, compose, n, index.OutboxOptions{Now: clk.Now, Logger: slog.New(slog.NewTextHandler(logs, nil))})
}

func pendingNotices(t *testing.T, h *harness) []store.OutboxNotice {
	t.Helper()
	ns, err := h.db.PendingNotices(context.Background(), 1000)
	if err != nil {
		t.Fatalf("PendingNotices: %v", err)
	}
	return ns
}

func pendingCount(t *testing.T, h *harness) int { return len(pendingNotices(t, h)) }

// messageTx is the transaction a notice message names (by its explorer link), or "".
func messageTx(m map[string]any) string {
	content, _ := m["content"].(string)
	i := strings.Index(content, outboxExplor+"/tx/")
	if i < 0 {
		return ""
	}
	rest := content[i+len(outboxExplor+"/tx/"):]
	if j := strings.IndexByte(rest, '>'); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// channelTxs lists the transactions of the messages a channel shows, in order.
func channelTxs(h *harness, ch string) []string {
	var out []string
	for _, m := range h.fake.Messages(ch) {
		out = append(out, messageTx(m))
	}
	return out
}

// wantArrivedOnce checks that every channel shows exactly the notices of want meant for it, once
// each, in chain order, each with the sentence of a trust.
func wantArrivedOnce(t *testing.T, h *harness, want []outboxTx) {
	t.Helper()
	order := map[string][]string{}
	var chans []string
	for _, x := range want {
		if _, ok := order[x.channel]; !ok {
			chans = append(chans, x.channel)
		}
		order[x.channel] = append(order[x.channel], x.hash.Hex())
	}
	for _, ch := range chans {
		if got := channelTxs(h, ch); fmt.Sprint(got) != fmt.Sprint(order[ch]) {
			t.Errorf("channel %s: got messages of %v, want each of %v once, in chain order", ch, got, order[ch])
		}
		for _, m := range h.fake.Messages(ch) {
			content, _ := m["content"].(string)
			// Bob's budget in the store is the one after every trust indexed so far: the first
			// trust reads as one, the later ones as additions to it.
			first := strings.HasPrefix(content, "<@"+alice.ID+"> extended <@"+bob.ID+"> a budget of ")
			added := strings.HasPrefix(content, "<@"+alice.ID+"> added ") && strings.Contains(content, " tUSD to <@"+bob.ID+">'s budget (now ")
			if !first && !added {
				t.Errorf("channel %s: got message %q, want the sentence of alice's trust of bob", ch, content)
			}
		}
	}
}

// outboxSchedule is the outbox's documented retry schedule for a notice that keeps failing, one
// pass a second: the offsets of its attempts from the first, up to limit (1 s doubling to 5 min).
func outboxSchedule(limit time.Duration) []time.Duration {
	var at []time.Duration
	wait := time.Second
	for d := time.Duration(0); d <= limit; d += wait {
		at = append(at, d)
		if len(at) > 1 {
			wait = min(wait*2, 5*time.Minute)
		}
	}
	return at
}

// TestOutboxDiscordDownTwoMinutes: Discord answers 503 to every channel message for two minutes
// of the outbox's time while the outbox passes every second. Nothing is shown meanwhile; once
// Discord is back, every notice arrives exactly once in its channel, in chain order per
// channel, at the first retry after the outage, and the outbox is empty.
func TestOutboxDiscordDownTwoMinutes(t *testing.T) {
	h := newHarness(t, withExplorer)
	txs := fillOutbox(t, h, outboxChanA, outboxChanB, outboxChanA, outboxChanB, outboxChanA, outboxChanB)
	const down = 2 * time.Minute

	// Each channel's first notice is tried at the schedule's passes; the notices after it wait
	// (chain order). Each try is FollowupAttempts requests (the bot retries a 503 inside
	// Notice). Script exactly the 503s of the tries that fall in the outage, so the route is back
	// to normal when the fake clock passes two minutes.
	var tries, back int
	for _, at := range outboxSchedule(down + 5*time.Minute) {
		if at < down {
			tries++
		} else if back == 0 {
			back = int(at / time.Second)
		}
	}
	const channels = 2
	outage := tries * channels * bot.FollowupAttempts
	h.fake.Script("POST", discordtest.TemplateChannelMessages, discordtest.Fault{Status: http.StatusServiceUnavailable, Times: outage})

	clk := newOutboxClock()
	start := clk.Now()
	logs := &logBuffer{}
	ob := newDeliveryOutbox(h, h.bot, clk, logs)
	ctx := context.Background()
	deliveredAt := time.Duration(-1)
	for clk.Now().Sub(start) <= down+5*time.Minute {
		if err := ob.Deliver(ctx); err != nil {
			t.Fatalf("Deliver at +%v: got %v, want nil (only a store failure is Deliver's error)", clk.Now().Sub(start), err)
		}
		if el := clk.Now().Sub(start); el < down {
			if got := len(h.fake.Messages(outboxChanA)) + len(h.fake.Messages(outboxChanB)); got != 0 {
				t.Fatalf("at +%v, while Discord answers 503: got %d messages shown, want 0", el, got)
			}
		}
		if pendingCount(t, h) == 0 {
			deliveredAt = clk.Now().Sub(start)
			break
		}
		clk.add(time.Second)
	}
	if want := time.Duration(back) * time.Second; deliveredAt != want {
		t.Errorf("got the outbox empty at +%v, want +%v (the first retry after a %v outage; -1s: never)", deliveredAt, want, down)
	}
	wantArrivedOnce(t, h, txs)
	if got, want := len(h.fake.Find("POST", discordtest.TemplateChannelMessages)), outage+len(txs); got != want {
		t.Errorf("got %d POSTs of channel messages, want %d (%d answered 503 in the outage, one per notice after)", got, want, outage)
	}
	if left := pendingNotices(t, h); len(left) != 0 {
		t.Errorf("got %d notices still pending, want none", len(left))
	}
	if got, want := strings.Count(logs.String(), "notice not delivered; retrying"), tries*channels; got != want {
		t.Errorf("got %d failed deliveries logged, want %d (%d tries of each channel's first notice)", got, want, tries)
	}

	// Further passes send nothing again.
	before := len(h.fake.Requests())
	clk.add(10 * time.Minute)
	if err := ob.Deliver(ctx); err != nil {
		t.Fatalf("Deliver: got %v, want nil", err)
	}
	if got := len(h.fake.Requests()); got != before {
		t.Errorf("got %d requests after a pass over an empty outbox, want %d", got, before)
	}
}

// killingNotifier delivers through the real bot, then cancels the pass's context, as if the
// process died between Discord storing the message and the outbox marking it delivered.
type killingNotifier struct {
	*bot.Bot
	kill context.CancelFunc
}

func (k killingNotifier) Notice(ctx context.Context, n trustbot.Notice) error {
	err := k.Bot.Notice(ctx, n)
	k.kill()
	return err
}

// TestOutboxRedeliversLostAnswer: Discord stored a notice's message but the outbox never learnt
// it was delivered; the next pass delivers the notice again with the same nonce (enforced), and
// the channel still holds exactly one message.
func TestOutboxRedeliversLostAnswer(t *testing.T) {
	nonces := func(t *testing.T, h *harness) []any {
		var out []any
		for _, r := range h.fake.Find("POST", discordtest.TemplateChannelMessages) {
			m := r.Map()
			if m["enforce_nonce"] != true {
				t.Errorf("got enforce_nonce %v in POST %s, want true", m["enforce_nonce"], r.Path)
			}
			out = append(out, m["nonce"])
		}
		return out
	}
	wantSame := func(t *testing.T, ns []any, want int) {
		t.Helper()
		if len(ns) != want {
			t.Fatalf("got %d POSTs of the notice, want %d", len(ns), want)
		}
		for _, n := range ns {
			if n == nil || n != ns[0] {
				t.Fatalf("got nonces %v, want one nonce for every delivery of the notice", ns)
			}
		}
	}

	t.Run("502 after storing, every attempt", func(t *testing.T) {
		h := newHarness(t, withExplorer)
		txs := fillOutbox(t, h, outboxChanA)
		h.fake.Script("POST", discordtest.TemplateChannelMessages,
			discordtest.Fault{Status: http.StatusBadGateway, After: true, Times: bot.FollowupAttempts})
		clk := newOutboxClock()
		ob := newDeliveryOutbox(h, h.bot, clk, io.Discard)
		ctx := context.Background()

		if err := ob.Deliver(ctx); err != nil {
			t.Fatalf("Deliver: got %v, want nil", err)
		}
		if got := len(h.fake.Messages(outboxChanA)); got != 1 {
			t.Fatalf("got %d messages after the lost answers, want 1 (Discord stored it)", got)
		}
		p := pendingNotices(t, h)
		if len(p) != 1 || p[0].Attempts != 1 || !p[0].NextAttempt.Equal(clk.Now().Add(time.Second)) {
			t.Fatalf("got pending %+v, want the notice kept with 1 attempt, retried in 1s", p)
		}

		clk.add(time.Second)
		if err := ob.Deliver(ctx); err != nil {
			t.Fatalf("Deliver: got %v, want nil", err)
		}
		wantSame(t, nonces(t, h), bot.FollowupAttempts+1)
		wantArrivedOnce(t, h, txs)
		if got := pendingCount(t, h); got != 0 {
			t.Fatalf("got %d pending after the redelivery, want 0", got)
		}
	})

	t.Run("killed before marking, restarted", func(t *testing.T) {
		h := newHarness(t, withExplorer)
		txs := fillOutbox(t, h, outboxChanA, outboxChanA)
		clk := newOutboxClock()
		ctx, kill := context.WithCancel(context.Background())
		defer kill()
		first := newDeliveryOutbox(h, killingNotifier{h.bot, kill}, clk, io.Discard)
		if err := first.Deliver(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("Deliver killed after the POST: got %v, want context.Canceled (marking failed)", err)
		}
		if got := channelTxs(h, outboxChanA); len(got) != 1 || got[0] != txs[0].hash.Hex() {
			t.Fatalf("got messages of %v after the kill, want only the first notice's %s", got, txs[0].hash.Hex())
		}
		p := pendingNotices(t, h)
		if len(p) != 2 || p[0].TxHash != txs[0].hash || p[0].Attempts != 0 {
			t.Fatalf("got pending %d notices (first %+v), want both, the first unmarked", len(p), p)
		}

		// The restart: a new bot and a new outbox over the same store and Discord.
		b := bot.New(bot.Config{AppID: appID, GuildID: guildID, PublicKey: h.pub, Assets: []string{"tUSD", "ETH"},
			Timeout: time.Second, Now: h.clock, ExplorerURL: outboxExplor}, h.set, h.fake.Session(), slog.New(slog.DiscardHandler))
		t.Cleanup(b.Close)
		clk.add(time.Second)
		second := newDeliveryOutbox(h, b, clk, io.Discard)
		if err := second.Deliver(context.Background()); err != nil {
			t.Fatalf("Deliver after the restart: got %v, want nil", err)
		}
		posts := h.fake.Find("POST", discordtest.TemplateChannelMessages)
		if len(posts) != 3 {
			t.Fatalf("got %d POSTs, want 3 (the first notice twice, the second once)", len(posts))
		}
		if a, b := posts[0].Map()["nonce"], posts[1].Map()["nonce"]; a == nil || a != b {
			t.Fatalf("got nonces %v and %v for the first notice's deliveries, want the same", a, b)
		}
		if a, b := posts[0].Map()["nonce"], posts[2].Map()["nonce"]; a == b {
			t.Fatalf("got nonce %v for both notices, want one per notice", a)
		}
		wantArrivedOnce(t, h, txs)
		if got := pendingCount(t, h); got != 0 {
			t.Fatalf("got %d pending after the redelivery, want 0", got)
		}
		if err := second.Deliver(context.Background()); err != nil {
			t.Fatalf("Deliver: got %v, want nil", err)
		}
		if got := len(h.fake.Find("POST", discordtest.TemplateChannelMessages)); got != 3 {
			t.Fatalf("got %d POSTs after another pass, want still 3", got)
		}
	})
}

// TestOutboxDropsRefusedChannel: Discord refuses a channel for good (404 Unknown Channel, 403
// Missing Access). Its notices leave the outbox after one pass, each tried once, and the notice
// of another channel between them is delivered in that same pass: nothing is held back, and no
// later pass retries.
func TestOutboxDropsRefusedChannel(t *testing.T) {
	for _, status := range []int{http.StatusNotFound, http.StatusForbidden} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			h := newHarness(t, withExplorer)
			txs := fillOutbox(t, h, outboxChanA, outboxChanB, outboxChanA)
			// Requests on the route come in chain order: A refused, B served, A refused.
			h.fake.Script("POST", discordtest.TemplateChannelMessages,
				discordtest.Fault{Status: status}, discordtest.Fault{}, discordtest.Fault{Status: status})
			clk := newOutboxClock()
			logs := &logBuffer{}
			ob := newDeliveryOutbox(h, h.bot, clk, logs)

			if err := ob.Deliver(context.Background()); err != nil {
				t.Fatalf("Deliver: got %v, want nil", err)
			}
			var paths []string
			for _, r := range h.fake.Find("POST", discordtest.TemplateChannelMessages) {
				paths = append(paths, r.Path)
			}
			want := []string{"/channels/" + outboxChanA + "/", "/channels/" + outboxChanB + "/", "/channels/" + outboxChanA + "/"}
			ok := len(paths) == len(want)
			for i := range want {
				ok = ok && strings.Contains(paths[i], want[i])
			}
			if !ok {
				t.Fatalf("got POSTs %v, want one each to channels A, B, A (chain order, no retry of a %d)", paths, status)
			}
			if got := channelTxs(h, outboxChanA); len(got) != 0 {
				t.Errorf("got messages %v in the refused channel, want none", got)
			}
			wantArrivedOnce(t, h, txs[1:2])
			if left := pendingNotices(t, h); len(left) != 0 {
				var hs []string
				for _, n := range left {
					hs = append(hs, n.TxHash.Hex())
				}
				t.Fatalf("got %v still pending after one pass, want none (refused ones dropped, the other delivered)", hs)
			}
			if got := strings.Count(logs.String(), "notice refused for good"); got != 2 {
				t.Errorf("got %d notices logged as refused for good, want 2\n%s", got, logs.String())
			}

			clk.add(10 * time.Minute)
			before := len(h.fake.Requests())
			if err := ob.Deliver(context.Background()); err != nil {
				t.Fatalf("Deliver: got %v, want nil", err)
			}
			if got := len(h.fake.Requests()); got != before {
				t.Errorf("got %d requests after another pass, want %d: a dropped notice is not retried", got, before)
			}
		})
	}
}
