package web_test

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"math/big"
	"net/http"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"

	"github.com/trustbot/trustbot"
)

// newFuzzEnv is newEnv for a fuzz target: built once with tb, its t left nil. The fuzz function
// sets e.t to each input's *testing.T before using the env's helpers (inputs run one at a time
// in a fuzzing process).
func newFuzzEnv(tb testing.TB) *env {
	tb.Helper()
	return buildEnv(tb)
}

// fuzzSend is env.send for the fuzz setup: k sends value to to with data, mined at once.
func fuzzSend(tb testing.TB, e *env, k *ecdsa.PrivateKey, to common.Address, data []byte, value *big.Int) common.Hash {
	tb.Helper()
	ctx := context.Background()
	nonce, err := e.client.PendingNonceAt(ctx, addrOf(k))
	if err != nil {
		tb.Fatal(err)
	}
	head, err := e.client.HeaderByNumber(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tip := big.NewInt(params.GWei)
	tx := types.NewTx(&types.DynamicFeeTx{
		ChainID: big.NewInt(chainID), Nonce: nonce, GasTipCap: tip,
		GasFeeCap: new(big.Int).Add(new(big.Int).Mul(head.BaseFee, big.NewInt(2)), tip),
		Gas:       200_000, To: &to, Value: value, Data: data,
	})
	signed, err := types.SignTx(tx, types.LatestSignerForChainID(big.NewInt(chainID)), k)
	if err != nil {
		tb.Fatal(err)
	}
	if err := e.client.SendTransaction(ctx, signed); err != nil {
		tb.Fatalf("SendTransaction: %v", err)
	}
	e.sim.Commit()
	return signed.Hash()
}

// signingTables are the tables a transaction report may write.
var signingTables = []string{"signing_requests", "signing_calls", "signing_txs"}

// FuzzSigningTxJSON posts arbitrary bodies to POST /s/{id}/tx for an existing request that
// waits for alice's transaction. The endpoint never answers 5xx and never panics, and the
// database changes only when the body reports alice's matching transaction as call 0.
func FuzzSigningTxJSON(f *testing.F) {
	e := newFuzzEnv(f)
	r, _, err := e.srv.NewSigningRequest(context.Background(), trustbot.SigningRequest{
		GuildID: "g1", ChannelID: "c1", UserID: "u-alice", InteractionToken: "itok-secret",
		Signer: addrOf(e.alice), Kind: "trust", Summary: "Give @bob a budget of 100 tUSD from your reserve.",
		Calls: []trustbot.Call{theCall()},
	})
	if err != nil {
		f.Fatalf("NewSigningRequest: %v", err)
	}
	good := fuzzSend(f, e, e.alice, reserve, calldata, big.NewInt(1000))
	wrongSigner := fuzzSend(f, e, e.mallory, reserve, calldata, big.NewInt(1000))
	wrongValue := fuzzSend(f, e, e.alice, reserve, calldata, big.NewInt(999))
	// The committed corpus holds these bodies too; the chain is deterministic, so are the hashes.
	f.Add([]byte(txBody(0, good)))
	f.Add([]byte(txBody(0, wrongSigner)))
	f.Add([]byte(txBody(0, wrongValue)))
	f.Add([]byte(txBody(1, good)))
	path := "/s/" + r.ID + "/tx"

	f.Fuzz(func(t *testing.T, body []byte) {
		e.t = t
		defer func() { e.t = nil }()
		before := e.digest(signingTables...)
		res := e.do(e.ts, "POST", path, "application/json", strings.NewReader(string(body)))
		after := e.digest(signingTables...)
		if res.status >= 500 {
			t.Fatalf("body %q: got status %d (%s), want no 5xx", body, res.status, res.body)
		}
		if res.status != http.StatusOK && (res.status < 400 || res.status >= 500) {
			t.Fatalf("body %q: got status %d, want 200 or a 4xx", body, res.status)
		}
		if after == before {
			return
		}
		// Something was written: only the matching report may do that.
		var in struct {
			Index *int    `json:"index"`
			Hash  *string `json:"hash"`
		}
		if res.status != http.StatusOK || json.Unmarshal(body, &in) != nil || in.Index == nil || in.Hash == nil ||
			*in.Index != 0 || !strings.EqualFold(*in.Hash, good.Hex()) {
			t.Fatalf("body %q (status %d %s) changed the database, but it is not the report of call 0 as %s", body, res.status, res.body, good.Hex())
		}
	})
}
