package web_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/web"
)

// reserve stands for the contract a request calls.
var reserve = common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")

// calldata of a pretend call.
var calldata = []byte{0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 42}

type requestJSON struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Summary string `json:"summary"`
	ChainID uint64 `json:"chainId"`
	Signer  string `json:"signer"`
	Calls   []struct {
		To    string `json:"to"`
		Data  string `json:"data"`
		Value string `json:"value"`
	} `json:"calls"`
	Txs []struct {
		Index       int     `json:"index"`
		Hash        string  `json:"hash"`
		Status      string  `json:"status"`
		BlockNumber *uint64 `json:"blockNumber"`
	} `json:"txs"`
	Status      string `json:"status"`
	Error       string `json:"error"`
	ExpiresAt   string `json:"expiresAt"`
	RPCURL      string `json:"rpcUrl"`
	ExplorerURL string `json:"explorerUrl"`
}

// theCall is the call most tests ask alice to send.
func theCall() trustbot.Call {
	return trustbot.Call{To: reserve, Data: calldata, Value: big.NewInt(1000)}
}

// newRequest makes a request for alice through srv.
func (e *env) newRequest(srv *web.Server, calls ...trustbot.Call) (trustbot.SigningRequest, string) {
	e.t.Helper()
	if len(calls) == 0 {
		calls = []trustbot.Call{theCall()}
	}
	r, url, err := srv.NewSigningRequest(context.Background(), trustbot.SigningRequest{
		GuildID: "g1", ChannelID: "c1", UserID: "u-alice", InteractionToken: "itok-secret",
		Signer: addrOf(e.alice), Kind: "trust", Summary: "Give @bob a budget of 100 tUSD from your reserve.",
		Calls: calls,
	})
	if err != nil {
		e.t.Fatalf("NewSigningRequest: %v", err)
	}
	return r, url
}

// sendCall sends theCall from k.
func (e *env) sendCall(k *ecdsa.PrivateKey) common.Hash {
	e.t.Helper()
	return e.send(k, reserve, calldata, big.NewInt(1000))
}

func txBody(index int, hash common.Hash) string {
	return fmt.Sprintf(`{"index": %d, "hash": %q}`, index, hash.Hex())
}

func TestSigningRequestFlow(t *testing.T) {
	e := newEnv(t)
	r, url := e.newRequest(e.srv)

	if len(r.ID) != 22 {
		t.Errorf("id length: got %d, want 22", len(r.ID))
	}
	if want := e.ts.URL + "/s/" + r.ID; url != want {
		t.Errorf("url: got %q, want %q", url, want)
	}
	if want := start.Add(web.DefaultLinkTTL); !r.ExpiresAt.Equal(want) {
		t.Errorf("ExpiresAt: got %v, want %v", r.ExpiresAt, want)
	}
	if r2, _ := e.newRequest(e.srv); r2.ID == r.ID {
		t.Errorf("two requests got the same id %q", r.ID)
	}

	res := e.get("/s/" + r.ID + ".json")
	if res.status != http.StatusOK {
		t.Fatalf("GET json: got %d %s, want 200", res.status, res.body)
	}
	got := decode[requestJSON](t, res)
	if got.ID != r.ID || got.Kind != "trust" || got.Summary != r.Summary || got.ChainID != chainID ||
		got.Signer != addrOf(e.alice).Hex() || got.Status != "created" || got.Error != "" ||
		got.RPCURL != "http://127.0.0.1:8545" || got.ExplorerURL != "https://explorer.invalid" {
		t.Errorf("GET json: got %+v, want id %s, kind trust, chain %d, signer %s, status created", got, r.ID, chainID, addrOf(e.alice).Hex())
	}
	if len(got.Calls) != 1 || got.Calls[0].To != reserve.Hex() || got.Calls[0].Data != hexutil.Encode(calldata) || got.Calls[0].Value != "1000" {
		t.Errorf("calls: got %+v, want one call to %s with data %x and value 1000", got.Calls, reserve.Hex(), calldata)
	}
	if got.Txs == nil || len(got.Txs) != 0 {
		t.Errorf("txs: got %#v, want []", got.Txs)
	}
	if want := "2026-03-01T12:15:00Z"; got.ExpiresAt != want {
		t.Errorf("expiresAt: got %q, want %q", got.ExpiresAt, want)
	}

	// The page marks the request opened.
	res = e.get("/s/" + r.ID)
	if res.status != http.StatusOK {
		t.Fatalf("GET page: got %d, want 200", res.status)
	}
	if got := decode[requestJSON](t, e.get("/s/"+r.ID+".json")).Status; got != "opened" {
		t.Errorf("status after the page: got %q, want opened", got)
	}

	hash := e.sendCall(e.alice)
	res = e.postJSON("/s/"+r.ID+"/tx", txBody(0, hash))
	if res.status != http.StatusOK {
		t.Fatalf("POST tx: got %d %s, want 200", res.status, res.body)
	}
	got = decode[requestJSON](t, res)
	if got.Status != "submitted" || len(got.Txs) != 1 || got.Txs[0].Hash != strings.ToLower(hash.Hex()) ||
		got.Txs[0].Status != "pending" || got.Txs[0].Index != 0 || got.Txs[0].BlockNumber != nil {
		t.Errorf("POST tx: got %+v, want submitted with pending tx %s", got, hash.Hex())
	}
	stored, err := e.db.Request(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Status != trustbot.StatusSubmitted || len(stored.Txs) != 1 || stored.Txs[0].Hash != hash {
		t.Errorf("stored: got %s %+v, want submitted with %s", stored.Status, stored.Txs, hash.Hex())
	}

	// Reporting the same hash again changes nothing.
	before := e.digest("signing_requests", "signing_txs")
	res = e.postJSON("/s/"+r.ID+"/tx", txBody(0, hash))
	if res.status != http.StatusOK || decode[requestJSON](t, res).Status != "submitted" {
		t.Errorf("POST the same tx again: got %d %s, want 200 submitted", res.status, res.body)
	}
	if after := e.digest("signing_requests", "signing_txs"); after != before {
		t.Errorf("POST the same tx again wrote to the database")
	}

	// Confirmed by the watcher: the JSON shows the block; the request is
	// no longer "expired" when its time passes.
	if _, _, err := e.db.ConfirmTx(context.Background(), hash, 7); err != nil {
		t.Fatal(err)
	}
	e.clk.Add(time.Hour)
	got = decode[requestJSON](t, e.get("/s/"+r.ID+".json"))
	if got.Status != "confirmed" || got.Txs[0].Status != "confirmed" || got.Txs[0].BlockNumber == nil || *got.Txs[0].BlockNumber != 7 {
		t.Errorf("after ConfirmTx: got %+v, want confirmed in block 7", got)
	}

	if logs := e.logs.String(); strings.Contains(logs, r.ID) || strings.Contains(logs, "itok-secret") {
		t.Errorf("logs carry a full request id or interaction token:\n%s", logs)
	}
	if logs := e.logs.String(); !strings.Contains(logs, r.ID[:6]) {
		t.Errorf("logs: got\n%s\nwant the request's first 6 characters %q", logs, r.ID[:6])
	}
}

func TestNewSigningRequestInvalid(t *testing.T) {
	e := newEnv(t)
	// The signer is typed now; the zero address stands for a missing one.
	_, _, err := e.srv.NewSigningRequest(context.Background(), trustbot.SigningRequest{
		UserID: "u-alice", Kind: "trust", Calls: []trustbot.Call{theCall()},
	})
	if got, want := trustbot.ErrorCode(err), trustbot.EInvalid; got != want {
		t.Errorf("code: got %q (%v), want %q", got, err, want)
	}
	if got, want := trustbot.ErrorMessage(err), "A signing request needs the address expected to sign it."; got != want {
		t.Errorf("message: got %q, want %q", got, want)
	}
}

func TestRequestShowsExpiredBeforeTheWatcher(t *testing.T) {
	e := newEnv(t)
	r, _ := e.newRequest(e.srv)
	e.clk.Add(web.DefaultLinkTTL)
	if got := decode[requestJSON](t, e.get("/s/"+r.ID+".json")).Status; got != "expired" {
		t.Errorf("status at expiry: got %q, want expired", got)
	}
	stored, err := e.db.Request(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Status != trustbot.StatusCreated {
		t.Errorf("stored status: got %s, want created (only the watcher marks it)", stored.Status)
	}
	res := e.get("/s/" + r.ID)
	if res.status != http.StatusGone || !strings.Contains(string(res.body), "This signing link expired. Run the command again.") {
		t.Errorf("page of an expired request: got %d %s, want 410 with the expiry sentence", res.status, res.body)
	}
}

func TestRequestPage(t *testing.T) {
	e := newEnv(t)
	r, _, err := e.srv.NewSigningRequest(context.Background(), trustbot.SigningRequest{
		UserID: "u-alice", Signer: addrOf(e.alice), Kind: "trust",
		Summary: `Give <b>@bob</b> 100 tUSD & "more"`,
		Calls:   []trustbot.Call{theCall(), {To: addrOf(e.mallory), Value: big.NewInt(0)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	res := e.get("/s/" + r.ID)
	page := string(res.body)
	if got, want := res.header.Get("Content-Type"), "text/html; charset=utf-8"; got != want {
		t.Errorf("Content-Type: got %q, want %q", got, want)
	}
	for _, want := range []string{
		"Give &lt;b&gt;@bob&lt;/b&gt; 100 tUSD &amp; &#34;more&#34;",
		addrOf(e.alice).Hex(),
		reserve.Hex(),
		addrOf(e.mallory).Hex(),
		hexutil.Encode(calldata),
		"1000 wei",
		"2026-03-01 12:15:00 UTC",
		`href="` + r.ID + `.json"`,
		"2 transactions",
		`href="../static/style.css"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page: want %q in\n%s", want, page)
		}
	}
	checkScripts(t, "request page", page)
	for _, bad := range []string{"<b>@bob", "http://", "https://", " onclick=", "javascript:"} {
		if strings.Contains(page, bad) {
			t.Errorf("page: got %q in it, want none", bad)
		}
	}
	res = e.get("/static/style.css")
	if res.status != http.StatusOK || res.header.Get("Content-Type") != "text/css; charset=utf-8" || len(res.body) == 0 {
		t.Errorf("style.css: got %d %q (%d bytes), want 200 text/css", res.status, res.header.Get("Content-Type"), len(res.body))
	}
}

// short is how the messages abbreviate an address.
func short(a common.Address) string {
	h := a.Hex()
	return h[:6] + "…" + h[len(h)-4:]
}

func TestReportTxRefusals(t *testing.T) {
	e := newEnv(t)
	other, otherTS := e.otherServer(1)
	tables := []string{"signing_requests", "signing_calls", "signing_txs", "siwe_nonces", "wallet_links"}

	type submission struct {
		ts          *httptest.Server
		path        string
		contentType string
		body        string
	}
	post := func(id, body string) submission {
		return submission{e.ts, "/s/" + id + "/tx", "application/json", body}
	}
	var randomHash common.Hash
	rand.Read(randomHash[:])

	tests := []struct {
		name       string
		setup      func() (submission, string) // the submission and the message it gets
		wantStatus int
	}{
		{"wrong sender", func() (submission, string) {
			r, _ := e.newRequest(e.srv)
			h := e.sendCall(e.mallory)
			return post(r.ID, txBody(0, h)), fmt.Sprintf("That transaction was sent from %s, not from %s, the wallet linked to your Discord account.",
				short(addrOf(e.mallory)), short(addrOf(e.alice)))
		}, 422},
		{"wrong to", func() (submission, string) {
			r, _ := e.newRequest(e.srv)
			h := e.send(e.alice, addrOf(e.mallory), calldata, big.NewInt(1000))
			return post(r.ID, txBody(0, h)), fmt.Sprintf("That transaction goes to %s instead of %s.", addrOf(e.mallory).Hex(), reserve.Hex())
		}, 422},
		{"wrong data", func() (submission, string) {
			r, _ := e.newRequest(e.srv)
			h := e.send(e.alice, reserve, []byte{0xde, 0xad, 0xbe, 0xef}, big.NewInt(1000))
			return post(r.ID, txBody(0, h)), "That transaction carries different call data than call 0 of this request."
		}, 422},
		{"no data", func() (submission, string) {
			r, _ := e.newRequest(e.srv)
			h := e.send(e.alice, reserve, nil, big.NewInt(1000))
			return post(r.ID, txBody(0, h)), "That transaction carries different call data than call 0 of this request."
		}, 422},
		{"wrong value", func() (submission, string) {
			r, _ := e.newRequest(e.srv)
			h := e.send(e.alice, reserve, calldata, big.NewInt(999))
			return post(r.ID, txBody(0, h)), "That transaction sends 999 wei instead of 1000 wei."
		}, 422},
		{"wrong chain id", func() (submission, string) {
			r, _ := e.newRequest(other)
			h := e.sendCall(e.alice)
			return submission{otherTS, "/s/" + r.ID + "/tx", "application/json", txBody(0, h)},
				"That transaction was signed for chain 1337, not chain 1."
		}, 422},
		{"unknown hash", func() (submission, string) {
			r, _ := e.newRequest(e.srv)
			return post(r.ID, txBody(0, randomHash)), "The transaction is not known to the chain yet; try again in a few seconds."
		}, 409},
		{"index out of order", func() (submission, string) {
			r, _ := e.newRequest(e.srv, theCall(), theCall())
			h := e.sendCall(e.alice)
			return post(r.ID, txBody(1, h)), "Call 0 must be sent before call 1."
		}, 422},
		{"index past the last call", func() (submission, string) {
			r, _ := e.newRequest(e.srv)
			h := e.sendCall(e.alice)
			return post(r.ID, txBody(1, h)), "This request has no call 1; its calls are numbered 0 to 0."
		}, 422},
		{"negative index", func() (submission, string) {
			r, _ := e.newRequest(e.srv)
			h := e.sendCall(e.alice)
			return post(r.ID, txBody(-1, h)), "This request has no call -1; its calls are numbered 0 to 0."
		}, 422},
		{"same index twice", func() (submission, string) {
			r, _ := e.newRequest(e.srv, theCall(), theCall())
			first := e.sendCall(e.alice)
			if _, err := e.srv.ReportTx(context.Background(), r.ID, 0, first.Hex()); err != nil {
				t.Fatalf("ReportTx: %v", err)
			}
			second := e.sendCall(e.alice)
			return post(r.ID, txBody(0, second)), fmt.Sprintf("Call 0 was already submitted as %s.", strings.ToLower(first.Hex()))
		}, 409},
		{"hash of another call", func() (submission, string) {
			r, _ := e.newRequest(e.srv, theCall(), theCall())
			first := e.sendCall(e.alice)
			if _, err := e.srv.ReportTx(context.Background(), r.ID, 0, first.Hex()); err != nil {
				t.Fatalf("ReportTx: %v", err)
			}
			return post(r.ID, txBody(1, first)), fmt.Sprintf("Transaction %s was already reported for another call.", strings.ToLower(first.Hex()))
		}, 409},
		{"expired request", func() (submission, string) {
			r, _ := e.newRequest(e.srv)
			h := e.sendCall(e.alice)
			e.clk.Add(web.DefaultLinkTTL + time.Second)
			return post(r.ID, txBody(0, h)), "This signing link expired. Run the command again."
		}, 410},
		{"request marked expired", func() (submission, string) {
			r, _ := e.newRequest(e.srv)
			h := e.sendCall(e.alice)
			e.clk.Add(web.DefaultLinkTTL)
			if _, err := e.db.ExpireRequests(context.Background()); err != nil {
				t.Fatal(err)
			}
			return post(r.ID, txBody(0, h)), "This signing link expired. Run the command again."
		}, 410},
		{"cancelled request", func() (submission, string) {
			r, _ := e.newRequest(e.srv)
			if _, err := e.db.CancelRequest(context.Background(), r.ID, "u-alice"); err != nil {
				t.Fatal(err)
			}
			h := e.sendCall(e.alice)
			return post(r.ID, txBody(0, h)), "This signing request was cancelled."
		}, 409},
		{"confirmed request", func() (submission, string) {
			r, _ := e.newRequest(e.srv)
			h := e.sendCall(e.alice)
			if _, err := e.srv.ReportTx(context.Background(), r.ID, 0, h.Hex()); err != nil {
				t.Fatal(err)
			}
			if _, _, err := e.db.ConfirmTx(context.Background(), h, 3); err != nil {
				t.Fatal(err)
			}
			return post(r.ID, txBody(1, e.sendCall(e.alice))), "This signing request is already confirmed."
		}, 409},
		{"failed request", func() (submission, string) {
			r, _ := e.newRequest(e.srv)
			h := e.sendCall(e.alice)
			if _, err := e.srv.ReportTx(context.Background(), r.ID, 0, h.Hex()); err != nil {
				t.Fatal(err)
			}
			if _, _, err := e.db.FailTx(context.Background(), h, "reverted"); err != nil {
				t.Fatal(err)
			}
			return post(r.ID, txBody(0, e.sendCall(e.alice))), "This signing request already failed."
		}, 409},
		{"unknown id", func() (submission, string) {
			return post("AAAAAAAAAAAAAAAAAAAAAA", txBody(0, e.sendCall(e.alice))), "This signing link does not exist."
		}, 404},
		{"malformed hash", func() (submission, string) {
			r, _ := e.newRequest(e.srv)
			return post(r.ID, `{"index": 0, "hash": "0x1234"}`), "A transaction hash is 0x followed by 64 hex digits."
		}, 422},
		{"malformed JSON", func() (submission, string) {
			r, _ := e.newRequest(e.srv)
			return post(r.ID, `{"index": 0, "hash": `), "The request body is not valid JSON."
		}, 400},
		{"not an object", func() (submission, string) {
			r, _ := e.newRequest(e.srv)
			return post(r.ID, `[0, "0x00"]`), `The field "" has the wrong type.`
		}, 400},
		{"wrong field type", func() (submission, string) {
			r, _ := e.newRequest(e.srv)
			return post(r.ID, `{"index": "0", "hash": "0x00"}`), `The field "index" has the wrong type.`
		}, 400},
		{"unknown field", func() (submission, string) {
			r, _ := e.newRequest(e.srv)
			h := e.sendCall(e.alice)
			return post(r.ID, fmt.Sprintf(`{"index": 0, "hash": %q, "from": "0x00"}`, h.Hex())), `The request body has an unknown field "from".`
		}, 400},
		{"missing index", func() (submission, string) {
			r, _ := e.newRequest(e.srv)
			h := e.sendCall(e.alice)
			return post(r.ID, fmt.Sprintf(`{"hash": %q}`, h.Hex())), `The report needs both "index" and "hash".`
		}, 400},
		{"two objects", func() (submission, string) {
			r, _ := e.newRequest(e.srv)
			h := e.sendCall(e.alice)
			return post(r.ID, txBody(0, h)+txBody(0, h)), "The request body must hold a single JSON object."
		}, 400},
		{"oversized body", func() (submission, string) {
			r, _ := e.newRequest(e.srv)
			h := e.sendCall(e.alice)
			return post(r.ID, fmt.Sprintf(`{"index": 0, "hash": %q}%s`, h.Hex(), strings.Repeat(" ", 5000))), "The request body is larger than 4096 bytes."
		}, 413},
		{"oversized value", func() (submission, string) {
			r, _ := e.newRequest(e.srv)
			return post(r.ID, `{"index": 0, "hash": "0x`+strings.Repeat("0", 5000)+`"}`), "The request body is larger than 4096 bytes."
		}, 413},
		{"not JSON content", func() (submission, string) {
			r, _ := e.newRequest(e.srv)
			h := e.sendCall(e.alice)
			return submission{e.ts, "/s/" + r.ID + "/tx", "text/plain", txBody(0, h)}, "Send the request body as application/json."
		}, 415},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub, wantMsg := tt.setup()
			before := e.digest(tables...)
			res := e.do(sub.ts, "POST", sub.path, sub.contentType, strings.NewReader(sub.body))
			if res.status != tt.wantStatus || res.errorText() != wantMsg {
				t.Errorf("got %d %q, want %d %q", res.status, res.errorText(), tt.wantStatus, wantMsg)
			}
			if got := res.header.Get("Content-Type"); got != "application/json; charset=utf-8" {
				t.Errorf("Content-Type: got %q, want application/json; charset=utf-8", got)
			}
			if after := e.digest(tables...); after != before {
				t.Errorf("database changed: got digest %s, want %s", after, before)
			}
		})
	}
}

// failingSource is a TxSource whose node is down.
type failingSource struct{}

func (failingSource) TransactionByHash(context.Context, common.Hash) (*types.Transaction, bool, error) {
	return nil, false, fmt.Errorf("dial tcp 127.0.0.1:8545: connection refused")
}

func TestReportTxChainDown(t *testing.T) {
	e := newEnv(t)
	srv, err := web.New(web.Config{PublicURL: "http://127.0.0.1:1", ChainID: chainID}, e.db, failingSource{}, e.clk.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := e.newRequest(srv)
	_, err = srv.ReportTx(context.Background(), r.ID, 0, e.sendCall(e.alice).Hex())
	if got, want := trustbot.ErrorCode(err), trustbot.EUnavailable; got != want {
		t.Errorf("code: got %q (%v), want %q", got, err, want)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	res := e.do(ts, "POST", "/s/"+r.ID+"/tx", "application/json", strings.NewReader(txBody(0, e.sendCall(e.alice))))
	if want := "The chain cannot be reached right now; try again in a moment."; res.status != 503 || res.errorText() != want {
		t.Errorf("got %d %q, want 503 %q", res.status, res.errorText(), want)
	}
}
