package commands_test

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/commands"
	"github.com/trustbot/trustbot/commands/commandstest"
)

// The handlers' story. Alice's tUSD reserve holds 300 tUSD; she trusts Bob with 100 (he holds
// 40) and Dave with 30 (he holds 10), and Erin, who never linked a wallet, was sent 5. Bob's
// reserve is a layer over Alice's: it holds 20 ALICE-tUSD, trusts Carol with 50 (she holds 10)
// and Dave with 20 (he holds 4). Carol has an ETH reserve of 2 ETH that trusts nobody.
var (
	usdTok = trustbot.Token{Address: common.HexToAddress("0x00000000000000000000000000000000000075d0"), Symbol: "tUSD", Decimals: 6}
	ethTok = chain.NativeToken()

	aliceW, bobW, carolW, daveW, erinW = at(0xa1), at(0xb0), at(0xca), at(0xda), at(0xe0)
	aliceRes, bobRes, carolRes         = at(0x1a), at(0x1b), at(0x1c)
	newRes                             = at(0x1d) // where the next reserve will be
	payee                              = at(0xf0)

	noticeNow = time.Date(2026, 1, 2, 16, 0, 0, 0, time.UTC)
)

func at(n int64) common.Address { return common.BigToAddress(big.NewInt(n)) }

// u is whole tUSD (6 decimals); eth whole ETH (18).
func u(v int64) *big.Int { return new(big.Int).Mul(big.NewInt(v), big.NewInt(1_000_000)) }
func eth(v int64) *big.Int {
	return new(big.Int).Mul(big.NewInt(v), new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil))
}

func storyWeb() *commandstest.WebBuilder {
	return commandstest.NewWeb().Block(100).
		Member("alice", aliceW).Member("bob", bobW).Member("carol", carolW).Member("dave", daveW).
		Reserve(aliceRes, aliceW, usdTok, "ALICE-tUSD", u(300)).
		Account(aliceRes, bobW, u(40), u(100)).
		Account(aliceRes, daveW, u(10), u(30)).
		Account(aliceRes, erinW, u(5), nil).
		Layer(bobRes, bobW, aliceRes, "BOB-ALICE-tUSD", u(20)).
		Account(bobRes, carolW, u(10), u(50)).
		Account(bobRes, daveW, u(4), u(20)).
		Reserve(carolRes, carolW, ethTok, "CAROL-ETH", eth(2))
}

func user(id string) trustbot.Member { return trustbot.Member{ID: id, Name: id} }
func member(id string) commands.Value {
	m := user(id)
	return commands.Value{Type: commands.User, Member: &m}
}
func str(s string) commands.Value { return commands.Value{Type: commands.String, String: s} }
func opts(kv ...any) map[string]commands.Value {
	out := map[string]commands.Value{}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1].(commands.Value)
	}
	return out
}

// env is a command set over fakes.
type env struct {
	store  *commandstest.Store
	chain  *commandstest.Chain
	links  *commandstest.Links
	render *commandstest.Renderer
	logs   bytes.Buffer
}

func newEnv(w trustbot.Web) *env {
	return &env{store: commandstest.StoreOf(w), chain: commandstest.ChainOf(w), links: commandstest.NewLinks()}
}

func (e *env) set() *commands.Set {
	s := commands.Services{Store: e.store, Chain: e.chain, Links: e.links,
		Assets: []trustbot.Token{usdTok, ethTok}, Log: slog.New(slog.NewTextHandler(&e.logs, nil)),
		Now: func() time.Time { return noticeNow }}
	if e.render != nil {
		s.Render = e.render
	}
	return commands.New(s)
}

func unreachable() error {
	return fmt.Errorf("chain: live figures: %w: %w",
		trustbot.Errorf(trustbot.EUnavailable, "The chain is unreachable right now; nothing was changed. Try again in a moment."),
		errors.New("dial tcp 127.0.0.1:8545: connect: connection refused"))
}

func revert(name string, args ...any) func(context.Context, common.Address, []trustbot.Call) error {
	return func(context.Context, common.Address, []trustbot.Call) error {
		return &chain.RevertError{Index: 0, Name: name, Args: args, Reason: "execution reverted"}
	}
}

// refusesPayee simulates a token that refuses transfers to payee (as USDC refuses a blacklisted
// address): the reserve's payout reverts with TransferFailed, the token's own transfer to payee
// with its reason, and any other call succeeds. With the zero address, every redemption's
// payout fails and the token's own transfers succeed: something else refuses.
func refusesPayee(payee common.Address) func(context.Context, common.Address, []trustbot.Call) error {
	return func(_ context.Context, _ common.Address, calls []trustbot.Call) error {
		for _, c := range calls {
			d, err := chain.DecodeCall(c)
			if err != nil {
				continue
			}
			var to common.Address
			for _, a := range d.Args {
				if a.Name == "to" {
					to = common.HexToAddress(a.Value)
				}
			}
			switch {
			case d.Method == "redeem" && payee == (common.Address{}):
				return &chain.RevertError{Index: 0, Name: "TransferFailed", Reason: "execution reverted"}
			case to != payee:
			case d.Method == "redeem":
				return &chain.RevertError{Index: 0, Name: "TransferFailed", Reason: "execution reverted"}
			case d.Method == "transfer":
				return &chain.RevertError{Index: 0, Name: "Error", Args: []any{"Blacklistable: account is blacklisted"}, Reason: "execution reverted"}
			}
		}
		return nil
	}
}

type handlerCase struct {
	name    string
	web     *commandstest.WebBuilder // nil: the story
	setup   func(e *env)
	user    string
	command string
	sub     string
	options map[string]commands.Value
	guild   string // "": g-1; "-": none (a direct message)
	// interaction is the request's InteractionID ("": none, so Store.MarkInteraction is not asked).
	interaction string

	text    string
	public  bool // the reply is seen by everyone (most are private)
	calls   []trustbot.Call
	signer  common.Address
	kind    string
	summary string
	names   string // the signing page's labels and units (see describeNames), when set
	// Store.Web, Chain.Live and Chain.Simulate calls.
	webReads, live, simulate int
	logs                     string // logged, when set; else nothing is
	check                    func(t *testing.T, e *env, reply *commands.Reply)
}

func runHandlerCases(t *testing.T, cases []handlerCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := tc.web
			if w == nil {
				w = storyWeb()
			}
			e := newEnv(w.Build())
			if tc.setup != nil {
				tc.setup(e)
			}
			guild := tc.guild
			switch guild {
			case "":
				guild = "g-1"
			case "-":
				guild = ""
			}
			req := &commands.Request{InteractionID: tc.interaction, GuildID: guild, ChannelID: "c-1", User: user(tc.user), Token: "tok-1",
				Command: tc.command, Subcommand: tc.sub, Options: tc.options}
			reply := e.set().Handle(context.Background(), req)
			if reply.Text != tc.text {
				t.Errorf("reply:\n%s\nwant:\n%s", reply.Text, tc.text)
			}
			if reply.Private != !tc.public {
				t.Errorf("private %v, want %v", reply.Private, !tc.public)
			}
			checkSigning(t, e, reply, tc)
			for _, c := range []struct {
				what      string
				got, want int
			}{
				{"Store.Web", e.store.Calls("Web"), tc.webReads},
				{"Chain.Live", e.chain.Calls("Live"), tc.live},
				{"Chain.Simulate", e.chain.Calls("Simulate"), tc.simulate},
			} {
				if c.got != c.want {
					t.Errorf("%d %s calls, want %d", c.got, c.what, c.want)
				}
			}
			if tc.logs == "" && e.logs.Len() > 0 {
				t.Errorf("logged %q, want nothing", e.logs.String())
			}
			if tc.logs != "" && !strings.Contains(e.logs.String(), tc.logs) {
				t.Errorf("logged %q, want %q", e.logs.String(), tc.logs)
			}
			if tc.check != nil {
				tc.check(t, e, reply)
			}
		})
	}
}

// checkSigning: a case with calls made exactly one signing link of them, after simulating
// exactly them; a case without made none.
func checkSigning(t *testing.T, e *env, reply *commands.Reply, tc handlerCase) {
	t.Helper()
	made := e.links.Made()
	if tc.calls == nil {
		if len(made) > 0 || reply.Link != nil && reply.Link.Label != "Link your wallet" || reply.RequestID != "" {
			t.Errorf("made a signing link (%+v, reply link %+v), want none", made, reply.Link)
		}
		return
	}
	if len(made) != 1 {
		t.Fatalf("%d signing links made, want 1", len(made))
	}
	in := made[0]
	if reply.Link == nil || reply.Link.URL != commandstest.SignURL("req-1") || reply.Link.Label != "Sign with your wallet" || reply.RequestID != "req-1" {
		t.Errorf("reply link %+v (request %q), want the signing link of req-1", reply.Link, reply.RequestID)
	}
	if in.Signer != tc.signer || in.Kind != tc.kind || in.UserID != tc.user || in.GuildID != "g-1" || in.ChannelID != "c-1" || in.InteractionToken != "tok-1" {
		t.Errorf("signing input %s/%s for %s in %s/%s (token %q), want %s/%s for %s in g-1/c-1 (tok-1)",
			in.Signer.Hex(), in.Kind, in.UserID, in.GuildID, in.ChannelID, in.InteractionToken, tc.signer.Hex(), tc.kind, tc.user)
	}
	if tc.summary != "" && in.Summary != tc.summary {
		t.Errorf("summary %q, want %q", in.Summary, tc.summary)
	}
	if got := describeNames(in); tc.names != "" && got != tc.names {
		t.Errorf("page names %q, want %q", got, tc.names)
	}
	if !sameCalls(in.Calls, tc.calls) {
		t.Errorf("signing calls:\n%s\nwant:\n%s", describeCalls(in.Calls), describeCalls(tc.calls))
	}
	sims := e.chain.Simulated()
	if len(sims) != 1 || sims[0].From != tc.signer || !sameCalls(sims[0].Calls, tc.calls) {
		t.Errorf("simulated %+v, want the signing calls from %s", sims, tc.signer.Hex())
	}
}

// describeNames writes a request's labels, in order of the text, and its units' symbols ("-"
// for none): "@bob, your ALICE-tUSD reserve | tUSD".
func describeNames(r trustbot.SigningRequest) string {
	var labels, units []string
	for _, l := range r.Labels {
		labels = append(labels, l)
	}
	slices.Sort(labels)
	for _, u := range r.Units {
		units = append(units, cmp.Or(u.Symbol, "-"))
	}
	return strings.Join(labels, ", ") + " | " + strings.Join(units, ", ")
}

func sameCalls(a, b []trustbot.Call) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].To != b[i].To || !bytes.Equal(a[i].Data, b[i].Data) || trustbot.OrZero(a[i].Value).Cmp(trustbot.OrZero(b[i].Value)) != 0 {
			return false
		}
	}
	return true
}

func describeCalls(calls []trustbot.Call) string {
	var lines []string
	for _, c := range calls {
		d, err := chain.DecodeCall(c)
		if err != nil {
			lines = append(lines, fmt.Sprintf("  %s: %v", c.To.Hex(), err))
			continue
		}
		lines = append(lines, fmt.Sprintf("  %s: %s", c.To.Hex(), d))
	}
	return strings.Join(lines, "\n")
}

func calls(c ...trustbot.Call) []trustbot.Call { return c }

const (
	notLinkedSelf = "You haven't linked a wallet yet — run /wallet link first."
	erinNotLinked = "<@erin> hasn't linked a wallet yet — they can run /wallet link."
	chainDown     = "The chain is unreachable right now; nothing was changed. Try again in a moment."
	capped        = " Each mint is capped at the amount shown, so nobody gets more if balances move meanwhile."
)

func TestWalletCommands(t *testing.T) {
	siwe := storyWeb().Link(trustbot.WalletLink{UserID: "bob", Address: bobW, ChainID: commandstest.ChainID, Method: "siwe",
		ProvenAt: time.Date(2026, 3, 4, 5, 6, 0, 0, time.FixedZone("CET", 3600))})
	runHandlerCases(t, []handlerCase{
		{name: "link, replacing a wallet", user: "alice", command: "wallet", sub: "link",
			text: "Open the link and sign the message with your wallet to link it to your account. Signing costs nothing and moves no money; the link works once and expires in 10 minutes. Your current wallet " + aliceW.Hex() + " will be replaced.",
			check: func(t *testing.T, e *env, r *commands.Reply) {
				if r.Link == nil || r.Link.URL != commandstest.WalletURL("alice") || r.Link.Label != "Link your wallet" {
					t.Errorf("link %+v, want alice's wallet link", r.Link)
				}
			}},
		{name: "link, first wallet", user: "erin", command: "wallet", sub: "link",
			text: "Open the link and sign the message with your wallet to link it to your account. Signing costs nothing and moves no money; the link works once and expires in 10 minutes.",
			check: func(t *testing.T, e *env, r *commands.Reply) {
				if r.Link == nil || r.Link.URL != commandstest.WalletURL("erin") {
					t.Errorf("link %+v, want erin's wallet link", r.Link)
				}
			}},
		{name: "show mine", user: "alice", command: "wallet", sub: "show",
			text: "<@alice>'s wallet is " + aliceW.Hex() + " (linked 2026-01-02 15:04 UTC, a playground dev key)."},
		{name: "show a member's, signed in with Ethereum", web: siwe, user: "alice", command: "wallet", sub: "show", options: opts("member", member("bob")),
			text: "<@bob>'s wallet is " + bobW.Hex() + " (linked 2026-03-04 04:06 UTC, signed in with Ethereum)."},
		{name: "show an unlinked member's", user: "alice", command: "wallet", sub: "show", options: opts("member", member("erin")),
			text: "<@erin> hasn't linked a wallet yet."},
		{name: "show mine, unlinked", user: "erin", command: "wallet", sub: "show",
			text: "You haven't linked a wallet yet — run /wallet link."},
		{name: "unlink", user: "bob", command: "wallet", sub: "unlink",
			setup: func(e *env) {
				e.store.UnlinkWalletFn = func(_ context.Context, userID string) error {
					if userID != "bob" {
						return fmt.Errorf("unlinked %s", userID)
					}
					return nil
				}
			},
			text: "Your wallet " + bobW.Hex() + " is no longer linked. Your tokens and reserve stay on chain; link a wallet again to act on them.",
			check: func(t *testing.T, e *env, _ *commands.Reply) {
				if e.store.Calls("UnlinkWallet") != 1 {
					t.Errorf("%d unlinks, want 1", e.store.Calls("UnlinkWallet"))
				}
			}},
		{name: "unlink, none linked", user: "erin", command: "wallet", sub: "unlink",
			text: "You have no linked wallet to unlink."},
	})
}

func TestReserveCommands(t *testing.T) {
	predict := func(e *env) {
		e.chain.PredictFn = func(_ context.Context, issuer, asset common.Address) (common.Address, error) {
			return newRes, nil
		}
	}
	holdsAllowing := func(v, allowed *big.Int) func(e *env) {
		return func(e *env) {
			e.chain.BalanceOfFn = func(context.Context, common.Address, common.Address) (*big.Int, error) { return v, nil }
			e.chain.AllowanceFn = func(context.Context, common.Address, common.Address, common.Address) (*big.Int, error) {
				return allowed, nil
			}
		}
	}
	holds := func(v *big.Int) func(e *env) { return holdsAllowing(v, new(big.Int)) }
	aliceShow := "<@alice>'s tUSD reserve (ALICE-tUSD, " + aliceRes.Hex() + "): 300 tUSD backing, 75 outstanding, coverage 400%." +
		"\n• <@bob>: budget 100, holds 40\n• <@dave>: budget 30, holds 10\n• 0x0000…00E0: budget 0, holds 5\n• <@bob>'s reserve: budget 0, holds 20"
	runHandlerCases(t, []handlerCase{
		{name: "create", user: "dave", command: "reserve", sub: "create", setup: predict,
			text:   "Sign to create your tUSD reserve at " + newRes.Hex() + ". Its trust token is DAVE-tUSD; then add backing with /reserve deposit.",
			calls:  calls(chain.CreateReserve(commandstest.Factory, usdTok.Address, "dave's trust (tUSD)", "DAVE-tUSD")),
			signer: daveW, kind: "create", summary: "Create your tUSD reserve; its trust token is DAVE-tUSD.",
			webReads: 1, live: 1, simulate: 1},
		{name: "create of ETH", user: "dave", command: "reserve", sub: "create", options: opts("asset", str("eth")), setup: predict,
			text:   "Sign to create your ETH reserve at " + newRes.Hex() + ". Its trust token is DAVE-ETH; then add backing with /reserve deposit.",
			calls:  calls(chain.CreateReserve(commandstest.Factory, common.Address{}, "dave's trust (ETH)", "DAVE-ETH")),
			signer: daveW, kind: "create", webReads: 1, live: 1, simulate: 1},
		{name: "create backed by alice", user: "dave", command: "reserve", sub: "create", options: opts("backed-by", member("alice")), setup: predict,
			text:   "Sign to create your ALICE-tUSD reserve, backed by alice's trust token at " + newRes.Hex() + ". Its trust token is DAVE-ALICE-tUSD; then add backing with /reserve deposit.",
			calls:  calls(chain.CreateReserve(commandstest.Factory, aliceRes, "dave's trust (ALICE-tUSD)", "DAVE-ALICE-tUSD")),
			signer: daveW, kind: "create", summary: "Create your ALICE-tUSD reserve, backed by @alice's trust token; its trust token is DAVE-ALICE-tUSD.", names: "@alice's ALICE-tUSD reserve, the reserve factory | -",
			webReads: 1, live: 1, simulate: 1},
		{name: "create backed by bob, whose only reserve is a layer", user: "dave", command: "reserve", sub: "create", options: opts("backed-by", member("bob")), setup: predict,
			text:   "Sign to create your BOB-ALICE-tUSD reserve, backed by bob's trust token at " + newRes.Hex() + ". Its trust token is DAVE-BOB-ALICE-tUSD; then add backing with /reserve deposit.",
			calls:  calls(chain.CreateReserve(commandstest.Factory, bobRes, "dave's trust (BOB-ALICE-tUSD)", "DAVE-BOB-ALICE-tUSD")),
			signer: daveW, kind: "create", webReads: 1, live: 1, simulate: 1},
		{name: "create backed by a member with no reserve", user: "dave", command: "reserve", sub: "create", options: opts("backed-by", member("carol")),
			text: "<@carol> has no tUSD reserve, so there is no trust token of theirs to back yours with.", webReads: 1, live: 1},
		{name: "create backed by an unlinked member", user: "dave", command: "reserve", sub: "create", options: opts("backed-by", member("erin")),
			text: erinNotLinked},
		{name: "create backed by myself", user: "dave", command: "reserve", sub: "create", options: opts("backed-by", member("dave")),
			text: "A reserve cannot be backed by your own trust token."},
		{name: "create, already have one", user: "alice", command: "reserve", sub: "create",
			text: "You already have a tUSD reserve at " + aliceRes.Hex() + " (300 tUSD backing, 75 outstanding, coverage 400%).", webReads: 1, live: 1},
		{name: "create of an unknown asset", user: "dave", command: "reserve", sub: "create", options: opts("asset", str("DOGE")),
			text: `"DOGE" is not an asset I know; try one of tUSD, ETH, or a token address.`},
		{name: "create, no wallet", user: "erin", command: "reserve", sub: "create", text: notLinkedSelf},

		{name: "deposit an ERC-20: approve, then deposit", user: "alice", command: "reserve", sub: "deposit", options: opts("amount", str("50")), setup: holds(u(1000)),
			text:  "Sign to deposit 50 tUSD into your reserve (backing 300 → 350, coverage 466%). Your wallet will ask twice: first to let the reserve take the tokens, then to deposit them.",
			calls: chain.Deposit(aliceRes, usdTok, u(50)), signer: aliceW, kind: "deposit", summary: "Deposit 50 tUSD into your reserve.", names: "the tUSD token, your ALICE-tUSD reserve | tUSD, tUSD",
			webReads: 1, live: 1, simulate: 1},
		{name: "deposit after a leftover allowance: set it to 0 first", user: "alice", command: "reserve", sub: "deposit", options: opts("amount", str("50")), setup: holdsAllowing(u(1000), u(7)),
			text: "Sign to deposit 50 tUSD into your reserve (backing 300 → 350, coverage 466%). Your wallet will ask three times: first to set the 7 tUSD the reserve may still take from you to 0" +
				" (tokens like USDT refuse to change one allowance into another), then to let it take the tokens, then to deposit them.",
			calls:  append(calls(chain.Approve(usdTok.Address, aliceRes, new(big.Int))), chain.Deposit(aliceRes, usdTok, u(50))...),
			signer: aliceW, kind: "deposit", webReads: 1, live: 1, simulate: 1},
		{name: "deposit of exactly the allowance left: no approve", user: "alice", command: "reserve", sub: "deposit", options: opts("amount", str("50")), setup: holdsAllowing(u(1000), u(50)),
			text:   "Sign to deposit 50 tUSD into your reserve (backing 300 → 350, coverage 466%).",
			calls:  chain.Deposit(aliceRes, usdTok, u(50))[1:],
			signer: aliceW, kind: "deposit", webReads: 1, live: 1, simulate: 1},
		{name: "deposit from a wallet the token refuses", user: "alice", command: "reserve", sub: "deposit", options: opts("amount", str("50")),
			setup: func(e *env) { holds(u(1000))(e); e.chain.SimulateFn = revert("TransferFailed") },
			text:  "tUSD refuses transfers from your wallet. Nothing was sent.", webReads: 1, live: 1, simulate: 3},
		{name: "deposit the native coin: one call with value", user: "carol", command: "reserve", sub: "deposit", options: opts("amount", str("1"), "asset", str("ETH")), setup: holds(eth(5)),
			text:  "Sign to deposit 1 ETH into your reserve (backing 2 → 3, nothing outstanding).",
			calls: calls(trustbot.Call{To: carolRes, Data: chain.Deposit(carolRes, ethTok, eth(1))[0].Data, Value: eth(1)}), signer: carolW, kind: "deposit",
			webReads: 1, live: 1, simulate: 1},
		{name: "deposit into a layer: its backing is alice's token", user: "bob", command: "reserve", sub: "deposit", options: opts("amount", str("10")), setup: holds(u(40)),
			text:   "Sign to deposit 10 ALICE-tUSD into your reserve (backing 20 → 30, coverage 214%). Your wallet will ask twice: first to let the reserve take the tokens, then to deposit them.",
			calls:  calls(chain.Approve(aliceRes, bobRes, u(10)), trustbot.Call{To: bobRes, Data: chain.Deposit(bobRes, trustbot.Token{Address: aliceRes}, u(10))[1].Data}),
			signer: bobW, kind: "deposit", webReads: 1, live: 1, simulate: 1},
		{name: "deposit over the wallet's balance", user: "alice", command: "reserve", sub: "deposit", options: opts("amount", str("50")), setup: holds(u(20)),
			text: "Your wallet holds 20 tUSD; you can deposit at most 20.", webReads: 1, live: 1},
		{name: "deposit a bad amount", user: "alice", command: "reserve", sub: "deposit", options: opts("amount", str("ten")),
			text: `"ten" is not an amount: write a plain decimal number like 50 or 12.5.`, webReads: 1, live: 1},
		{name: "deposit from an empty wallet", user: "alice", command: "reserve", sub: "deposit", options: opts("amount", str("5")), setup: holds(new(big.Int)),
			text: "Your wallet holds no tUSD to deposit.", webReads: 1, live: 1},
		{name: "deposit with no reserve", user: "dave", command: "reserve", sub: "deposit", options: opts("amount", str("5")),
			text: "You have no tUSD reserve yet — run /reserve create first.", webReads: 1, live: 1},

		{name: "withdraw", user: "alice", command: "reserve", sub: "withdraw", options: opts("amount", str("100")),
			text:  "Sign to withdraw 100 tUSD from your reserve to your wallet (backing 300 → 200, coverage 266%).",
			calls: calls(chain.Withdraw(aliceRes, u(100), aliceW)), signer: aliceW, kind: "withdraw", summary: "Withdraw 100 tUSD from your reserve to your wallet.",
			webReads: 1, live: 1, simulate: 1},
		{name: "withdraw everything: who could not redeem", user: "alice", command: "reserve", sub: "withdraw", options: opts("amount", str("300")),
			text: "Sign to withdraw 300 tUSD from your reserve to your wallet (backing 300 → 0, coverage 0%)." +
				" After this withdrawal your reserve holds 0 tUSD against 75 outstanding: <@bob> (40), <@dave> (10), 0x0000…00E0 (5), <@bob>'s reserve (20) could not redeem.",
			calls: calls(chain.Withdraw(aliceRes, u(300), aliceW)), signer: aliceW, kind: "withdraw", webReads: 1, live: 1, simulate: 1},
		{name: "withdraw below outstanding", user: "alice", command: "reserve", sub: "withdraw", options: opts("amount", str("250")),
			text: "Sign to withdraw 250 tUSD from your reserve to your wallet (backing 300 → 50, coverage 66%)." +
				" After this withdrawal your reserve holds 50 tUSD against 75 outstanding: <@bob> (40), <@dave> (10), 0x0000…00E0 (5), <@bob>'s reserve (20) could redeem only 50 of it between them.",
			calls: calls(chain.Withdraw(aliceRes, u(250), aliceW)), signer: aliceW, kind: "withdraw", webReads: 1, live: 1, simulate: 1},
		{name: "withdraw below outstanding, one holder", web: commandstest.NewWeb().Block(100).Member("alice", aliceW).Member("bob", bobW).
			Reserve(aliceRes, aliceW, usdTok, "ALICE-tUSD", u(300)).Account(aliceRes, bobW, u(100), u(100)),
			user: "alice", command: "reserve", sub: "withdraw", options: opts("amount", str("300")),
			text: "Sign to withdraw 300 tUSD from your reserve to your wallet (backing 300 → 0, coverage 0%)." +
				" After this withdrawal your reserve holds 0 tUSD against 100 outstanding: <@bob> (100) could not redeem.",
			calls: calls(chain.Withdraw(aliceRes, u(300), aliceW)), signer: aliceW, kind: "withdraw", webReads: 1, live: 1, simulate: 1},
		{name: "withdraw from an empty reserve", user: "carol", command: "reserve", sub: "withdraw", options: opts("amount", str("1"), "asset", str("ETH")),
			web:  storyWeb().Backing(carolRes, new(big.Int)),
			text: "Your reserve holds no ETH: there is nothing to withdraw.", webReads: 1, live: 1},
		{name: "create, already have an ETH one", user: "carol", command: "reserve", sub: "create", options: opts("asset", str("ETH")),
			text: "You already have an ETH reserve at " + carolRes.Hex() + " (2 ETH backing, nothing outstanding).", webReads: 1, live: 1},
		{name: "withdraw over the backing", user: "alice", command: "reserve", sub: "withdraw", options: opts("amount", str("300.000001")),
			text: "Your reserve holds 300 tUSD; you can withdraw at most 300.", webReads: 1, live: 1},
		{name: "withdraw, backing read live", user: "alice", command: "reserve", sub: "withdraw", options: opts("amount", str("260")),
			setup: func(e *env) {
				e.chain.LiveFn = func(context.Context, []common.Address) (chain.Live, error) {
					return chain.Live{Head: 101, Backing: map[common.Address]*big.Int{aliceRes: u(250)}}, nil
				}
			},
			text: "Your reserve holds 250 tUSD; you can withdraw at most 250.", webReads: 1, live: 1},

		{name: "show mine", user: "alice", command: "reserve", sub: "show", text: aliceShow, webReads: 1, live: 1},
		{name: "show a layer, by its asset's address", user: "alice", command: "reserve", sub: "show", options: opts("member", member("bob"), "asset", str(aliceRes.Hex())),
			text:     "<@bob>'s ALICE-tUSD reserve (BOB-ALICE-tUSD, " + bobRes.Hex() + "): 20 ALICE-tUSD backing, 14 outstanding, coverage 142%.\n• <@carol>: budget 50, holds 10\n• <@dave>: budget 20, holds 4",
			webReads: 1, live: 1},
		{name: "show a layer, default asset", user: "alice", command: "reserve", sub: "show", options: opts("member", member("bob")),
			text:     "<@bob>'s ALICE-tUSD reserve (BOB-ALICE-tUSD, " + bobRes.Hex() + "): 20 ALICE-tUSD backing, 14 outstanding, coverage 142%.\n• <@carol>: budget 50, holds 10\n• <@dave>: budget 20, holds 4",
			webReads: 1, live: 1},
		{name: "show a member with no reserve", user: "alice", command: "reserve", sub: "show", options: opts("member", member("dave")),
			text: "<@dave> has no tUSD reserve.", webReads: 1, live: 1},
		{name: "show a layer's owner, asset named", user: "alice", command: "reserve", sub: "show", options: opts("member", member("bob"), "asset", str("tUSD")),
			text: "<@bob> has no tUSD reserve.", webReads: 1, live: 1},
		{name: "show one nobody holds", user: "alice", command: "reserve", sub: "show", options: opts("member", member("carol"), "asset", str("ETH")),
			text:     "<@carol>'s ETH reserve (CAROL-ETH, " + carolRes.Hex() + "): 2 ETH backing, nothing outstanding.\nNo one holds or has been trusted with its tokens yet.",
			webReads: 1, live: 1},
		{name: "show an unlinked member's", user: "alice", command: "reserve", sub: "show", options: opts("member", member("erin")), text: erinNotLinked},
		{name: "show, chain unreachable", user: "alice", command: "reserve", sub: "show",
			setup: func(e *env) {
				e.chain.LiveFn = func(context.Context, []common.Address) (chain.Live, error) { return chain.Live{}, unreachable() }
			},
			text: chainDown, logs: "command could not reach the chain", webReads: 1, live: 1},
	})
}

func TestTrustReupRevoke(t *testing.T) {
	fullBob := storyWeb().Account(aliceRes, bobW, u(100), u(100))
	runHandlerCases(t, []handlerCase{
		{name: "trust a new member", user: "alice", command: "trust", options: opts("member", member("carol"), "amount", str("25")),
			text:  "Sign to extend <@carol> a budget of 25 tUSD (your reserve: 300 tUSD backing, 75 outstanding → 100, coverage 300%).",
			calls: calls(chain.Trust(aliceRes, carolW, u(25))), signer: aliceW, kind: "trust", summary: "Trust @carol with 25 tUSD.", names: "@carol, your ALICE-tUSD reserve | tUSD",
			webReads: 1, live: 1, simulate: 1},
		{name: "trust more to a trusted member", user: "alice", command: "trust", options: opts("member", member("bob"), "amount", str("5")),
			text:  "Sign to add 5 tUSD to <@bob>'s budget: 100 → 105 (your reserve: 300 tUSD backing, 75 outstanding → 80, coverage 375%).",
			calls: calls(chain.Trust(aliceRes, bobW, u(5))), signer: aliceW, kind: "trust", summary: "Add 5 tUSD to @bob's budget.",
			webReads: 1, live: 1, simulate: 1},
		{name: "trust myself", user: "alice", command: "trust", options: opts("member", member("alice"), "amount", str("5")),
			text: "You can't trust yourself: your reserve is already yours to withdraw."},
		{name: "trust an unlinked member", user: "alice", command: "trust", options: opts("member", member("erin"), "amount", str("5")),
			text: erinNotLinked, webReads: 1, live: 1},
		{name: "trust a bad amount", user: "alice", command: "trust", options: opts("member", member("carol"), "amount", str("12.1234567")),
			text: `tUSD has 6 decimals: "12.1234567" has too many digits after the point.`, webReads: 1, live: 1},
		{name: "trust zero", user: "alice", command: "trust", options: opts("member", member("carol"), "amount", str("0")),
			text: "The amount must be more than zero.", webReads: 1, live: 1},
		{name: "trust with no reserve", user: "dave", command: "trust", options: opts("member", member("carol"), "amount", str("5")),
			text: "You have no tUSD reserve yet — run /reserve create first.", webReads: 1, live: 1},
		{name: "trust, chain unreachable", user: "alice", command: "trust", options: opts("member", member("carol"), "amount", str("5")),
			setup: func(e *env) {
				e.chain.LiveFn = func(context.Context, []common.Address) (chain.Live, error) { return chain.Live{}, unreachable() }
			},
			text: chainDown, logs: "command could not reach the chain", webReads: 1, live: 1},
		{name: "trust, store fails", user: "alice", command: "trust", options: opts("member", member("carol"), "amount", str("5")),
			setup: func(e *env) {
				e.store.WebFn = func(context.Context) (trustbot.Web, error) { return trustbot.Web{}, errors.New("database is locked") }
			},
			text: "Something went wrong on our side; nothing was changed. Please try again.", webReads: 1, logs: "database is locked"},
		{name: "trust, an unknown revert", user: "alice", command: "trust", options: opts("member", member("carol"), "amount", str("5")),
			setup: func(e *env) { e.chain.SimulateFn = revert("NotIssuer", aliceW) },
			text:  "The chain would refuse this (NotIssuer(" + aliceW.Hex() + ")); nothing was sent.", webReads: 1, live: 1, simulate: 1},
		{name: "trust, a refusal with words whatever the command", user: "alice", command: "trust", options: opts("member", member("carol"), "amount", str("5")),
			setup: func(e *env) { e.chain.SimulateFn = revert("ToReserveItself") },
			text:  "A reserve cannot hold its own tokens: they could never be redeemed. Send them to a person or to another reserve. Nothing was sent.", webReads: 1, live: 1, simulate: 1},
		{name: "trust, a revert with no name", user: "alice", command: "trust", options: opts("member", member("carol"), "amount", str("5")),
			setup: func(e *env) { e.chain.SimulateFn = revert("") },
			text:  "The chain would refuse this (an unknown error); nothing was sent.", webReads: 1, live: 1, simulate: 1},
		// Questionable: raw base units in the sentence.
		{name: "trust, InsufficientReserve has no words here", user: "alice", command: "trust", options: opts("member", member("carol"), "amount", str("5")),
			setup: func(e *env) { e.chain.SimulateFn = revert("InsufficientReserve", u(1), u(5)) },
			text:  "The chain would refuse this (InsufficientReserve(1000000, 5000000)); nothing was sent.", webReads: 1, live: 1, simulate: 1},

		{name: "reup a member", user: "alice", command: "reup", options: opts("member", member("bob")),
			text:  "Sign to re-up <@bob> +60: 60 tUSD in all (your reserve: 300 tUSD backing, 75 outstanding → 135, coverage 222%)." + capped,
			calls: calls(chain.Reup(aliceRes, bobW, u(60))), signer: aliceW, kind: "reup", summary: "Re-up @bob +60 (60 tUSD in all).",
			webReads: 1, live: 1, simulate: 1},
		{name: "reup everyone below budget", user: "alice", command: "reup",
			text:  "Sign to re-up <@bob> +60, <@dave> +20: 80 tUSD in all (your reserve: 300 tUSD backing, 75 outstanding → 155, coverage 193%)." + capped,
			calls: calls(chain.ReupMany(aliceRes, []common.Address{bobW, daveW}, []*big.Int{u(60), u(20)})), signer: aliceW, kind: "reup",
			summary: "Re-up everyone below budget: 2 holders, 80 tUSD in all.", names: "your ALICE-tUSD reserve | tUSD",
			webReads: 1, live: 1, simulate: 1},
		{name: "reup a layer's holder", user: "bob", command: "reup", options: opts("member", member("carol")),
			text:  "Sign to re-up <@carol> +40: 40 ALICE-tUSD in all (your reserve: 20 ALICE-tUSD backing, 14 outstanding → 54, coverage 37%)." + capped,
			calls: calls(chain.Reup(bobRes, carolW, u(40))), signer: bobW, kind: "reup", webReads: 1, live: 1, simulate: 1},
		{name: "reup a member never trusted", user: "alice", command: "reup", options: opts("member", member("carol")),
			text: "You haven't trusted <@carol>, so there is no budget to restore — use /trust.", webReads: 1, live: 1},
		{name: "reup a member at full budget", web: fullBob, user: "alice", command: "reup", options: opts("member", member("bob")),
			text: "<@bob> holds 100 of a 100 tUSD budget: nothing to re-up.", webReads: 1, live: 1},
		{name: "reup everyone, nobody trusted", user: "carol", command: "reup", options: opts("asset", str("ETH")),
			text: "Everyone you trust holds their full budget: nothing to re-up.", webReads: 1, live: 1},
		{name: "reup an unlinked member", user: "alice", command: "reup", options: opts("member", member("erin")),
			text: erinNotLinked, webReads: 1, live: 1},

		{name: "revoke part of a budget", user: "alice", command: "revoke", options: opts("member", member("bob"), "amount", str("30")),
			text: "Sign to revoke 30 tUSD of trust from <@bob>: their budget goes 100 → 70 and 30 of their 40 tokens are burned; outstanding 75 → 45, coverage 666%." +
				"\nNobody downstream loses credit.",
			calls: calls(chain.Revoke(aliceRes, bobW, u(30))), signer: aliceW, kind: "revoke",
			summary:  "Revoke 30 tUSD of @bob's trust.",
			webReads: 1, live: 1, simulate: 1},
		{name: "revoke past the wallet into the layer's backing", user: "alice", command: "revoke", options: opts("member", member("bob"), "amount", str("55")),
			text: "Sign to revoke 55 tUSD of trust from <@bob>: their budget goes 100 → 45 and 40 of their 40 tokens are burned, and so are 15 of the 20 ALICE-tUSD backing their reserve (20 → 5); outstanding 75 → 20, coverage 1500%." +
				"\nDownstream, redeemable credit changes: <@carol>: 10 → 5 tUSD through <@bob>.",
			calls:  calls(chain.Revoke(aliceRes, bobW, u(55)), chain.Revoke(aliceRes, bobRes, u(15))),
			signer: aliceW, kind: "revoke", webReads: 1, live: 1, simulate: 1},
		{name: "revoke all, with the downstream preview", user: "alice", command: "revoke", options: opts("member", member("bob")),
			text: "Sign to revoke all trust from <@bob>: their budget goes 100 → 0 and 40 of their 40 tokens are burned, and so are 20 of the 20 ALICE-tUSD backing their reserve (20 → 0); outstanding 75 → 15, coverage 2000%." +
				"\nDownstream, redeemable credit changes: <@carol>: 10 → 0 tUSD through <@bob>; <@dave>: 14 → 10 tUSD through <@bob>.",
			calls:  calls(chain.Revoke(aliceRes, bobW, nil), chain.Revoke(aliceRes, bobRes, u(20))),
			signer: aliceW, kind: "revoke", summary: "Revoke all of @bob's trust.",
			webReads: 1, live: 1, simulate: 1,
			check: func(t *testing.T, e *env, _ *commands.Reply) {
				d, err := chain.DecodeCall(e.links.Made()[0].Calls[0])
				if err != nil || d.Method != "revoke" || d.Args[1].Value != trustbot.MaxUint256().String() {
					t.Errorf("first call %v (%v), want revoke of type(uint256).max", d, err)
				}
			}},
		{name: "revoke all of a member with no layer", user: "alice", command: "revoke", options: opts("member", member("dave")),
			text: "Sign to revoke all trust from <@dave>: their budget goes 30 → 0 and 10 of their 10 tokens are burned; outstanding 75 → 65, coverage 461%." +
				"\nNobody downstream loses credit.",
			calls: calls(chain.Revoke(aliceRes, daveW, nil)), signer: aliceW, kind: "revoke", webReads: 1, live: 1, simulate: 1},
		{name: "revoke more than the budget", user: "alice", command: "revoke", options: opts("member", member("bob"), "amount", str("500")),
			text: "You can revoke at most 100 of <@bob>'s budget; /revoke <@bob> takes all of it.", webReads: 1, live: 1},
		{name: "revoke exactly the budget", user: "alice", command: "revoke", options: opts("member", member("bob"), "amount", str("100")),
			text: "Sign to revoke 100 tUSD of trust from <@bob>: their budget goes 100 → 0 and 40 of their 40 tokens are burned, and so are 20 of the 20 ALICE-tUSD backing their reserve (20 → 0); outstanding 75 → 15, coverage 2000%." +
				"\nDownstream, redeemable credit changes: <@carol>: 10 → 0 tUSD through <@bob>; <@dave>: 14 → 10 tUSD through <@bob>.",
			calls:  calls(chain.Revoke(aliceRes, bobW, u(100)), chain.Revoke(aliceRes, bobRes, u(20))),
			signer: aliceW, kind: "revoke", summary: "Revoke 100 tUSD of @bob's trust.", webReads: 1, live: 1, simulate: 1},
		{name: "revoke all of a member holding tokens without a budget", user: "alice", command: "revoke", options: opts("member", member("erin")), web: storyWeb().Member("erin", erinW),
			text:  "Sign to revoke all trust from <@erin>: they have no budget and 5 of their 5 tokens are burned; outstanding 75 → 70, coverage 428%.\nNobody downstream loses credit.",
			calls: calls(chain.Revoke(aliceRes, erinW, nil)), signer: aliceW, kind: "revoke", summary: "Revoke all of @erin's trust.", webReads: 1, live: 1, simulate: 1},
		{name: "revoke more than the tokens held, over a small budget", user: "alice", command: "revoke", options: opts("member", member("erin"), "amount", str("6")), web: storyWeb().Member("erin", erinW),
			text: "You can revoke at most 5 of <@erin>'s trust, the tokens of yours they hold; /revoke <@erin> takes all of it.", webReads: 1, live: 1},
		{name: "revoke of a member whose wallet is empty: only their reserve's backing burns", web: storyWeb().Account(aliceRes, bobW, u(0), u(100)),
			user: "alice", command: "revoke", options: opts("member", member("bob"), "amount", str("15")),
			text: "Sign to revoke 15 tUSD of trust from <@bob>: their budget goes 100 → 85; their wallet holds none of your tokens, and 15 of the 20 ALICE-tUSD backing their reserve are burned (20 → 5); outstanding 35 → 20, coverage 1500%." +
				"\nDownstream, redeemable credit changes: <@carol>: 10 → 5 tUSD through <@bob>.",
			calls:  calls(chain.Revoke(aliceRes, bobW, u(15)), chain.Revoke(aliceRes, bobRes, u(15))),
			signer: aliceW, kind: "revoke", summary: "Revoke 15 tUSD of @bob's trust.", webReads: 1, live: 1, simulate: 1},
		{name: "revoke a member never trusted", user: "alice", command: "revoke", options: opts("member", member("carol")),
			text: "You never trusted <@carol> (no budget and no tokens of yours): nothing to revoke.", webReads: 1, live: 1},
		{name: "revoke myself", user: "alice", command: "revoke", options: opts("member", member("alice")),
			text: "You can't revoke yourself; to take backing out, use /reserve withdraw."},
		{name: "revoke a bad amount", user: "alice", command: "revoke", options: opts("member", member("bob"), "amount", str("-3")),
			text: `The amount must be more than zero; "-3" is negative.`, webReads: 1, live: 1},
		{name: "revoke an unlinked member", user: "alice", command: "revoke", options: opts("member", member("erin")),
			text: erinNotLinked, webReads: 1, live: 1},
	})
}

func TestRedeem(t *testing.T) {
	shortLayer := storyWeb().Backing(bobRes, u(8))
	runHandlerCases(t, []handlerCase{
		{name: "redeem", user: "bob", command: "redeem", options: opts("amount", str("10")),
			text:  "Sign to redeem 10 ALICE-tUSD for 10 tUSD, paid to your wallet (<@alice>'s reserve: 300 tUSD backing, 75 outstanding, coverage 400%).",
			calls: calls(chain.Redeem(aliceRes, u(10), bobW)), signer: bobW, kind: "redeem", summary: "Redeem 10 ALICE-tUSD for 10 tUSD.", names: "the ALICE-tUSD reserve, your wallet | ALICE-tUSD",
			webReads: 1, live: 1, simulate: 1},
		{name: "redeem to another address", user: "bob", command: "redeem", options: opts("amount", str("10"), "to", str(payee.Hex())),
			text:  "Sign to redeem 10 ALICE-tUSD for 10 tUSD, paid to " + payee.Hex() + " (<@alice>'s reserve: 300 tUSD backing, 75 outstanding, coverage 400%).",
			calls: calls(chain.Redeem(aliceRes, u(10), payee)), signer: bobW, kind: "redeem", webReads: 1, live: 1, simulate: 1},
		{name: "redeem to a bad address", user: "bob", command: "redeem", options: opts("amount", str("10"), "to", str("bob.eth")),
			text: `"bob.eth" is not an address: give 0x followed by 40 hex digits.`},
		{name: "redeem to the zero address", user: "bob", command: "redeem", options: opts("amount", str("10"), "to", str(common.Address{}.Hex())),
			text: "Paying to the zero address would burn the money; give your own address."},
		{name: "redeem over the balance", user: "bob", command: "redeem", options: opts("amount", str("50")),
			text: "You hold 40 of <@alice>'s tokens; you can redeem at most 40.", webReads: 1, live: 1},
		{name: "redeem a bad amount", user: "bob", command: "redeem", options: opts("amount", str("1e3")),
			text: `"1e3" is not an amount: write a plain decimal number like 50 or 12.5.`, webReads: 1, live: 1},
		{name: "redeem more than the reserve holds", user: "bob", command: "redeem", options: opts("amount", str("10")),
			setup: func(e *env) { e.chain.SimulateFn = revert("InsufficientReserve", u(5), u(10)) },
			text:  "<@alice>'s reserve holds 5 tUSD; you can redeem at most 5 now.", webReads: 1, live: 1, simulate: 1},
		{name: "redeem, an unknown revert", user: "bob", command: "redeem", options: opts("amount", str("10")),
			setup: func(e *env) { e.chain.SimulateFn = refusesPayee(common.Address{}) },
			text:  "The chain would refuse this (TransferFailed()); nothing was sent.", webReads: 1, live: 1, simulate: 2},
		{name: "redeem from a reserve the token refuses", user: "bob", command: "redeem", options: opts("amount", str("10")),
			setup: func(e *env) { e.chain.SimulateFn = revert("TransferFailed") },
			text:  "tUSD refuses transfers from <@alice>'s reserve, so it cannot pay out now. Nothing was sent.", webReads: 1, live: 1, simulate: 3},
		{name: "redeem to an address the token refuses", user: "bob", command: "redeem", options: opts("amount", str("10"), "to", str(payee.Hex())),
			setup: func(e *env) { e.chain.SimulateFn = refusesPayee(payee) },
			text:  "tUSD refuses transfers to that address. Nothing was sent.", webReads: 1, live: 1, simulate: 3},
		{name: "redeem to your own wallet, which the token refuses", user: "bob", command: "redeem", options: opts("amount", str("10")),
			setup: func(e *env) { e.chain.SimulateFn = refusesPayee(bobW) },
			text:  "tUSD refuses transfers to your wallet. Nothing was sent.", webReads: 1, live: 1, simulate: 3},
		{name: "redeem, chain unreachable", user: "bob", command: "redeem", options: opts("amount", str("10")),
			setup: func(e *env) {
				e.chain.LiveFn = func(context.Context, []common.Address) (chain.Live, error) { return chain.Live{}, unreachable() }
			},
			text: chainDown, logs: "command could not reach the chain", webReads: 1, live: 1},
		{name: "redeem a layer's tokens deep", user: "carol", command: "redeem", options: opts("amount", str("5")),
			text: "Sign to redeem 5 BOB-ALICE-tUSD for 5 tUSD, paid to your wallet (<@bob>'s reserve: 20 ALICE-tUSD backing, 14 outstanding, coverage 142%)." +
				" It unwinds every layer in one transaction and pays tUSD.",
			calls: calls(chain.RedeemDeep(bobRes, u(5), carolW)), signer: carolW, kind: "redeem", summary: "Redeem 5 BOB-ALICE-tUSD for 5 tUSD.", names: "the BOB-ALICE-tUSD reserve, your wallet | BOB-ALICE-tUSD",
			webReads: 1, live: 1, simulate: 1},
		{name: "redeem a layer's tokens one layer", user: "carol", command: "redeem", options: opts("amount", str("5"), "layer", str("one")),
			text: "Sign to redeem 5 BOB-ALICE-tUSD for 5 ALICE-tUSD, paid to your wallet (<@bob>'s reserve: 20 ALICE-tUSD backing, 14 outstanding, coverage 142%)." +
				" You are paid in ALICE-tUSD, the token of the layer below, not in the base asset; without layer:one the redemption unwinds every layer.",
			calls: calls(chain.Redeem(bobRes, u(5), carolW)), signer: carolW, kind: "redeem", webReads: 1, live: 1, simulate: 1},
		{name: "redeem deep through a short layer", web: shortLayer, user: "carol", command: "redeem", options: opts("amount", str("10")),
			setup: func(e *env) { e.chain.SimulateFn = revert("InsufficientReserve", u(8), u(10)) },
			text:  "<@bob>'s reserve holds 8 ALICE-tUSD; you can redeem at most 8 through it now.", webReads: 1, live: 1, simulate: 1},
		{name: "redeem from an empty reserve", user: "bob", command: "redeem", options: opts("amount", str("10")),
			setup: func(e *env) { e.chain.SimulateFn = revert("InsufficientReserve", u(0), u(10)) },
			text:  "<@alice>'s reserve holds no tUSD now: nothing can be redeemed from it until it is refilled.", webReads: 1, live: 1, simulate: 1},
		{name: "redeem deep through an empty layer", web: storyWeb().Backing(bobRes, u(0)), user: "carol", command: "redeem", options: opts("amount", str("10")),
			setup: func(e *env) { e.chain.SimulateFn = revert("InsufficientReserve", u(0), u(10)) },
			text:  "<@bob>'s reserve holds no ALICE-tUSD now: nothing can be redeemed through it until it is refilled.", webReads: 1, live: 1, simulate: 1},
		{name: "redeem deep, no layer short", user: "carol", command: "redeem", options: opts("amount", str("10")),
			setup: func(e *env) { e.chain.SimulateFn = revert("InsufficientReserve", u(7), u(10)) },
			text:  "<@bob>'s reserve holds 7 ALICE-tUSD; you can redeem at most 7 now.", webReads: 1, live: 1, simulate: 1},
		{name: "redeem a bad layer option", user: "carol", command: "redeem", options: opts("amount", str("5"), "layer", str("two")),
			text: "Option layer of /redeem is one of: deep, one."},
		{name: "redeem holding several, no from", user: "dave", command: "redeem", options: opts("amount", str("4")),
			text: "You hold tokens from <@alice> and <@bob>: say whose with from:.", webReads: 1, live: 1},
		{name: "redeem from", user: "dave", command: "redeem", options: opts("amount", str("4"), "from", member("bob")),
			text: "Sign to redeem 4 BOB-ALICE-tUSD for 4 tUSD, paid to your wallet (<@bob>'s reserve: 20 ALICE-tUSD backing, 14 outstanding, coverage 142%)." +
				" It unwinds every layer in one transaction and pays tUSD.",
			calls: calls(chain.RedeemDeep(bobRes, u(4), daveW)), signer: daveW, kind: "redeem", webReads: 1, live: 1, simulate: 1},
		{name: "redeem from alice", user: "dave", command: "redeem", options: opts("amount", str("4"), "from", member("alice")),
			text:  "Sign to redeem 4 ALICE-tUSD for 4 tUSD, paid to your wallet (<@alice>'s reserve: 300 tUSD backing, 75 outstanding, coverage 400%).",
			calls: calls(chain.Redeem(aliceRes, u(4), daveW)), signer: daveW, kind: "redeem", webReads: 1, live: 1, simulate: 1},
		{name: "redeem from a member whose tokens I lack", user: "dave", command: "redeem", options: opts("amount", str("4"), "from", member("carol")),
			text: "You hold no trust tokens from <@carol>.", webReads: 1, live: 1},
		{name: "redeem from an unlinked member", user: "dave", command: "redeem", options: opts("amount", str("4"), "from", member("erin")),
			text: erinNotLinked, webReads: 1, live: 1},
		{name: "redeem holding nothing", user: "alice", command: "redeem", options: opts("amount", str("4")),
			text: "You hold no trust tokens to redeem.", webReads: 1, live: 1},
		{name: "redeem, no wallet", user: "erin", command: "redeem", options: opts("amount", str("4")), text: notLinkedSelf},
	})
}

func TestBalanceAndCredit(t *testing.T) {
	erinLinked := storyWeb().Member("erin", erinW)
	shortLayer := storyWeb().Backing(bobRes, u(8))
	runHandlerCases(t, []handlerCase{
		{name: "balance: holds and issues a layer", user: "bob", command: "balance",
			text: "<@bob> (0x0000…00B0):\n• ALICE-tUSD from <@alice>: holds 40 of a 100 budget; redeemable now 40 tUSD." +
				"\n• Issues BOB-ALICE-tUSD: budgets of 70 given to 2 holders; 20 ALICE-tUSD backing, 14 outstanding, coverage 142%.",
			webReads: 1, live: 1},
		{name: "balance: issues only", user: "alice", command: "balance",
			text: "<@alice> (0x0000…00A1):\nHolds no trust tokens." +
				"\n• Issues ALICE-tUSD: budgets of 130 given to 2 holders; 300 tUSD backing, 75 outstanding, coverage 400%.",
			webReads: 1, live: 1},
		{name: "balance: a layer's tokens and an idle reserve", user: "carol", command: "balance",
			text: "<@carol> (" + trustbot.ShortAddress(carolW) + "):\n• BOB-ALICE-tUSD from <@bob>: holds 10 of a 50 budget; redeemable now 10 tUSD." +
				"\n• Issues CAROL-ETH: no budgets given; 2 ETH backing, nothing outstanding.",
			webReads: 1, live: 1},
		{name: "balance of a member", user: "alice", command: "balance", options: opts("member", member("dave")),
			text: "<@dave> (0x0000…00DA):\n• ALICE-tUSD from <@alice>: holds 10 of a 30 budget; redeemable now 10 tUSD." +
				"\n• BOB-ALICE-tUSD from <@bob>: holds 4 of a 20 budget; redeemable now 4 tUSD.",
			webReads: 1, live: 1},
		{name: "balance: tokens without a budget", web: erinLinked, user: "erin", command: "balance",
			text:     "<@erin> (0x0000…00E0):\n• ALICE-tUSD from <@alice>: holds 5, with no budget; redeemable now 5 tUSD.",
			webReads: 1, live: 1},
		{name: "balance: a layer's tokens through a short layer pay what redeeming deep pays", web: shortLayer, user: "carol", command: "balance",
			text: "<@carol> (" + trustbot.ShortAddress(carolW) + "):\n• BOB-ALICE-tUSD from <@bob>: holds 10 of a 50 budget; redeemable now 8 tUSD." +
				"\n• Issues CAROL-ETH: no budgets given; 2 ETH backing, nothing outstanding.",
			webReads: 1, live: 1},
		{name: "balance, no wallet", user: "erin", command: "balance", text: notLinkedSelf},
		{name: "balance of an unlinked member", user: "alice", command: "balance", options: opts("member", member("erin")), text: erinNotLinked},
		{name: "balance, chain unreachable", user: "bob", command: "balance",
			setup: func(e *env) {
				e.chain.LiveFn = func(context.Context, []common.Address) (chain.Live, error) { return chain.Live{}, unreachable() }
			},
			text: chainDown, logs: "command could not reach the chain", webReads: 1, live: 1},

		{name: "credit: nothing held, exposure of my reserve", user: "alice", command: "credit",
			text:     "<@alice> holds no trust tokens, so there is nothing to redeem.\nYour reserve's exposure: 69 tUSD if everyone downstream redeemed (backing 300).",
			webReads: 1, live: 1},
		{name: "credit through a layer", user: "carol", command: "credit",
			text: "<@carol> can redeem 10 tUSD now: 10 through <@bob>'s reserve.\n```\n" +
				"token           held  now  layers\n" +
				"BOB-ALICE-tUSD  10    10   BOB-ALICE-tUSD → ALICE-tUSD → tUSD\n```" +
				"\nYour reserve's exposure: 0 ETH if everyone downstream redeemed (backing 2).",
			webReads: 1, live: 1},
		{name: "credit bounded by a short layer", web: shortLayer, user: "carol", command: "credit",
			text: "<@carol> can redeem 8 tUSD now: 8 through <@bob>'s reserve (bounded by the 8 ALICE-tUSD in <@bob>'s reserve).\n```\n" +
				"token           held  now  layers\n" +
				"BOB-ALICE-tUSD  10    8    BOB-ALICE-tUSD → ALICE-tUSD → tUSD\n```" +
				"\nYour reserve's exposure: 0 ETH if everyone downstream redeemed (backing 2).",
			webReads: 1, live: 1},
		{name: "credit of a member, two lines", user: "alice", command: "credit", options: opts("member", member("dave")),
			text: "<@dave> can redeem 14 tUSD now: 10 from <@alice> directly, 4 through <@bob>'s reserve.\n```\n" +
				"token           held  now  layers\n" +
				"ALICE-tUSD      10    10   ALICE-tUSD → tUSD\n" +
				"BOB-ALICE-tUSD  4     4    BOB-ALICE-tUSD → ALICE-tUSD → tUSD\n```",
			webReads: 1, live: 1},
		{name: "credit of a layer's issuer", user: "alice", command: "credit", options: opts("member", member("bob")),
			text: "<@bob> can redeem 40 tUSD now: 40 from <@alice> directly.\n```\n" +
				"token       held  now  layers\n" +
				"ALICE-tUSD  40    40   ALICE-tUSD → tUSD\n```" +
				"\n<@bob>'s reserve's exposure: 14 ALICE-tUSD if everyone downstream redeemed (backing 20).",
			webReads: 1, live: 1},
		{name: "credit, no wallet", user: "erin", command: "credit", text: notLinkedSelf},
	})
}

func TestPendingSetupWeb(t *testing.T) {
	reqs := []trustbot.SigningRequest{
		{ID: "req-a", UserID: "alice", Summary: "Trust @bob with 5 tUSD.", Status: trustbot.StatusCreated,
			Calls: make([]trustbot.Call, 1), ExpiresAt: noticeNow.Add(10 * time.Minute)},
		{ID: "req-b", UserID: "alice", Summary: "Deposit 50 tUSD into your reserve.", Status: trustbot.StatusSubmitted,
			Calls: make([]trustbot.Call, 2), Txs: []trustbot.RequestTx{{Index: 0}}, ExpiresAt: noticeNow.Add(20 * time.Second)},
		{ID: "req-c", UserID: "alice", Summary: "Withdraw 1 tUSD from your reserve to your wallet.", Status: trustbot.StatusOpened,
			Calls: make([]trustbot.Call, 1), ExpiresAt: noticeNow.Add(90 * time.Second)},
	}
	var cancelled []string
	pending := func(list []trustbot.SigningRequest) func(e *env) {
		return func(e *env) {
			cancelled = nil
			e.store.PendingRequestsFn = func(_ context.Context, userID string) ([]trustbot.SigningRequest, error) {
				if userID != "alice" {
					return nil, nil
				}
				return list, nil
			}
			e.store.CancelRequestFn = func(_ context.Context, id, userID string) (trustbot.SigningRequest, error) {
				cancelled = append(cancelled, id+" by "+userID)
				for _, r := range list {
					if r.ID == id {
						r.Status = trustbot.StatusCancelled
						return r, nil
					}
				}
				return trustbot.SigningRequest{}, trustbot.Errorf(trustbot.ENotFound, "no such request")
			}
		}
	}
	wantCancelled := func(want ...string) func(*testing.T, *env, *commands.Reply) {
		return func(t *testing.T, _ *env, _ *commands.Reply) {
			if strings.Join(cancelled, ",") != strings.Join(want, ",") {
				t.Errorf("cancelled %q, want %q", cancelled, want)
			}
		}
	}
	var noticeChannel []string
	setup := func(e *env) {
		noticeChannel = nil
		e.store.SetNoticeChannelFn = func(_ context.Context, guild, channel string) error {
			noticeChannel = append(noticeChannel, guild+"/"+channel)
			return nil
		}
	}
	picture := []byte("\x89PNG web")
	var drawn []commands.Graph
	render := func(e *env) {
		drawn = nil
		e.render = &commandstest.Renderer{RenderWebFn: func(_ context.Context, g commands.Graph) ([]byte, error) {
			drawn = append(drawn, g)
			return picture, nil
		}}
	}
	channel := func(id string) map[string]commands.Value {
		return opts("channel", commands.Value{Type: commands.Channel, Channel: id})
	}
	runHandlerCases(t, []handlerCase{
		{name: "pending", user: "alice", command: "pending", setup: pending(reqs),
			text: "Your open signing requests (cancel one with /pending cancel:N):" +
				"\n1. Trust @bob with 5 tUSD. — not signed yet, expires in 10 min. " + commandstest.SignURL("req-a") +
				"\n2. Deposit 50 tUSD into your reserve. — 1 of 2 transactions sent, expires in less than a minute. " + commandstest.SignURL("req-b") +
				"\n3. Withdraw 1 tUSD from your reserve to your wallet. — opened, not signed yet, expires in 2 min. " + commandstest.SignURL("req-c"),
			check: wantCancelled()},
		{name: "pending, none", user: "bob", command: "pending", setup: pending(reqs), text: "You have no open signing requests."},
		{name: "cancel", user: "alice", command: "pending", options: opts("cancel", str("2")), setup: pending(reqs),
			text: "Cancelled: Deposit 50 tUSD into your reserve. The link no longer works.", check: wantCancelled("req-b by alice")},
		{name: "cancel #1", user: "alice", command: "pending", options: opts("cancel", str("#1")), setup: pending(reqs),
			text: "Cancelled: Trust @bob with 5 tUSD. The link no longer works.", check: wantCancelled("req-a by alice")},
		{name: "cancel out of range", user: "alice", command: "pending", options: opts("cancel", str("4")), setup: pending(reqs),
			text: `"4" is not one of your open requests: give a number from 1 to 3 (see /pending).`, check: wantCancelled()},
		{name: "cancel not a number", user: "alice", command: "pending", options: opts("cancel", str("last")), setup: pending(reqs),
			text: `"last" is not one of your open requests: give a number from 1 to 3 (see /pending).`, check: wantCancelled()},
		{name: "cancel with none open", user: "bob", command: "pending", options: opts("cancel", str("1")), setup: pending(reqs),
			text: "You have no open signing requests to cancel.", check: wantCancelled()},

		{name: "setup", user: "alice", command: "setup", options: channel("chan-9"), setup: setup,
			text: "On-chain notices will be posted in <#chan-9>.",
			check: func(t *testing.T, _ *env, _ *commands.Reply) {
				if strings.Join(noticeChannel, ",") != "g-1/chan-9" {
					t.Errorf("notice channel set %q, want g-1/chan-9", noticeChannel)
				}
			}},
		{name: "setup in a direct message", guild: "-", user: "alice", command: "setup", options: channel("chan-9"), setup: setup,
			text: "/setup works in a server, not in a direct message."},
		{name: "setup without a channel", user: "alice", command: "setup", options: channel(""), setup: setup,
			text: "Name a channel, like #trust."},
		{name: "setup, missing option", user: "alice", command: "setup", text: "/setup needs channel (the notice channel)."},

		{name: "web", user: "alice", command: "web", setup: render,
			text: "The trust web: 5 members, 3 reserves, 4 budgets.", public: true, webReads: 1, live: 1,
			check: func(t *testing.T, e *env, r *commands.Reply) {
				if len(r.Files) != 1 || !bytes.Equal(r.Files[0].Data, picture) || r.Files[0].Name != "trust-web.png" || r.Files[0].ContentType != "image/png" {
					t.Errorf("attachments %+v, want the rendered picture", r.Files)
				}
				if len(drawn) != 1 || e.render.Calls("RenderWeb") != 1 {
					t.Fatalf("%d renders, want 1", len(drawn))
				}
				if g := drawn[0]; len(g.Nodes) != 5 || !strings.HasPrefix(g.Nodes[0].Label, "@alice\n300 tUSD · 400%") {
					t.Errorf("drew %+v, want 5 members, @alice first", g.Nodes)
				}
			}},
		{name: "web, empty", web: commandstest.NewWeb(), user: "alice", command: "web", setup: render,
			text: "There are no reserves yet, so the trust web is empty; start one with /reserve create.", public: true, webReads: 1,
			check: func(t *testing.T, e *env, _ *commands.Reply) {
				if e.render.Calls("RenderWeb") != 0 {
					t.Errorf("rendered an empty web")
				}
			}},
		{name: "web, chain unreachable", user: "alice", command: "web",
			setup: func(e *env) {
				render(e)
				e.chain.LiveFn = func(context.Context, []common.Address) (chain.Live, error) { return chain.Live{}, unreachable() }
			},
			text: chainDown, logs: "command could not reach the chain", webReads: 1, live: 1},
	})
}

func TestHandleChecks(t *testing.T) {
	mark := func(first bool) func(e *env) {
		return func(e *env) {
			e.store.MarkInteractionFn = func(context.Context, string) (bool, error) { return first, nil }
		}
	}
	runHandlerCases(t, []handlerCase{
		{name: "unknown command", user: "alice", command: "nope", text: "There is no command /nope. Try /help."},
		{name: "unknown subcommand", user: "alice", command: "wallet", sub: "sell", text: "There is no command /wallet sell. Try /help."},
		{name: "missing option", user: "alice", command: "trust", options: opts("member", member("bob")),
			text: "/trust needs amount (how much, e.g. 50)."},
		{name: "unknown option", user: "alice", command: "balance", options: opts("colour", str("red")),
			text: `/balance has no option "colour".`},
		{name: "option of the wrong type", user: "alice", command: "trust", options: opts("member", str("bob"), "amount", str("5")),
			text: "Option member of /trust takes a member."},
		{name: "member option without a member", user: "alice", command: "trust", options: opts("member", commands.Value{Type: commands.User}, "amount", str("5")),
			text: "Option member of /trust must name a member, like @bob."},
		{name: "an interaction handled before", interaction: "i-1", user: "alice", command: "balance", setup: mark(false),
			text: "This command was already handled; nothing more was done."},
	})
	t.Run("an interaction handled once", func(t *testing.T) {
		e := newEnv(storyWeb().Build())
		mark(true)(e)
		reply := e.set().Handle(context.Background(), &commands.Request{InteractionID: "i-1", User: user("alice"), Command: "balance"})
		if !strings.HasPrefix(reply.Text, "<@alice> (0x0000…00A1):") || e.store.Calls("MarkInteraction") != 1 {
			t.Errorf("reply %q after %d marks, want alice's balance after 1", reply.Text, e.store.Calls("MarkInteraction"))
		}
	})
}

// TestFakePanicsNamingTheMethod: an unset fake method fails loudly, naming itself.
func TestFakePanicsNamingTheMethod(t *testing.T) {
	defer func() {
		r := recover()
		if msg, _ := r.(string); !strings.Contains(msg, "Chain.Predict") {
			t.Errorf("panic %v, want one naming Chain.Predict", r)
		}
	}()
	(&commandstest.Chain{}).Predict(context.Background(), aliceW, usdTok.Address)
}
