package web_test

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"html"
	"math/big"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trustbot/trustbot/web/wire"

	"github.com/trustbot/trustbot/web/siwe"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/trustbot/trustbot"
)

const (
	discordID   = "123456789012345678"
	discordName = "alice"
	statement   = "Link this wallet to @alice on trustbot (123456789012345678)."
)

// issueLink makes a sign-in link for alice's Discord account and builds the
// message her wallet would sign from the link's JSON, as the page does.
func (e *env) issueLink() (nonce string, m siwe.Message) {
	e.t.Helper()
	u, err := e.srv.NewWalletLink(context.Background(), discordID, discordName)
	if err != nil {
		e.t.Fatalf("NewWalletLink: %v", err)
	}
	nonce = u[strings.LastIndexByte(u, '/')+1:]
	res := e.get("/l/" + nonce + ".json")
	if res.status != http.StatusOK {
		e.t.Fatalf("GET /l/…json: got %d %s, want 200", res.status, res.body)
	}
	j := decode[wire.SignIn](e.t, res)
	issued, err := time.Parse(time.RFC3339, j.IssuedAt)
	if err != nil {
		e.t.Fatal(err)
	}
	expires, err := time.Parse(time.RFC3339, j.ExpirationTime)
	if err != nil {
		e.t.Fatal(err)
	}
	return nonce, siwe.Message{
		Domain: j.Domain, Address: addrOf(e.alice).Hex(), Statement: j.Statement, URI: j.URI,
		Version: j.Version, ChainID: j.ChainID, Nonce: j.Nonce, IssuedAt: issued, ExpirationTime: expires,
	}
}

// personalSign signs text as a wallet's personal_sign does (EIP-191, V 27/28).
func personalSign(t testing.TB, k *ecdsa.PrivateKey, text string) []byte {
	t.Helper()
	sig, err := crypto.Sign(accounts.TextHash([]byte(text)), k)
	if err != nil {
		t.Fatal(err)
	}
	sig[64] += 27
	return sig
}

func linkBody(t testing.TB, text, sig string) string {
	b, err := json.Marshal(map[string]string{"message": text, "signature": sig})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWalletLinkFlow(t *testing.T) {
	e := newEnv(t)
	var hooked []trustbot.WalletLink
	e.srv.OnLinked = func(ctx context.Context, l trustbot.WalletLink) { hooked = append(hooked, l) }

	u, err := e.srv.NewWalletLink(context.Background(), discordID, discordName)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^` + regexp.QuoteMeta(e.ts.URL) + `/l/[0-9a-f]{32}$`).MatchString(u) {
		t.Fatalf("url: got %q, want %s/l/ and 32 lowercase hex digits", u, e.ts.URL)
	}
	nonce := u[len(e.ts.URL)+3:]

	host := strings.TrimPrefix(e.ts.URL, "http://")
	got := decode[wire.SignIn](t, e.get("/l/"+nonce+".json"))
	want := wire.SignIn{
		Domain: host, URI: e.ts.URL, ChainID: chainID, Nonce: nonce,
		IssuedAt: "2026-03-01T12:00:00Z", ExpirationTime: "2026-03-01T12:10:00Z",
		Statement: statement, Version: "1", User: discordName,
	}
	if got != want {
		t.Errorf("link json: got %+v, want %+v", got, want)
	}

	page := e.get("/l/" + nonce)
	for _, want := range []string{
		host + " wants you to sign in with your Ethereum account:",
		"(the address of the wallet you sign with)",
		statement,
		"Nonce: " + nonce,
		"Expiration Time: 2026-03-01T12:10:00Z",
		`href="` + nonce + `.json"`,
	} {
		if !strings.Contains(string(page.body), want) {
			t.Errorf("link page: want %q in\n%s", want, page.body)
		}
	}
	checkScripts(t, "link page", string(page.body))

	e.clk.Add(30 * time.Second)
	m := siwe.Message{
		Domain: got.Domain, Address: addrOf(e.alice).Hex(), Statement: got.Statement, URI: got.URI, Version: "1",
		ChainID: got.ChainID, Nonce: got.Nonce, IssuedAt: start, ExpirationTime: start.Add(10 * time.Minute),
	}
	text := m.String()
	res := e.postJSON("/l/"+nonce, linkBody(t, text, hexutil.Encode(personalSign(t, e.alice, text))))
	if res.status != http.StatusOK {
		t.Fatalf("POST link: got %d %s, want 200", res.status, res.body)
	}
	answer := decode[map[string]string](t, res)
	if answer["address"] != addrOf(e.alice).Hex() || answer["user"] != discordName || len(answer) != 2 {
		t.Errorf("POST link: got %v, want address %s and user %s", answer, addrOf(e.alice).Hex(), discordName)
	}

	link, err := e.db.WalletByUser(context.Background(), discordID)
	if err != nil {
		t.Fatal(err)
	}
	wantLink := trustbot.WalletLink{UserID: discordID, Address: addrOf(e.alice), ChainID: chainID, Method: "siwe", ProvenAt: start.Add(30 * time.Second)}
	if link != wantLink {
		t.Errorf("wallet link: got %+v, want %+v", link, wantLink)
	}
	if len(hooked) != 1 || hooked[0] != wantLink {
		t.Errorf("OnLinked: got %+v, want [%+v]", hooked, wantLink)
	}
	var used *string
	if err := e.raw.QueryRow(`SELECT used_at FROM siwe_nonces WHERE nonce = ?`, nonce).Scan(&used); err != nil || used == nil {
		t.Errorf("nonce used_at: got %v, %v, want it set", used, err)
	}

	// Single use: the same signed message again is refused.
	res = e.postJSON("/l/"+nonce, linkBody(t, text, hexutil.Encode(personalSign(t, e.alice, text))))
	if want := "This sign-in link was already used. Run /wallet link again."; res.status != http.StatusConflict || res.errorText() != want {
		t.Errorf("POST again: got %d %q, want 409 %q", res.status, res.errorText(), want)
	}
	if res := e.get("/l/" + nonce + ".json"); res.status != http.StatusConflict {
		t.Errorf("GET json of a used link: got %d, want 409", res.status)
	}
	if logs := e.logs.String(); strings.Contains(logs, nonce) {
		t.Errorf("logs carry the full nonce:\n%s", logs)
	}
}

func TestVerifyWalletLinkDirect(t *testing.T) {
	e := newEnv(t)
	nonce, m := e.issueLink()
	text := m.String()
	link, err := e.srv.VerifyWalletLink(context.Background(), nonce, text, personalSign(t, e.alice, text))
	if err != nil {
		t.Fatal(err)
	}
	if want := addrOf(e.alice); link.Address != want || link.UserID != discordID || link.Method != "siwe" {
		t.Errorf("VerifyWalletLink: got %+v, want %s linked to %s by siwe", link, want, discordID)
	}
}

func TestNewWalletLinkNames(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct{ name, want string }{
		{"bob.the_builder", "Link this wallet to @bob.the_builder on trustbot (42)."},
		{"Zoë <3", "Link this wallet to @Zo 3 on trustbot (42)."},
		{"🎉", "Link this wallet to @42 on trustbot (42)."},
		{"@@carol", "Link this wallet to @carol on trustbot (42)."},
	} {
		u, err := e.srv.NewWalletLink(context.Background(), "42", tt.name)
		if err != nil {
			t.Fatal(err)
		}
		got := decode[wire.SignIn](t, e.get(u[len(e.ts.URL):]+".json")).Statement
		if got != tt.want {
			t.Errorf("statement for %q: got %q, want %q", tt.name, got, tt.want)
		}
	}
	// The page and its JSON name the Discord account as Discord does, even where the statement
	// cannot carry the characters.
	for _, tt := range []struct{ name, want string }{
		{"Zoë <3", "Zoë <3"},
		{"🎉", "🎉"},
		{"@@carol", "carol"},
		{"tab\tname\x00", "tabname"},
		{"@", "42"},
	} {
		u, err := e.srv.NewWalletLink(context.Background(), "42", tt.name)
		if err != nil {
			t.Fatal(err)
		}
		if got := decode[wire.SignIn](t, e.get(u[len(e.ts.URL):]+".json")).User; got != tt.want {
			t.Errorf("user of %q: got %q, want %q", tt.name, got, tt.want)
		}
		page := string(e.get(u[len(e.ts.URL):]).body)
		for _, want := range []string{"Link your wallet to @" + html.EscapeString(tt.want) + "</h1>",
			"your Discord account, <strong>@" + html.EscapeString(tt.want) + "</strong> <span class=\"muted\">(user id 42)</span>"} {
			if !strings.Contains(page, want) {
				t.Errorf("page for %q: want %q in it", tt.name, want)
			}
		}
	}
	for _, id := range []string{"", "a\nb", "x y\u00e9"} {
		_, err := e.srv.NewWalletLink(context.Background(), id, "name")
		if got := trustbot.ErrorCode(err); got != trustbot.EInvalid {
			t.Errorf("NewWalletLink(%q): got code %q (%v), want %q", id, got, err, trustbot.EInvalid)
		}
	}
}

func TestWalletLinkAddressTaken(t *testing.T) {
	e := newEnv(t)
	if _, err := e.db.LinkWallet(context.Background(), trustbot.WalletLink{UserID: "someone-else", Address: addrOf(e.alice), ChainID: chainID, Method: "dev"}); err != nil {
		t.Fatal(err)
	}
	nonce, m := e.issueLink()
	text := m.String()
	before := e.digest("wallet_links", "siwe_nonces")
	res := e.postJSON("/l/"+nonce, linkBody(t, text, hexutil.Encode(personalSign(t, e.alice, text))))
	want := addrOf(e.alice).Hex() + " is already linked to another Discord member; they must unlink it first."
	if res.status != http.StatusConflict || res.errorText() != want {
		t.Errorf("got %d %q, want 409 %q", res.status, res.errorText(), want)
	}
	if after := e.digest("wallet_links", "siwe_nonces"); after != before {
		t.Errorf("database changed: got digest %s, want %s", after, before)
	}
}

// malleate turns a signature into its high-S twin, which recovers the same
// key under frontier rules.
func malleate(sig []byte) []byte {
	n := crypto.S256().Params().N
	out := append([]byte(nil), sig...)
	s := new(big.Int).SetBytes(out[32:64])
	new(big.Int).Sub(n, s).FillBytes(out[32:64])
	out[64] = 55 - out[64] // 27 <-> 28
	return out
}

// recoverAddr is the address a personal_sign signature over text recovers to.
func recoverAddr(t testing.TB, text string, sig []byte) common.Address {
	t.Helper()
	rsv := append([]byte(nil), sig...)
	rsv[64] -= 27
	pub, err := crypto.SigToPub(accounts.TextHash([]byte(text)), rsv)
	if err != nil {
		t.Fatal(err)
	}
	return crypto.PubkeyToAddress(*pub)
}

func TestWalletLinkRefusals(t *testing.T) {
	e := newEnv(t)
	host := strings.TrimPrefix(e.ts.URL, "http://")
	alice, mallory := addrOf(e.alice).Hex(), addrOf(e.mallory).Hex()

	// attempt is one POST /l/{nonce}; setup fills it from a fresh link.
	type attempt struct {
		nonce  string
		m      siwe.Message
		text   string // the message sent; m.String() when empty
		sig    []byte // alice's signature of the text when nil
		sigHex string // the signature field as sent; hex of sig when empty
	}
	tests := []struct {
		name       string
		setup      func(a *attempt) string // returns the wanted error
		wantStatus int
	}{
		{"wrong domain", func(a *attempt) string {
			a.m.Domain = "evil.example"
			return "The message is for evil.example, not for " + host + "."
		}, 422},
		{"domain without the port", func(a *attempt) string {
			a.m.Domain = "127.0.0.1"
			return "The message is for 127.0.0.1, not for " + host + "."
		}, 422},
		{"wrong scheme", func(a *attempt) string {
			a.m.Scheme = "https"
			return "The message names the scheme https, but this site is served over http."
		}, 422},
		{"wrong URI", func(a *attempt) string {
			a.m.URI = "https://evil.example/login"
			return "The message's URI is https://evil.example/login, not " + e.ts.URL + "."
		}, 422},
		{"wrong version", func(a *attempt) string {
			a.text = strings.Replace(a.m.String(), "\nVersion: 1\n", "\nVersion: 2\n", 1)
			return `The sign-in message is malformed: its version is "2"; EIP-4361 defines only version 1.`
		}, 422},
		{"wrong chain id", func(a *attempt) string {
			a.m.ChainID = 1
			return "The message is for chain 1, not chain 1337."
		}, 422},
		{"another link's nonce", func(a *attempt) string {
			other, _ := e.issueLink()
			a.m.Nonce = other
			return "The message's nonce is not the nonce of this sign-in link."
		}, 422},
		{"reused nonce", func(a *attempt) string {
			text := a.m.String()
			if _, err := e.srv.VerifyWalletLink(context.Background(), a.nonce, text, personalSign(t, e.alice, text)); err != nil {
				t.Fatalf("first use: %v", err)
			}
			return "This sign-in link was already used. Run /wallet link again."
		}, 409},
		{"unknown nonce", func(a *attempt) string {
			a.nonce = strings.Repeat("ab", 16)
			a.m.Nonce = a.nonce
			return "This sign-in link is not valid. Run /wallet link again."
		}, 404},
		{"expired link", func(a *attempt) string {
			e.clk.Add(10 * time.Minute)
			return "This sign-in link expired. Run /wallet link again."
		}, 410},
		{"message expiration passed", func(a *attempt) string {
			a.m.ExpirationTime = a.m.IssuedAt.Add(time.Minute)
			e.clk.Add(time.Minute)
			return "The message's expiration time has passed. Run /wallet link again."
		}, 410},
		{"expiration too far", func(a *attempt) string {
			a.m.ExpirationTime = a.m.IssuedAt.Add(10*time.Minute + time.Second)
			return "The message's expiration time may be at most 10 minutes after it was issued."
		}, 422},
		{"no expiration", func(a *attempt) string {
			a.m.ExpirationTime = time.Time{}
			return "The message needs an expiration time."
		}, 422},
		{"expiration before issuance", func(a *attempt) string {
			a.m.ExpirationTime = a.m.IssuedAt
			return "The message's expiration time must be after its issued-at time."
		}, 422},
		{"not yet valid", func(a *attempt) string {
			a.m.NotBefore = e.clk.Now().Add(time.Minute)
			return "The message is not valid before " + e.clk.Now().Add(time.Minute).Format(time.RFC3339) + "."
		}, 422},
		{"issued-at mismatch", func(a *attempt) string {
			issued := a.m.IssuedAt
			a.m.IssuedAt = issued.Add(-time.Minute)
			return fmt.Sprintf("The message says it was issued at %s, but this link was issued at %s.",
				issued.Add(-time.Minute).Format(time.RFC3339), issued.Format(time.RFC3339))
		}, 422},
		{"issued-at in the future", func(a *attempt) string {
			e.clk.Add(-time.Minute) // the server's clock went back
			return "The message's issued-at time " + a.m.IssuedAt.Format(time.RFC3339) + " is in the future."
		}, 422},
		{"statement for another Discord user", func(a *attempt) string {
			a.m.Statement = "Link this wallet to @mallory on trustbot (987654321)."
			return fmt.Sprintf("The message's statement must read %q: it names the Discord member this link was made for.", statement)
		}, 422},
		{"no statement", func(a *attempt) string {
			a.m.Statement = ""
			return fmt.Sprintf("The message's statement must read %q: it names the Discord member this link was made for.", statement)
		}, 422},
		{"request id", func(a *attempt) string {
			a.m.RequestID = "abc"
			return "The message carries a request ID this sign-in link did not ask for."
		}, 422},
		{"resources", func(a *attempt) string {
			a.m.Resources = []string{"https://evil.example/everything"}
			return "The message lists resources this sign-in link did not ask for."
		}, 422},
		{"non-checksummed address", func(a *attempt) string {
			a.text = strings.Replace(a.m.String(), alice, strings.ToLower(alice), 1)
			return fmt.Sprintf("The sign-in message is malformed: the address %s is not EIP-55 checksummed; with its checksum it reads %s.", strings.ToLower(alice), alice)
		}, 422},
		{"address is not the signer", func(a *attempt) string {
			a.m.Address = mallory
			return fmt.Sprintf("The signature was made by %s, not by %s, the address in the message.", alice, mallory)
		}, 422},
		{"signed by someone else", func(a *attempt) string {
			a.sig = personalSign(t, e.mallory, a.m.String())
			return fmt.Sprintf("The signature was made by %s, not by %s, the address in the message.", mallory, alice)
		}, 422},
		{"message changed after signing", func(a *attempt) string {
			signed := a.m
			signed.ExpirationTime = signed.ExpirationTime.Add(-time.Second)
			a.sig = personalSign(t, e.alice, signed.String())
			return fmt.Sprintf("The signature was made by %s, not by %s, the address in the message.",
				recoverAddr(t, a.m.String(), a.sig).Hex(), alice)
		}, 422},
		{"malformed header", func(a *attempt) string {
			a.text = strings.Replace(a.m.String(), "Ethereum account:", "Bitcoin account:", 1)
			return `The sign-in message is malformed: the first line must be "<domain> wants you to sign in with your Ethereum account:".`
		}, 422},
		{"missing URI line", func(a *attempt) string {
			a.text = strings.Replace(a.m.String(), "URI: "+a.m.URI+"\n", "", 1)
			return `The sign-in message is malformed: a "URI" line must come here, not "Version: 1".`
		}, 422},
		{"missing nonce line", func(a *attempt) string {
			a.text = strings.Replace(a.m.String(), "Nonce: "+a.m.Nonce+"\n", "", 1)
			return `The sign-in message is malformed: a "Nonce" line must come here, not "Issued At: ` + a.m.IssuedAt.Format(time.RFC3339) + `".`
		}, 422},
		{"missing blank line", func(a *attempt) string {
			a.text = strings.Replace(a.m.String(), alice+"\n\n", alice+"\n", 1)
			return "The sign-in message is malformed: the line after the address must be empty."
		}, 422},
		{"trailing line feed", func(a *attempt) string {
			a.text = a.m.String() + "\n"
			return "The sign-in message is malformed: it has an empty line after its fields (the last line must not end with a line feed)."
		}, 422},
		{"carriage returns", func(a *attempt) string {
			a.text = strings.ReplaceAll(a.m.String(), "\n", "\r\n")
			return "The sign-in message is malformed: its lines must end with a line feed alone, not a carriage return."
		}, 422},
		{"bad issued-at", func(a *attempt) string {
			a.text = strings.Replace(a.m.String(), "Issued At: "+a.m.IssuedAt.Format(time.RFC3339), "Issued At: yesterday", 1)
			return `The sign-in message is malformed: the issued-at time "yesterday" is not an RFC 3339 date-time.`
		}, 422},
		{"signature of 64 bytes", func(a *attempt) string {
			a.sig = personalSign(t, e.alice, a.m.String())[:64]
			return "The signature must be 65 bytes long, not 64."
		}, 422},
		{"signature of 66 bytes", func(a *attempt) string {
			a.sig = append(personalSign(t, e.alice, a.m.String()), 0)
			return "The signature must be 65 bytes long, not 66."
		}, 422},
		{"V = 0", func(a *attempt) string {
			a.sig = personalSign(t, e.alice, a.m.String())
			a.sig[64] = 0
			return "The signature's recovery byte V must be 27 or 28, not 0."
		}, 422},
		{"V = 1", func(a *attempt) string {
			a.sig = personalSign(t, e.alice, a.m.String())
			a.sig[64] = 1
			return "The signature's recovery byte V must be 27 or 28, not 1."
		}, 422},
		{"V = 29", func(a *attempt) string {
			a.sig = personalSign(t, e.alice, a.m.String())
			a.sig[64] = 29
			return "The signature's recovery byte V must be 27 or 28, not 29."
		}, 422},
		{"high S", func(a *attempt) string {
			a.sig = malleate(personalSign(t, e.alice, a.m.String()))
			return "The signature is not a valid secp256k1 signature."
		}, 422},
		{"zero signature", func(a *attempt) string {
			a.sig = make([]byte, 65)
			a.sig[64] = 27
			return "The signature is not a valid secp256k1 signature."
		}, 422},
		{"signature not hex", func(a *attempt) string {
			a.sigHex = "zz"
			return "The signature must be 0x followed by hex digits."
		}, 422},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a attempt
			a.nonce, a.m = e.issueLink()
			wantMsg := tt.setup(&a)
			if a.text == "" {
				a.text = a.m.String()
			}
			if a.sig == nil {
				a.sig = personalSign(t, e.alice, a.text)
			}
			if a.sigHex == "" {
				a.sigHex = hexutil.Encode(a.sig)
			}
			before := e.digest("wallet_links", "siwe_nonces")
			res := e.postJSON("/l/"+url.PathEscape(a.nonce), linkBody(t, a.text, a.sigHex))
			if res.status != tt.wantStatus || res.errorText() != wantMsg {
				t.Errorf("got %d %q, want %d %q", res.status, res.errorText(), tt.wantStatus, wantMsg)
			}
			if after := e.digest("wallet_links", "siwe_nonces"); after != before {
				t.Errorf("database changed: got digest %s, want %s", after, before)
			}
		})
	}
	if n := len(tests); n < 20 {
		t.Errorf("refusal cases: got %d, want at least 20", n)
	}
}
