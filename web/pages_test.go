package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/web"
)

// token stands for an ERC-20 the requests deposit.
var token = common.HexToAddress("0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48")

// decodedJSON is a call of the request's JSON with its decoding.
type decodedJSON struct {
	To      string `json:"to"`
	Value   string `json:"value"`
	Decoded *struct {
		Method    string `json:"method"`
		Signature string `json:"signature"`
		Args      []struct {
			Name, Type, Value string
		} `json:"args"`
	} `json:"decoded"`
}

func TestRequestDecodesCalls(t *testing.T) {
	e := newEnv(t)
	r, _ := e.newRequest(e.srv, chain.Deposit(reserve, trustbot.Token{Address: token}, big.NewInt(50_000_000))...)

	var got struct {
		ChainName string        `json:"chainName"`
		EIP681    string        `json:"eip681"`
		Now       string        `json:"now"`
		Calls     []decodedJSON `json:"calls"`
	}
	if err := json.Unmarshal(e.get("/s/"+r.ID+".json").body, &got); err != nil {
		t.Fatal(err)
	}
	if got.ChainName != "Local dev chain" || got.EIP681 != "" || got.Now != "2026-03-01T12:00:00Z" || len(got.Calls) != 2 {
		t.Fatalf("json: got %+v, want chain name, no EIP-681 URI for two calls, the clock, two calls", got)
	}
	approve, deposit := got.Calls[0].Decoded, got.Calls[1].Decoded
	if approve == nil || approve.Method != "approve" || approve.Signature != "approve(address,uint256)" || len(approve.Args) != 2 ||
		approve.Args[0].Name != "spender" || approve.Args[0].Value != reserve.Hex() || approve.Args[1].Value != "50000000" {
		t.Errorf("approve: got %+v", approve)
	}
	if deposit == nil || deposit.Signature != "deposit(uint256)" || len(deposit.Args) != 1 || deposit.Args[0].Value != "50000000" {
		t.Errorf("deposit: got %+v", deposit)
	}

	page := string(e.get("/s/" + r.ID).body)
	for _, want := range []string{"approve(address,uint256)", "deposit(uint256)", "spender", "50000000", "2 transactions, in this order",
		"Send transaction 1: <code>approve</code>", "Send transaction 2: <code>deposit</code>", "Local dev chain", short(addrOf(e.alice))} {
		if !strings.Contains(page, want) {
			t.Errorf("page: want %q in it", want)
		}
	}

	// A call of a function trustbot does not know is shown raw, with a null decoding.
	unknown, _ := e.newRequest(e.srv)
	if err := json.Unmarshal(e.get("/s/"+unknown.ID+".json").body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Calls) != 1 || got.Calls[0].Decoded != nil || got.EIP681 != "" {
		t.Errorf("unknown call: got %+v, want no decoding and no EIP-681 URI", got)
	}
	page = string(e.get("/s/" + unknown.ID).body)
	for _, want := range []string{"Unknown function", "not one trustbot knows", "0.000000000000001 ETH", "(1000 wei)"} {
		if !strings.Contains(page, want) {
			t.Errorf("page of an unknown call: want %q in it", want)
		}
	}
}

// parseEIP681 reads back the transaction of a URI built by the server:
// ethereum:<to>@<chain>[/<function>][?<type>=<value>&…&value=<wei>].
func parseEIP681(t *testing.T, uri string) (to common.Address, chainID string, data []byte, value *big.Int) {
	t.Helper()
	m := regexp.MustCompile(`^ethereum:(0x[0-9a-fA-F]{40})@(\d+)(?:/([A-Za-z0-9_]+))?(?:\?(.*))?$`).FindStringSubmatch(uri)
	if m == nil {
		t.Fatalf("%q is not an EIP-681 URI", uri)
	}
	to, chainID, value = common.HexToAddress(m[1]), m[2], new(big.Int)
	var types []string
	var args abi.Arguments
	var vals []any
	for _, kv := range strings.Split(m[4], "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		v, err := url.QueryUnescape(v)
		if err != nil {
			t.Fatal(err)
		}
		if k == "value" {
			value.SetString(v, 10)
			continue
		}
		typ, err := abi.NewType(k, "", nil)
		if err != nil {
			t.Fatalf("parameter type %q: %v", k, err)
		}
		types = append(types, k)
		args = append(args, abi.Argument{Type: typ})
		switch {
		case k == "address":
			vals = append(vals, common.HexToAddress(v))
		case strings.HasPrefix(k, "uint"):
			n, _ := new(big.Int).SetString(v, 10)
			vals = append(vals, n)
		default:
			vals = append(vals, v)
		}
	}
	if m[3] == "" {
		return to, chainID, nil, value
	}
	packed, err := args.Pack(vals...)
	if err != nil {
		t.Fatal(err)
	}
	sel := crypto.Keccak256([]byte(m[3] + "(" + strings.Join(types, ",") + ")"))[:4]
	return to, chainID, append(sel, packed...), value
}

func TestEIP681(t *testing.T) {
	e := newEnv(t)
	holder := addrOf(e.mallory)
	tests := []struct {
		name string
		call trustbot.Call
		want string // "" for none
	}{
		{"trust", chain.Trust(reserve, holder, big.NewInt(50_000_000)),
			"ethereum:" + reserve.Hex() + "@1337/trust?address=" + holder.Hex() + "&uint256=50000000"},
		{"native deposit", chain.Deposit(reserve, chain.NativeToken(), big.NewInt(1000))[0],
			"ethereum:" + reserve.Hex() + "@1337/deposit?uint256=1000&value=1000"},
		{"plain transfer", trustbot.Call{To: holder, Value: big.NewInt(5)}, "ethereum:" + holder.Hex() + "@1337?value=5"},
		{"create, with a name to escape", chain.CreateReserve(reserve, token, "Alice & Co Dollar", "aUSD"),
			"ethereum:" + reserve.Hex() + "@1337/create?address=" + token.Hex() + "&string=Alice%20%26%20Co%20Dollar&string=aUSD"},
		{"arrays", chain.ReupMany(reserve, []common.Address{holder}, []*big.Int{big.NewInt(1)}), ""},
		{"unknown function", trustbot.Call{To: reserve, Data: calldata}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := e.newRequest(e.srv, tt.call)
			var got struct {
				EIP681 string `json:"eip681"`
			}
			json.Unmarshal(e.get("/s/"+r.ID+".json").body, &got)
			if got.EIP681 != tt.want {
				t.Fatalf("eip681: got %q, want %q", got.EIP681, tt.want)
			}
			page := string(e.get("/s/" + r.ID).body)
			qr := e.get("/s/" + r.ID + "/qr.png")
			if tt.want == "" {
				if strings.Contains(page, `id="qr"`) || qr.status != http.StatusNotFound {
					t.Errorf("no URI, but the page has a QR code or qr.png answers %d", qr.status)
				}
				return
			}
			if !strings.Contains(page, `href="`+strings.ReplaceAll(tt.want, "&", "&amp;")+`"`) || !strings.Contains(page, `src="`+r.ID+`/qr.png"`) {
				t.Errorf("page: want the URI as a link and the QR code")
			}
			if qr.status != http.StatusOK || !bytes.HasPrefix(qr.body, []byte("\x89PNG")) {
				t.Errorf("qr.png: got %d %q…", qr.status, qr.body[:min(8, len(qr.body))])
			}
			// A wallet reading the URI sends exactly the call.
			to, id, data, value := parseEIP681(t, got.EIP681)
			if to != tt.call.To || id != "1337" || !bytes.Equal(data, tt.call.Data) || value.Cmp(orZero(tt.call.Value)) != 0 {
				t.Errorf("the URI means to %s on %s data %x value %s; the call is to %s data %x value %v", to.Hex(), id, data, value, tt.call.To.Hex(), tt.call.Data, tt.call.Value)
			}
		})
	}
}

func orZero(v *big.Int) *big.Int {
	if v == nil {
		return new(big.Int)
	}
	return v
}

func TestQRRefusals(t *testing.T) {
	e := newEnv(t)
	call := trustbot.Call{To: reserve, Value: big.NewInt(1000)}
	check := func(what, id, want string) {
		t.Helper()
		if res := e.get("/s/" + id + "/qr.png"); res.errorText() != want {
			t.Errorf("%s: got %d %q, want %q", what, res.status, res.errorText(), want)
		}
	}

	expired, _ := e.newRequest(e.srv, call)
	e.clk.Add(web.DefaultLinkTTL)
	check("expired", expired.ID, "This signing link expired. Run the command again.")
	e.clk.Add(-web.DefaultLinkTTL)

	cancelled, _ := e.newRequest(e.srv, call)
	if _, err := e.db.CancelRequest(context.Background(), cancelled.ID, cancelled.UserID); err != nil {
		t.Fatal(err)
	}
	check("cancelled", cancelled.ID, "This signing request was cancelled.")
	check("unknown", "AAAAAAAAAAAAAAAAAAAAAA", "This signing link does not exist.")
}

func TestApprovalsOnlyForTheDeposit(t *testing.T) {
	e := newEnv(t)
	amount := big.NewInt(50_000_000)
	approve := chain.Approve(token, reserve, amount)
	deposit := chain.Deposit(reserve, trustbot.Token{Address: token}, amount)[1]
	sel := func(sig string) []byte { return crypto.Keccak256([]byte(sig))[:4] }
	pad := make([]byte, 64)
	tests := []struct {
		name  string
		calls []trustbot.Call
		ok    bool
	}{
		{"approve then its deposit", []trustbot.Call{approve, deposit}, true},
		{"approve of 0, approve, then its deposit", []trustbot.Call{chain.Approve(token, reserve, new(big.Int)), approve, deposit}, true},
		{"approve of 0 alone", []trustbot.Call{chain.Approve(token, addrOf(e.mallory), new(big.Int))}, true},
		{"approve alone", []trustbot.Call{approve}, false},
		{"approve then a deposit of another amount", []trustbot.Call{approve, chain.Deposit(reserve, trustbot.Token{Address: token}, big.NewInt(1))[1]}, false},
		{"approve of another spender", []trustbot.Call{chain.Approve(token, addrOf(e.mallory), amount), deposit}, false},
		{"deposit then approve", []trustbot.Call{deposit, approve}, false},
		{"increaseAllowance", []trustbot.Call{{To: token, Data: append(sel("increaseAllowance(address,uint256)"), pad...)}}, false},
		{"permit", []trustbot.Call{{To: token, Data: append(sel("permit(address,address,uint256,uint256,uint8,bytes32,bytes32)"), make([]byte, 7*32)...)}}, false},
		{"setApprovalForAll", []trustbot.Call{{To: token, Data: append(sel("setApprovalForAll(address,bool)"), pad...)}}, false},
	}
	for _, tt := range tests {
		before := e.digest("signing_requests", "signing_calls")
		_, _, err := e.srv.NewSigningRequest(context.Background(), trustbot.SigningRequest{
			UserID: "u-alice", Signer: addrOf(e.alice), Kind: "deposit", Summary: "Deposit.", Calls: tt.calls,
		})
		switch {
		case tt.ok && err != nil:
			t.Errorf("%s: %v, want it accepted", tt.name, err)
		case !tt.ok && (trustbot.ErrorCode(err) != trustbot.EInvalid || !strings.Contains(trustbot.ErrorMessage(err), "a signing request may only approve a reserve for its own deposit")):
			t.Errorf("%s: got %v, want EInvalid naming the rule", tt.name, err)
		case !tt.ok && e.digest("signing_requests", "signing_calls") != before:
			t.Errorf("%s: refused but written", tt.name)
		}
	}
}

func TestLinkMessageEndpoint(t *testing.T) {
	e := newEnv(t)
	nonce, m := e.issueLink()
	lower := strings.ToLower(addrOf(e.alice).Hex())

	before := e.digest("wallet_links", "siwe_nonces")
	res := e.postJSON("/l/"+nonce+"/message", `{"address": "`+lower+`"}`)
	if res.status != http.StatusOK {
		t.Fatalf("POST message: %d %s", res.status, res.body)
	}
	text := decode[map[string]string](t, res)["message"]
	if text != m.String() {
		t.Fatalf("message:\n%s\nwant exactly SIWEMessage.String():\n%s", text, m.String())
	}
	for _, bad := range []struct {
		body, want string
		status     int
	}{
		{`{"address": "0x1234"}`, "An address is 0x followed by 40 hex digits.", 422},
		{`{"address": "` + strings.Repeat("z", 42) + `"}`, "An address is 0x followed by 40 hex digits.", 422},
		{`{}`, `The request needs an "address".`, 400},
		{`{"address": "` + lower + `", "chainId": 1}`, `The request body has an unknown field "chainId".`, 400},
	} {
		if res := e.postJSON("/l/"+nonce+"/message", bad.body); res.status != bad.status || res.errorText() != bad.want {
			t.Errorf("POST message %s: got %d %q, want %d %q", bad.body, res.status, res.errorText(), bad.status, bad.want)
		}
	}
	if res := e.postJSON("/l/00000000000000000000000000000000/message", `{"address": "`+lower+`"}`); res.status != http.StatusNotFound {
		t.Errorf("unknown nonce: got %d, want 404", res.status)
	}
	if after := e.digest("wallet_links", "siwe_nonces"); after != before {
		t.Errorf("asking for the message wrote to the database")
	}

	// The text as given is what the wallet signs and the server accepts.
	if res := e.postJSON("/l/"+nonce, linkBody(t, text, hexutil.Encode(personalSign(t, e.alice, text)))); res.status != http.StatusOK {
		t.Fatalf("POST link: %d %s", res.status, res.body)
	}
	if res := e.postJSON("/l/"+nonce+"/message", `{"address": "`+lower+`"}`); res.status != http.StatusConflict ||
		res.errorText() != "This sign-in link was already used. Run /wallet link again." {
		t.Errorf("message of a used link: got %d %q", res.status, res.errorText())
	}
}

// eip1271Wallet is the creation code of a minimal smart-contract wallet:
// isValidSignature(bytes32 hash, bytes) returns the magic value 0x1626ba7e
// for one fixed hash and 0xffffffff for any other; it ignores the signature
// and the selector. Hand-assembled:
//
//	PUSH1 4 CALLDATALOAD PUSH32 hash EQ PUSH1 ok JUMPI
//	PUSH4 0xffffffff PUSH1 224 SHL PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
//	ok: JUMPDEST PUSH4 0x1626ba7e PUSH1 224 SHL PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
//
// behind a constructor that copies it out: PUSH1 len PUSH1 12 PUSH1 0 CODECOPY PUSH1 len PUSH1 0 RETURN.
func eip1271Wallet(hash common.Hash) []byte {
	code := append([]byte{0x60, 0x04, 0x35, 0x7f}, hash[:]...)
	code = append(code,
		0x14, 0x60, 0x38, 0x57,
		0x63, 0xff, 0xff, 0xff, 0xff, 0x60, 0xe0, 0x1b, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3,
		0x5b, 0x63, 0x16, 0x26, 0xba, 0x7e, 0x60, 0xe0, 0x1b, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3)
	n := byte(len(code))
	return append([]byte{0x60, n, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, n, 0x60, 0x00, 0xf3}, code...)
}

// deploy creates a contract from alice's account and returns its address.
func (e *env) deploy(code []byte) common.Address {
	e.t.Helper()
	ctx := context.Background()
	from := addrOf(e.alice)
	nonce, err := e.client.PendingNonceAt(ctx, from)
	if err != nil {
		e.t.Fatal(err)
	}
	head, err := e.client.HeaderByNumber(ctx, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	tip := big.NewInt(params.GWei)
	tx, err := types.SignNewTx(e.alice, types.LatestSignerForChainID(big.NewInt(chainID)), &types.DynamicFeeTx{
		ChainID: big.NewInt(chainID), Nonce: nonce, GasTipCap: tip,
		GasFeeCap: new(big.Int).Add(new(big.Int).Mul(head.BaseFee, big.NewInt(2)), tip), Gas: 200_000, Data: code,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.client.SendTransaction(ctx, tx); err != nil {
		e.t.Fatal(err)
	}
	e.sim.Commit()
	r, err := e.client.TransactionReceipt(ctx, tx.Hash())
	if err != nil || r.Status != types.ReceiptStatusSuccessful {
		e.t.Fatalf("deploy: %v %+v", err, r)
	}
	return crypto.CreateAddress(from, nonce)
}

func TestWalletLinkEIP1271(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	nonce, m := e.issueLink()

	// The smart-contract wallet will be at alice's next CREATE address; the
	// message names it and the contract accepts exactly that message's hash.
	n, err := e.client.PendingNonceAt(ctx, addrOf(e.alice))
	if err != nil {
		t.Fatal(err)
	}
	wallet := crypto.CreateAddress(addrOf(e.alice), n)
	m.Address = wallet.Hex()
	text := m.String()
	if got := e.deploy(eip1271Wallet(common.Hash(accounts.TextHash([]byte(text))))); got != wallet {
		t.Fatalf("deployed at %s, want %s", got.Hex(), wallet.Hex())
	}
	// A smart wallet's signature is whatever its owners' scheme makes: here 97 bytes.
	sig := bytes.Repeat([]byte{0xab}, 97)

	// Without a caller the server checks plain signatures only.
	e.srv.SetCaller(nil)
	before := e.digest("wallet_links", "siwe_nonces")
	if _, err := e.srv.VerifyWalletLink(ctx, nonce, text, sig); trustbot.ErrorMessage(err) != "The signature must be 65 bytes long, not 97." {
		t.Errorf("without a caller: got %v, want the plain refusal", err)
	}
	e.srv.SetCaller(e.client)

	// Another message's signature: the contract refuses, the plain error stands.
	other := m
	other.Statement = "Link this wallet to @alice on trustbot (123456789012345678)"
	if _, err := e.srv.VerifyWalletLink(ctx, nonce, other.String(), sig); trustbot.ErrorCode(err) != trustbot.EInvalid {
		t.Errorf("a message the contract does not accept: got %v, want EInvalid", err)
	}
	// A plain account's wrong signature is still refused with its own words.
	m2 := m
	m2.Address = addrOf(e.mallory).Hex()
	if _, err := e.srv.VerifyWalletLink(ctx, nonce, m2.String(), personalSign(t, e.alice, m2.String())); err == nil ||
		!strings.Contains(err.Error(), "not by "+addrOf(e.mallory).Hex()+", the address in the message") {
		t.Errorf("plain mismatch with a caller: got %v", err)
	}
	if e.digest("wallet_links", "siwe_nonces") != before {
		t.Fatalf("refusals wrote to the database")
	}

	// The wallet's own message: linked.
	res := e.postJSON("/l/"+nonce, linkBody(t, text, hexutil.Encode(sig)))
	if res.status != http.StatusOK {
		t.Fatalf("POST link from a smart-contract wallet: %d %s", res.status, res.body)
	}
	link, err := e.db.WalletByUser(ctx, discordID)
	if err != nil || link.Address != wallet {
		t.Errorf("linked %+v, %v; want the contract %s", link, err, wallet.Hex())
	}
}

func TestConfigURLs(t *testing.T) {
	base := web.Config{PublicURL: "http://127.0.0.1:8080", ChainID: 1337}
	for _, tt := range []struct {
		rpc, explorer string
		ok            bool
	}{
		{"", "", true},
		{"http://127.0.0.1:8545", "https://etherscan.io", true},
		{"ftp://node", "", false},
		{"", "javascript:alert(1)", false},
		{"https://user:secret@node.example", "", false},
		{"node.example:8545", "", false},
	} {
		c := base
		c.RPCURL, c.ExplorerURL = tt.rpc, tt.explorer
		if err := c.Validate(); (err == nil) != tt.ok {
			t.Errorf("RPC %q explorer %q: Validate() = %v, want ok %v", tt.rpc, tt.explorer, err, tt.ok)
		}
	}
}

// TestRequestInTheSignersTerms: with the labels and units a command stores, the page names every
// address and writes amounts in the token's units; the raw call stays, folded in a details
// element, and the JSON carries both.
func TestRequestInTheSignersTerms(t *testing.T) {
	e := newEnv(t)
	bob := common.HexToAddress("0x00000000000000000000000000000000000b0b0b")
	carol := common.HexToAddress("0x000000000000000000000000000000000ca401ca")
	tusd := trustbot.Token{Address: token, Symbol: "tUSD", Decimals: 6}
	labels := map[common.Address]string{reserve: "your ALICE-tUSD reserve", token: "the tUSD token", bob: "@bob", addrOf(e.alice): "your wallet"}
	cases := []struct {
		name    string
		summary string
		calls   []trustbot.Call
		units   []trustbot.Token
		wants   []string // in the page, before its first details element
		raw     []string // inside a details element only
		display []string // the JSON's display of each argument, call after call
		toLabel []string
	}{
		{"trust", "Trust @bob with 25 tUSD.", []trustbot.Call{chain.Trust(reserve, bob, big.NewInt(25_000_000))}, []trustbot.Token{tusd},
			[]string{"<h1 class=\"summary\">Trust @bob with 25 tUSD.</h1>", "on</span> <span class=\"to\" title=\"" + reserve.Hex() + "\">your ALICE-tUSD reserve</span>",
				"<dt class=\"arg\">holder</dt><dd><span title=\"" + bob.Hex() + "\">@bob</span>", "<span title=\"25000000\">25 tUSD</span>"},
			[]string{"25000000</code> <span class=\"muted\">uint256", bob.Hex() + "</code>", "trust(address,uint256)"},
			[]string{"@bob", "25 tUSD"}, []string{"your ALICE-tUSD reserve"}},
		{"deposit", "Deposit 50 tUSD into your reserve.", chain.Deposit(reserve, tusd, big.NewInt(50_000_000)), []trustbot.Token{tusd, tusd},
			[]string{"Deposit 50 tUSD into your reserve.", ">the tUSD token</span>", ">your ALICE-tUSD reserve</span>", "<span title=\"50000000\">50 tUSD</span>"},
			[]string{"approve(address,uint256)", "50000000</code>"},
			[]string{"your ALICE-tUSD reserve", "50 tUSD", "50 tUSD"}, []string{"the tUSD token", "your ALICE-tUSD reserve"}},
		{"revoke all", "Revoke all of @bob's trust.", []trustbot.Call{chain.Revoke(reserve, bob, nil)}, []trustbot.Token{tusd},
			[]string{">@bob</span>", ">all</span>"}, []string{"<code>" + trustbot.MaxUint256().String() + "</code>"},
			[]string{"@bob", "all"}, []string{"your ALICE-tUSD reserve"}},
		{"re-up two, one unnamed", "Re-up @bob and 0x0000…01ca.", []trustbot.Call{chain.ReupMany(reserve, []common.Address{bob, carol}, []*big.Int{big.NewInt(1_500_000), big.NewInt(2_000_000)})}, []trustbot.Token{tusd},
			[]string{">@bob, " + trustbot.ShortAddress(carol) + "</span>", ">1.5 tUSD, 2 tUSD</span>"}, []string{"[1500000, 2000000]</code>"},
			[]string{"@bob, " + trustbot.ShortAddress(carol), "1.5 tUSD, 2 tUSD"}, []string{"your ALICE-tUSD reserve"}},
		{"redeem to your wallet", "Redeem 10 ALICE-tUSD for 10 tUSD.", []trustbot.Call{chain.Redeem(reserve, big.NewInt(10_000_000), addrOf(e.alice))},
			[]trustbot.Token{{Address: reserve, Symbol: "ALICE-tUSD", Decimals: 6}},
			[]string{">10 ALICE-tUSD</span>", ">your wallet</span>"}, []string{"10000000</code>"},
			[]string{"10 ALICE-tUSD", "your wallet"}, []string{"your ALICE-tUSD reserve"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _, err := e.srv.NewSigningRequest(context.Background(), trustbot.SigningRequest{
				UserID: "u-alice", Signer: addrOf(e.alice), Kind: "test", Summary: c.summary, Calls: c.calls, Labels: labels, Units: c.units,
			})
			if err != nil {
				t.Fatal(err)
			}
			page := string(e.get("/s/" + r.ID).body)
			folded := strings.Index(page, "<details class=\"raw\">")
			if folded < 0 {
				t.Fatalf("page: got no <details class=\"raw\"> in %s", page)
			}
			for _, want := range c.wants {
				if i := strings.Index(page, want); i < 0 || i > folded {
					t.Errorf("page: got %q at %d, want it before the raw call at %d", want, i, folded)
				}
			}
			for _, want := range c.raw {
				if i := strings.Index(page, want); i < folded {
					t.Errorf("page: got %q at %d, want it only inside the raw call at %d", want, i, folded)
				}
			}
			if strings.Contains(page, "smallest unit") && strings.Index(page, "smallest unit") < folded {
				t.Errorf("page: the note on smallest units is outside the raw call")
			}
			var got struct {
				Calls []struct {
					ToLabel string `json:"toLabel"`
					Data    string `json:"data"`
					Decoded struct {
						Args []struct {
							Value   string `json:"value"`
							Display string `json:"display"`
						} `json:"args"`
					} `json:"decoded"`
				} `json:"calls"`
			}
			if err := json.Unmarshal(e.get("/s/"+r.ID+".json").body, &got); err != nil {
				t.Fatal(err)
			}
			var display, toLabel []string
			for i, call := range got.Calls {
				toLabel = append(toLabel, call.ToLabel)
				if call.Data != hexutil.Encode(c.calls[i].Data) {
					t.Errorf("call %d data: got %s, want %s", i, call.Data, hexutil.Encode(c.calls[i].Data))
				}
				for _, a := range call.Decoded.Args {
					display = append(display, a.Display)
				}
			}
			if strings.Join(display, "|") != strings.Join(c.display, "|") || strings.Join(toLabel, "|") != strings.Join(c.toLabel, "|") {
				t.Errorf("json: got display %q, toLabel %q; want %q, %q", display, toLabel, c.display, c.toLabel)
			}
		})
	}

	// A request made without names (as before they were stored) shows short addresses and raw amounts.
	plain, _ := e.newRequest(e.srv, chain.Trust(reserve, bob, big.NewInt(25_000_000)))
	page := string(e.get("/s/" + plain.ID).body)
	for _, want := range []string{">" + trustbot.ShortAddress(reserve) + "</span></h3>", ">" + trustbot.ShortAddress(bob) + "</span>", "<code>25000000</code></dd>"} {
		if !strings.Contains(page, want) {
			t.Errorf("page without names: want %q in it", want)
		}
	}
}
