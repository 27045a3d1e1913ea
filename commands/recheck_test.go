package commands_test

import (
	"context"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/commands/commandstest"
)

func TestRecheck(t *testing.T) {
	redeem60 := trustbot.SigningRequest{ID: "req-1", UserID: "bob", Signer: bobW, Kind: "redeem",
		Calls: []trustbot.Call{chain.Redeem(aliceRes, u(60), bobW)}}
	deposit := trustbot.SigningRequest{ID: "req-2", UserID: "alice", Signer: aliceW, Kind: "deposit",
		Calls: chain.Deposit(aliceRes, usdTok, u(10))}
	halfSent := deposit
	halfSent.Txs = []trustbot.RequestTx{{Index: 0, Hash: common.HexToHash("0x01"), Status: trustbot.TxConfirmed}}
	allSent := redeem60
	allSent.Txs = []trustbot.RequestTx{{Index: 0, Hash: common.HexToHash("0x02"), Status: trustbot.TxConfirmed}}
	revoked := storyWeb().Account(aliceRes, bobW, u(0), u(0))

	for _, tc := range []struct {
		name     string
		web      *commandstest.WebBuilder // nil: the story
		req      trustbot.SigningRequest
		simulate func(context.Context, common.Address, []trustbot.Call) error
		code     string // "" for nil
		text     string
		// simulated are the calls simulated, from the request's signer (nil: none)
		simulated []trustbot.Call
	}{
		{name: "still fine", req: redeem60, simulate: func(context.Context, common.Address, []trustbot.Call) error { return nil },
			simulated: redeem60.Calls},
		{name: "revoked", web: revoked, req: redeem60, simulate: revert("InsufficientBalance", u(0), u(60)), code: trustbot.EReverted,
			text:      "<@alice> revoked your budget after this link was made: you hold 0 ALICE-tUSD now. Nothing was sent.",
			simulated: redeem60.Calls},
		{name: "tokens moved", req: redeem60, simulate: revert("InsufficientBalance", u(10), u(60)), code: trustbot.EReverted,
			text:      "Your ALICE-tUSD tokens left your wallet after this link was made: you hold 10 ALICE-tUSD now, less than the 60 it redeems. Nothing was sent.",
			simulated: redeem60.Calls},
		{name: "backing withdrawn", req: redeem60, simulate: revert("InsufficientReserve", u(5), u(60)), code: trustbot.EReverted,
			text:      "<@alice>'s reserve holds less than when this link was made: 5 tUSD now, so you can redeem at most 5. Nothing was sent.",
			simulated: redeem60.Calls},
		{name: "another revert", req: deposit, simulate: revert("NotIssuer"), code: trustbot.EReverted,
			text:      "The chain changed after this link was made and would now refuse it (NotIssuer()). Nothing was sent.",
			simulated: deposit.Calls},
		{name: "chain unreachable", req: redeem60, simulate: func(context.Context, common.Address, []trustbot.Call) error { return unreachable() },
			code: trustbot.EUnavailable, text: "The chain is unreachable right now; nothing was changed. Try again in a moment.", simulated: redeem60.Calls},
		{name: "only the calls still to send", req: halfSent, simulate: func(context.Context, common.Address, []trustbot.Call) error { return nil },
			simulated: deposit.Calls[1:]},
		{name: "all sent", req: allSent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := tc.web
			if w == nil {
				w = storyWeb()
			}
			e := newEnv(w.Build())
			e.chain.SimulateFn = tc.simulate
			err := e.set().Recheck(context.Background(), tc.req)
			if got := trustbot.ErrorCode(err); got != tc.code {
				t.Fatalf("code: got %q (%v), want %q", got, err, tc.code)
			}
			if err != nil && trustbot.ErrorMessage(err) != tc.text {
				t.Errorf("sentence:\n got %s\nwant %s", trustbot.ErrorMessage(err), tc.text)
			}
			sims := e.chain.Simulated()
			switch {
			case tc.simulated == nil && len(sims) != 0:
				t.Errorf("simulated %d times, want none", len(sims))
			case tc.simulated != nil && (len(sims) != 1 || sims[0].From != tc.req.Signer || !sameCalls(sims[0].Calls, tc.simulated)):
				t.Errorf("simulated %+v, want once from %s:\n%s", sims, tc.req.Signer.Hex(), describeCalls(tc.simulated))
			}
			if e.chain.Calls("Live") != 0 {
				t.Errorf("%d Chain.Live calls, want none: the check reads the store's figures", e.chain.Calls("Live"))
			}
		})
	}
}
