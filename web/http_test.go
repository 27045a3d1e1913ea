package web_test

import (
	"math/big"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/trustbot/trustbot"
)

var wantHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
	"X-Frame-Options":         "DENY",
	"Referrer-Policy":         "no-referrer",
	"Cache-Control":           "no-store",
	"X-Content-Type-Options":  "nosniff",
}

func TestSecurityHeadersOnEveryRoute(t *testing.T) {
	e := newEnv(t)
	r, _ := e.newRequest(e.srv)
	qr, _ := e.newRequest(e.srv, trustbot.Call{To: reserve, Value: big.NewInt(1000)})
	nonce, m := e.issueLink()
	text := m.String()
	good := linkBody(t, text, hexutil.Encode(personalSign(t, e.alice, text)))
	hash := e.sendCall(e.alice)

	tests := []struct {
		method, path, body string
		wantStatus         int
		wantType           string
	}{
		{"GET", "/s/" + r.ID, "", 200, "text/html; charset=utf-8"},
		{"GET", "/s/" + r.ID + ".json", "", 200, "application/json; charset=utf-8"},
		{"POST", "/s/" + r.ID + "/tx", txBody(0, hash), 200, "application/json; charset=utf-8"},
		{"POST", "/s/" + r.ID + "/tx", "{", 400, "application/json; charset=utf-8"},
		{"GET", "/s/AAAAAAAAAAAAAAAAAAAAAA", "", 404, "text/html; charset=utf-8"},
		{"GET", "/s/AAAAAAAAAAAAAAAAAAAAAA.json", "", 404, "application/json; charset=utf-8"},
		{"GET", "/l/" + nonce, "", 200, "text/html; charset=utf-8"},
		{"GET", "/l/" + nonce + ".json", "", 200, "application/json; charset=utf-8"},
		{"POST", "/l/" + nonce, "[]", 400, "application/json; charset=utf-8"},
		{"POST", "/l/" + nonce + "/message", `{"address": "` + addrOf(e.alice).Hex() + `"}`, 200, "application/json; charset=utf-8"},
		{"POST", "/l/" + nonce, good, 200, "application/json; charset=utf-8"},
		{"GET", "/l/" + nonce, "", 409, "text/html; charset=utf-8"},
		{"GET", "/l/0000000000000000", "", 404, "text/html; charset=utf-8"},
		{"GET", "/static/style.css", "", 200, "text/css; charset=utf-8"},
		{"GET", "/static/wallet.js", "", 200, "text/javascript; charset=utf-8"},
		{"GET", "/static/sign.js", "", 200, "text/javascript; charset=utf-8"},
		{"GET", "/static/link.js", "", 200, "text/javascript; charset=utf-8"},
		{"GET", "/static/nothing.js", "", 404, "application/json; charset=utf-8"},
		{"GET", "/static/..%2fweb.go", "", 404, "application/json; charset=utf-8"},
		{"GET", "/s/" + r.ID + "/qr.png", "", 409, "application/json; charset=utf-8"},
		{"GET", "/s/" + qr.ID + "/qr.png", "", 200, "image/png"},
		{"GET", "/s/AAAAAAAAAAAAAAAAAAAAAA/qr.png", "", 404, "application/json; charset=utf-8"},
		{"GET", "/", "", 200, "text/html; charset=utf-8"},
		{"POST", "/", "{}", 404, "application/json; charset=utf-8"},
		{"GET", "/nothing/here", "", 404, "application/json; charset=utf-8"},
		{"POST", "/s/" + r.ID, "{}", 404, "application/json; charset=utf-8"},
		{"DELETE", "/l/" + nonce, "", 404, "application/json; charset=utf-8"},
	}
	for _, tt := range tests {
		var res response
		if tt.method == "POST" {
			res = e.postJSON(tt.path, tt.body)
		} else {
			res = e.do(e.ts, tt.method, tt.path, "", nil)
		}
		if res.status != tt.wantStatus {
			t.Errorf("%s %s: status: got %d %s, want %d", tt.method, tt.path, res.status, res.body, tt.wantStatus)
		}
		if got := res.header.Get("Content-Type"); got != tt.wantType {
			t.Errorf("%s %s: Content-Type: got %q, want %q", tt.method, tt.path, got, tt.wantType)
		}
		for k, want := range wantHeaders {
			if got := res.header.Get(k); got != want {
				t.Errorf("%s %s: %s: got %q, want %q", tt.method, tt.path, k, got, want)
			}
		}
		if strings.HasPrefix(tt.wantType, "text/html") {
			checkScripts(t, tt.method+" "+tt.path, string(res.body))
		}
	}
}

// scriptTag is the only form of script a page may carry: an embedded file, no inline code.
var scriptTag = regexp.MustCompile(`^<script src="\.\./static/[a-z]+\.js"></script>$`)

// checkScripts fails unless every script of page is a scriptTag.
func checkScripts(t *testing.T, what, page string) {
	t.Helper()
	for _, loc := range regexp.MustCompile(`<script[^>]*>`).FindAllStringIndex(page, -1) {
		tag := page[loc[0]:min(len(page), loc[1]+len("</script>"))]
		if !scriptTag.MatchString(tag) {
			t.Errorf("%s: got script %q, want only <script src=\"../static/….js\"></script>", what, tag)
		}
	}
}

// TestIndexPage: the signing pages' base URL, which the start banner prints, is a page saying
// what trustbot is, with its stylesheet at a path that also resolves under a PublicURL path.
func TestIndexPage(t *testing.T) {
	e := newEnv(t)
	res := e.get("/")
	page := string(res.body)
	for _, want := range []string{"trustbot is a Discord bot for a peer-to-peer web of trust on Ethereum",
		"your own wallet signs", "(chain id 1337)", `<link rel="stylesheet" href="static/style.css">`} {
		if res.status != http.StatusOK || !strings.Contains(page, want) {
			t.Errorf("GET /: got %d %s, want 200 with %q", res.status, page, want)
		}
	}
	if got := res.header.Get("Content-Security-Policy"); got != wantHeaders["Content-Security-Policy"] {
		t.Errorf("GET /: Content-Security-Policy: got %q, want %q", got, wantHeaders["Content-Security-Policy"])
	}
	checkScripts(t, "GET /", page)
}

func TestErrorPages(t *testing.T) {
	e := newEnv(t)
	for path, want := range map[string]struct {
		status int
		text   string
	}{
		"/s/AAAAAAAAAAAAAAAAAAAAAA": {http.StatusNotFound, "This signing link does not exist."},
		"/l/0000000000000000":       {http.StatusNotFound, "This sign-in link is not valid. Run /wallet link again."},
	} {
		res := e.get(path)
		if res.status != want.status || !strings.Contains(string(res.body), want.text) {
			t.Errorf("GET %s: got %d %s, want %d with %q", path, res.status, res.body, want.status, want.text)
		}
	}
}
