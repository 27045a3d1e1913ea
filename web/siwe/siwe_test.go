package siwe_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/web/siwe"
)

// eipExample is the example message of EIP-4361.
const eipExample = `example.com wants you to sign in with your Ethereum account:
0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2

I accept the ExampleOrg Terms of Service: https://example.com/tos

URI: https://example.com/login
Version: 1
Chain ID: 1
Nonce: 32891756
Issued At: 2021-09-30T16:25:24Z
Resources:
- ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/
- https://example.com/my-web2-claim.json`

// full is a message with every optional part.
var full = siwe.Message{
	Scheme:         "https",
	Domain:         "user:pw@trustbot.example:8443",
	Address:        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
	Statement:      "Link this wallet to @alice on trustbot (123456789012345678).",
	URI:            "https://trustbot.example:8443/l/abc?x=1#frag",
	Version:        "1",
	ChainID:        1337,
	Nonce:          "0123456789abcdefABCDEF",
	IssuedAt:       time.Date(2026, 3, 1, 12, 0, 0, 123000000, time.UTC),
	ExpirationTime: time.Date(2026, 3, 1, 12, 10, 0, 0, time.FixedZone("", 2*3600)),
	NotBefore:      time.Date(2026, 3, 1, 11, 59, 0, 0, time.UTC),
	RequestID:      "req-1:%41@x",
	Resources:      []string{"ipfs://bafybei/", "https://example.com/a.json"},
}

// sameMessage compares two messages field by field, times by instant.
func sameMessage(a, b siwe.Message) bool {
	times := [][2]time.Time{{a.IssuedAt, b.IssuedAt}, {a.ExpirationTime, b.ExpirationTime}, {a.NotBefore, b.NotBefore}}
	for _, p := range times {
		if !p[0].Equal(p[1]) {
			return false
		}
	}
	a.IssuedAt, a.ExpirationTime, a.NotBefore = time.Time{}, time.Time{}, time.Time{}
	b.IssuedAt, b.ExpirationTime, b.NotBefore = time.Time{}, time.Time{}, time.Time{}
	return reflect.DeepEqual(a, b)
}

func TestSIWEExample(t *testing.T) {
	m, err := siwe.Parse(eipExample)
	if err != nil {
		t.Fatalf("ParseSIWE: %v", err)
	}
	want := siwe.Message{
		Domain:    "example.com",
		Address:   "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
		Statement: "I accept the ExampleOrg Terms of Service: https://example.com/tos",
		URI:       "https://example.com/login",
		Version:   "1",
		ChainID:   1,
		Nonce:     "32891756",
		IssuedAt:  time.Date(2021, 9, 30, 16, 25, 24, 0, time.UTC),
		Resources: []string{
			"ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/",
			"https://example.com/my-web2-claim.json",
		},
	}
	if !sameMessage(m, want) {
		t.Errorf("ParseSIWE: got %+v, want %+v", m, want)
	}
	if got := m.String(); got != eipExample {
		t.Errorf("String: got\n%s\nwant\n%s", got, eipExample)
	}
}

func TestSIWERoundTrip(t *testing.T) {
	minimal := siwe.Message{
		Domain: "127.0.0.1:8080", Address: "0x0000000000000000000000000000000000000001", URI: "http://127.0.0.1:8080",
		Version: "1", ChainID: 1, Nonce: "abcdefgh", IssuedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	noResources := full
	noResources.Resources = nil
	emptyResources := full
	emptyResources.Resources = []string{}
	for name, m := range map[string]siwe.Message{
		"full": full, "minimal": minimal, "no resources": noResources, "empty resources": emptyResources,
	} {
		got, err := siwe.Parse(m.String())
		if err != nil {
			t.Errorf("%s: ParseSIWE(String()): %v\n%s", name, err, m.String())
			continue
		}
		if !sameMessage(got, m) {
			t.Errorf("%s: ParseSIWE(String()): got %+v, want %+v", name, got, m)
		}
		if got.String() != m.String() {
			t.Errorf("%s: String after round trip: got\n%s\nwant\n%s", name, got.String(), m.String())
		}
	}

	wantFull := "https://user:pw@trustbot.example:8443 wants you to sign in with your Ethereum account:\n" +
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\n" +
		"\n" +
		"Link this wallet to @alice on trustbot (123456789012345678).\n" +
		"\n" +
		"URI: https://trustbot.example:8443/l/abc?x=1#frag\n" +
		"Version: 1\n" +
		"Chain ID: 1337\n" +
		"Nonce: 0123456789abcdefABCDEF\n" +
		"Issued At: 2026-03-01T12:00:00.123Z\n" +
		"Expiration Time: 2026-03-01T12:10:00+02:00\n" +
		"Not Before: 2026-03-01T11:59:00Z\n" +
		"Request ID: req-1:%41@x\n" +
		"Resources:\n" +
		"- ipfs://bafybei/\n" +
		"- https://example.com/a.json"
	if got := full.String(); got != wantFull {
		t.Errorf("String: got\n%s\nwant\n%s", got, wantFull)
	}
	wantMinimal := "127.0.0.1:8080 wants you to sign in with your Ethereum account:\n" +
		"0x0000000000000000000000000000000000000001\n\n\n" +
		"URI: http://127.0.0.1:8080\nVersion: 1\nChain ID: 1\nNonce: abcdefgh\nIssued At: 2026-01-02T03:04:05Z"
	if got := minimal.String(); got != wantMinimal {
		t.Errorf("String without statement: got %q, want %q", got, wantMinimal)
	}
}

func TestParseSIWEErrors(t *testing.T) {
	good := full.String()
	replace := func(old, new string) string {
		if !strings.Contains(good, old) {
			t.Fatalf("%q not in the message", old)
		}
		return strings.Replace(good, old, new, 1)
	}
	const p = "The sign-in message is malformed: "
	tests := []struct{ name, text, want string }{
		{"empty", "", p + "it is empty."},
		{"header only", strings.SplitN(good, "\n", 2)[0], p + "it ends after the first line; the second line must be the Ethereum address."},
		{"bad scheme", replace("https://user", "1https://user"), p + `the scheme "1https" in the first line is not a valid URI scheme.`},
		{"bad domain", replace("trustbot.example:8443 wants", "trust bot.example:8443 wants"), p + `the domain "user:pw@trust bot.example:8443" in the first line is not a valid host.`},
		{"bad port", replace("trustbot.example:8443 wants", "trustbot.example:84a3 wants"), p + `the domain "user:pw@trustbot.example:84a3" in the first line is not a valid host.`},
		{"short address", replace("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe"), p + `the second line must be an Ethereum address (0x and 40 hex digits), not "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe".`},
		{"bad checksum", replace("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"), p + "the address 0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed is not EIP-55 checksummed; with its checksum it reads 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed."},
		{"statement with a quote", replace("(123456789012345678)", `"123456789012345678"`), p + "the statement contains a character EIP-4361 does not allow (letters, digits, spaces and URI punctuation only)."},
		{"statement over two lines", replace("(123456789012345678).\n", "(123456789012345678).\nmore\n"), p + "the statement must be a single line followed by an empty line."},
		{"extra blank line", replace("\n\nURI: ", "\n\n\nURI: "), p + `a "URI" line must come here, not "".`},
		{"bad URI", replace("URI: https://trustbot.example:8443/l/abc?x=1#frag", "URI: not a uri"), p + `the URI "not a uri" is not a valid URI.`},
		{"relative URI", replace("URI: https://trustbot.example:8443/l/abc?x=1#frag", "URI: /l/abc"), p + `the URI "/l/abc" is not a valid URI.`},
		{"version 2", replace("Version: 1", "Version: 2"), p + `its version is "2"; EIP-4361 defines only version 1.`},
		{"chain id not a number", replace("Chain ID: 1337", "Chain ID: 0x539"), p + `the chain ID "0x539" is not a number.`},
		{"chain id too large", replace("Chain ID: 1337", "Chain ID: 18446744073709551616"), p + `the chain ID "18446744073709551616" is too large.`},
		{"short nonce", replace("Nonce: 0123456789abcdefABCDEF", "Nonce: abc123"), p + `the nonce must be at least 8 letters or digits, not "abc123".`},
		{"nonce with a dash", replace("Nonce: 0123456789abcdefABCDEF", "Nonce: 01234567-89"), p + `the nonce must be at least 8 letters or digits, not "01234567-89".`},
		{"missing chain id", replace("Chain ID: 1337\n", ""), p + `a "Chain ID" line must come here, not "Nonce: 0123456789abcdefABCDEF".`},
		{"issued-at without zone", replace("2026-03-01T12:00:00.123Z", "2026-03-01T12:00:00"), p + `the issued-at time "2026-03-01T12:00:00" is not an RFC 3339 date-time.`},
		{"issued-at with a space", replace("2026-03-01T12:00:00.123Z", "2026-03-01 12:00:00Z"), p + `the issued-at time "2026-03-01 12:00:00Z" is not an RFC 3339 date-time.`},
		{"bad expiration", replace("Expiration Time: 2026-03-01T12:10:00+02:00", "Expiration Time: 2026-02-30T12:10:00Z"), p + `the expiration time "2026-02-30T12:10:00Z" is not an RFC 3339 date-time.`},
		{"bad not-before", replace("Not Before: 2026-03-01T11:59:00Z", "Not Before: 2026-03-01T11:59:00+0200"), p + `the not-before time "2026-03-01T11:59:00+0200" is not an RFC 3339 date-time.`},
		{"fields out of order", replace("Expiration Time: 2026-03-01T12:10:00+02:00\nNot Before: 2026-03-01T11:59:00Z", "Not Before: 2026-03-01T11:59:00Z\nExpiration Time: 2026-03-01T12:10:00+02:00"), p + `the line "Expiration Time: 2026-03-01T12:10:00+02:00" is not expected there (after Issued At come only Expiration Time, Not Before, Request ID and Resources, in that order, each once).`},
		{"bad request id", replace("Request ID: req-1:%41@x", "Request ID: req 1"), p + `the request ID "req 1" contains a character EIP-4361 does not allow.`},
		{"bad percent-encoding", replace("Request ID: req-1:%41@x", "Request ID: req-1:%4"), p + `the request ID "req-1:%4" contains a character EIP-4361 does not allow.`},
		{"bad resource", replace("- ipfs://bafybei/", "- not a uri"), p + `the resource "not a uri" is not a valid URI.`},
		{"resource without dash", replace("- ipfs://bafybei/", "ipfs://bafybei/"), p + `the line "ipfs://bafybei/" is not expected there (after Issued At come only Expiration Time, Not Before, Request ID and Resources, in that order, each once).`},
		{"trailing text", good + "\nP.S. hi", p + `the line "P.S. hi" is not expected there (after Issued At come only Expiration Time, Not Before, Request ID and Resources, in that order, each once).`},
		{"ends early", good[:strings.Index(good, "Nonce: ")-1], p + `it ends before its "Nonce" line.`},
	}
	for _, tt := range tests {
		_, err := siwe.Parse(tt.text)
		if got := trustbot.ErrorMessage(err); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
		if got := trustbot.ErrorCode(err); got != trustbot.EInvalid {
			t.Errorf("%s: code: got %q, want %q", tt.name, got, trustbot.EInvalid)
		}
	}
}

func FuzzParseSIWE(f *testing.F) {
	f.Add(eipExample)
	f.Add(full.String())
	f.Add(strings.ReplaceAll(full.String(), "\n", "\r\n"))
	f.Add("")
	f.Add("\n\n\n")
	f.Add("x wants you to sign in with your Ethereum account:\n0x0000000000000000000000000000000000000000\n\n\nURI: a:b\nVersion: 1\nChain ID: 0\nNonce: 00000000\nIssued At: 0001-01-01T00:00:00Z")
	f.Add("[::1]:80 wants you to sign in with your Ethereum account:\n")
	f.Add(full.String() + "\n")
	f.Add(strings.Replace(full.String(), "Issued At: 2026-03-01T12:00:00.123Z", "Issued At: 2026-03-01T12:00:00.123456789-23:59", 1))
	f.Fuzz(func(t *testing.T, text string) {
		m, err := siwe.Parse(text)
		if err != nil {
			if trustbot.ErrorCode(err) != trustbot.EInvalid || trustbot.ErrorMessage(err) == "" {
				t.Fatalf("ParseSIWE(%q): got error %v, want an EInvalid *trustbot.Error", text, err)
			}
			return
		}
		// What parses renders to text that parses to the same message.
		again, err := siwe.Parse(m.String())
		if err != nil {
			t.Fatalf("ParseSIWE(String()) of %q: %v\n%s", text, err, m.String())
		}
		if !sameMessage(again, m) || again.String() != m.String() {
			t.Fatalf("round trip of %q: got %+v, want %+v", text, again, m)
		}
	})
}
