// Package siwe reads and writes EIP-4361 (Sign-In with Ethereum) messages: the exact text a
// wallet signs to prove control of an address, and its grammar checks.
package siwe

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
)

// Message is an EIP-4361 (Sign-In with Ethereum) message.
//
// A zero ExpirationTime or NotBefore, an empty RequestID and a nil Resources
// are absent from the text; an empty non-nil Resources is a "Resources:"
// line with no items. Scheme is the optional "scheme://" before the domain
// in the first line ("" when absent).
type Message struct {
	Scheme         string
	Domain         string
	Address        string // EIP-55 checksummed 0x address
	Statement      string // optional; one line
	URI            string
	Version        string // "1"
	ChainID        uint64
	Nonce          string // at least 8 letters or digits
	IssuedAt       time.Time
	ExpirationTime time.Time
	NotBefore      time.Time
	RequestID      string
	Resources      []string
}

const siweHeaderSuffix = " wants you to sign in with your Ethereum account:"

// EIP-4361 field prefixes, in the order the message carries them.
const (
	siweURI        = "URI: "
	siweVersion    = "Version: "
	siweChainID    = "Chain ID: "
	siweNonce      = "Nonce: "
	siweIssuedAt   = "Issued At: "
	siweExpiration = "Expiration Time: "
	siweNotBefore  = "Not Before: "
	siweRequestID  = "Request ID: "
	siweResources  = "Resources:"
	siweResource   = "- "
)

// String renders the message as EIP-4361 text, the exact bytes a wallet
// signs with personal_sign.
func (m Message) String() string {
	var b strings.Builder
	if m.Scheme != "" {
		b.WriteString(m.Scheme + "://")
	}
	b.WriteString(m.Domain + siweHeaderSuffix + "\n")
	b.WriteString(m.Address + "\n")
	b.WriteString("\n")
	if m.Statement != "" {
		b.WriteString(m.Statement + "\n")
	}
	b.WriteString("\n")
	b.WriteString(siweURI + m.URI + "\n")
	b.WriteString(siweVersion + m.Version + "\n")
	b.WriteString(siweChainID + strconv.FormatUint(m.ChainID, 10) + "\n")
	b.WriteString(siweNonce + m.Nonce + "\n")
	b.WriteString(siweIssuedAt + FormatTime(m.IssuedAt))
	if !m.ExpirationTime.IsZero() {
		b.WriteString("\n" + siweExpiration + FormatTime(m.ExpirationTime))
	}
	if !m.NotBefore.IsZero() {
		b.WriteString("\n" + siweNotBefore + FormatTime(m.NotBefore))
	}
	if m.RequestID != "" {
		b.WriteString("\n" + siweRequestID + m.RequestID)
	}
	if m.Resources != nil {
		b.WriteString("\n" + siweResources)
		for _, r := range m.Resources {
			b.WriteString("\n" + siweResource + r)
		}
	}
	return b.String()
}

// FormatTime renders an RFC 3339 date-time, keeping the time's offset
// and fractional seconds (none when they are zero).
func FormatTime(t time.Time) string {
	return t.Format(time.RFC3339Nano)
}

// siweErr is a parse error: the message is not valid EIP-4361.
func siweErr(format string, args ...any) error {
	return trustbot.Errorf(trustbot.EInvalid, "The sign-in message is malformed: "+format, args...)
}

// quote shows a piece of untrusted text in an error, shortened.
func quote(s string) string {
	const max = 48
	r := []rune(s)
	if len(r) > max {
		s = string(r[:max]) + "…"
	}
	return strconv.Quote(s)
}

// Parse parses EIP-4361 text strictly: lines are separated by a single
// LF, fields come in the order of the ABNF, nothing precedes the header or
// follows the last field, and every value must match its rule (the address
// must also carry a valid EIP-55 checksum). Each kind of defect has its own
// error, a *trustbot.Error with code EInvalid.
func Parse(text string) (Message, error) {
	var m Message
	if text == "" {
		return m, siweErr("it is empty.")
	}
	if strings.ContainsRune(text, '\r') {
		return m, siweErr("its lines must end with a line feed alone, not a carriage return.")
	}
	lines := strings.Split(text, "\n")
	p := &siweParser{lines: lines}

	// Header: [ scheme "://" ] domain " wants you to sign in with your Ethereum account:"
	header := p.next()
	if !strings.HasSuffix(header, siweHeaderSuffix) {
		return m, siweErr("the first line must be %q.", "<domain>"+siweHeaderSuffix)
	}
	authority := strings.TrimSuffix(header, siweHeaderSuffix)
	if i := strings.Index(authority, "://"); i >= 0 {
		m.Scheme, authority = authority[:i], authority[i+3:]
		if !validScheme(m.Scheme) {
			return m, siweErr("the scheme %s in the first line is not a valid URI scheme.", quote(m.Scheme))
		}
	}
	if !ValidAuthority(authority) {
		return m, siweErr("the domain %s in the first line is not a valid host.", quote(authority))
	}
	m.Domain = authority

	// Address line.
	addr, ok := p.line()
	if !ok {
		return m, siweErr("it ends after the first line; the second line must be the Ethereum address.")
	}
	if len(addr) != 42 || addr[:2] != "0x" || !IsHexDigits(addr[2:]) {
		return m, siweErr("the second line must be an Ethereum address (0x and 40 hex digits), not %s.", quote(addr))
	}
	if want := common.HexToAddress(addr).Hex(); addr != want {
		return m, siweErr("the address %s is not EIP-55 checksummed; with its checksum it reads %s.", addr, want)
	}
	m.Address = addr

	// Blank line, optional statement, blank line.
	if l, ok := p.line(); !ok || l != "" {
		return m, siweErr("the line after the address must be empty.")
	}
	l, ok := p.line()
	if !ok {
		return m, siweErr("it ends before its URI line.")
	}
	if l != "" {
		if !ValidStatement(l) {
			return m, siweErr("the statement contains a character EIP-4361 does not allow (letters, digits, spaces and URI punctuation only).")
		}
		m.Statement = l
		if l, ok := p.line(); !ok || l != "" {
			return m, siweErr("the statement must be a single line followed by an empty line.")
		}
	}

	// Required fields.
	v, err := p.field(siweURI)
	if err != nil {
		return m, err
	}
	if !ValidURI(v) {
		return m, siweErr("the URI %s is not a valid URI.", quote(v))
	}
	m.URI = v

	if v, err = p.field(siweVersion); err != nil {
		return m, err
	}
	if v != "1" {
		return m, siweErr("its version is %s; EIP-4361 defines only version 1.", quote(v))
	}
	m.Version = v

	if v, err = p.field(siweChainID); err != nil {
		return m, err
	}
	if v == "" || !isDigits(v) {
		return m, siweErr("the chain ID %s is not a number.", quote(v))
	}
	if m.ChainID, err = strconv.ParseUint(v, 10, 64); err != nil {
		return m, siweErr("the chain ID %s is too large.", quote(v))
	}

	if v, err = p.field(siweNonce); err != nil {
		return m, err
	}
	if len(v) < 8 || !isAlphanumeric(v) {
		return m, siweErr("the nonce must be at least 8 letters or digits, not %s.", quote(v))
	}
	m.Nonce = v

	if v, err = p.field(siweIssuedAt); err != nil {
		return m, err
	}
	if m.IssuedAt, err = parseSIWETime("issued-at time", v); err != nil {
		return m, err
	}

	// Optional fields, each at most once and in this order.
	if p.peek(siweExpiration) {
		v, _ := p.field(siweExpiration)
		if m.ExpirationTime, err = parseSIWETime("expiration time", v); err != nil {
			return m, err
		}
	}
	if p.peek(siweNotBefore) {
		v, _ := p.field(siweNotBefore)
		if m.NotBefore, err = parseSIWETime("not-before time", v); err != nil {
			return m, err
		}
	}
	if p.peek(siweRequestID) {
		v, _ := p.field(siweRequestID)
		if !validPchars(v) {
			return m, siweErr("the request ID %s contains a character EIP-4361 does not allow.", quote(v))
		}
		m.RequestID = v
	}
	if p.i < len(p.lines) && p.lines[p.i] == siweResources {
		p.i++
		m.Resources = []string{}
		for p.i < len(p.lines) && strings.HasPrefix(p.lines[p.i], siweResource) {
			r := strings.TrimPrefix(p.lines[p.i], siweResource)
			if !ValidURI(r) {
				return m, siweErr("the resource %s is not a valid URI.", quote(r))
			}
			m.Resources = append(m.Resources, r)
			p.i++
		}
	}
	if p.i < len(p.lines) {
		l := p.lines[p.i]
		if l == "" {
			return m, siweErr("it has an empty line after its fields (the last line must not end with a line feed).")
		}
		return m, siweErr("the line %s is not expected there (after Issued At come only Expiration Time, Not Before, Request ID and Resources, in that order, each once).", quote(l))
	}
	return m, nil
}

// siweParser walks the lines of a message.
type siweParser struct {
	lines []string
	i     int
}

// next returns the next line ("" past the end).
func (p *siweParser) next() string {
	l, _ := p.line()
	return l
}

// line returns the next line and whether there was one.
func (p *siweParser) line() (string, bool) {
	if p.i >= len(p.lines) {
		return "", false
	}
	p.i++
	return p.lines[p.i-1], true
}

// peek reports whether the next line starts with prefix.
func (p *siweParser) peek(prefix string) bool {
	return p.i < len(p.lines) && strings.HasPrefix(p.lines[p.i], prefix)
}

// field consumes the next line, which must be prefix followed by a value.
func (p *siweParser) field(prefix string) (string, error) {
	name := strings.TrimSuffix(prefix, ": ")
	l, ok := p.line()
	if !ok {
		return "", siweErr("it ends before its %q line.", name)
	}
	if !strings.HasPrefix(l, prefix) {
		return "", siweErr("a %q line must come here, not %s.", name, quote(l))
	}
	return l[len(prefix):], nil
}

// parseSIWETime parses an RFC 3339 date-time.
func parseSIWETime(what, v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil || !validDateTimeShape(v) {
		return time.Time{}, siweErr("the %s %s is not an RFC 3339 date-time.", what, quote(v))
	}
	return t, nil
}

// validDateTimeShape checks what time.Parse lets through but RFC 3339's
// date-time does not: it must be YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM).
func validDateTimeShape(v string) bool {
	if len(v) < 20 {
		return false
	}
	for i, c := range []byte(v[:19]) {
		switch i {
		case 4, 7:
			if c != '-' {
				return false
			}
		case 10:
			if c != 'T' {
				return false
			}
		case 13, 16:
			if c != ':' {
				return false
			}
		default:
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	rest := v[19:]
	if rest[0] == '.' {
		j := 1
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j == 1 {
			return false
		}
		rest = rest[j:]
	}
	if rest == "Z" {
		return true
	}
	return len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && isDigits(rest[1:3]) && rest[3] == ':' && isDigits(rest[4:6])
}

// Character classes of RFC 3986, as EIP-4361 uses them.

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isHexDigit(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
func isUnreserved(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '_' || c == '~'
}
func isSubDelim(c byte) bool { return strings.IndexByte("!$&'()*+,;=", c) >= 0 }
func isGenDelim(c byte) bool { return strings.IndexByte(":/?#[]@", c) >= 0 }

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func IsHexDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHexDigit(s[i]) {
			return false
		}
	}
	return true
}

func isAlphanumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlpha(s[i]) && !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// validChars reports whether s consists of bytes ok accepts and well-formed
// percent-encodings (when pct is set).
func validChars(s string, pct bool, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case ok(c):
		case pct && c == '%' && i+2 < len(s) && isHexDigit(s[i+1]) && isHexDigit(s[i+2]):
			i += 2
		default:
			return false
		}
	}
	return true
}

// ValidStatement: statement = *( reserved / unreserved / " " ).
func ValidStatement(s string) bool {
	return validChars(s, false, func(c byte) bool {
		return isUnreserved(c) || isGenDelim(c) || isSubDelim(c) || c == ' '
	})
}

// validPchars: *pchar, pchar = unreserved / pct-encoded / sub-delims / ":" / "@".
func validPchars(s string) bool {
	return validChars(s, true, func(c byte) bool {
		return isUnreserved(c) || isSubDelim(c) || c == ':' || c == '@'
	})
}

// validScheme: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
func validScheme(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// ValidAuthority: authority = [ userinfo "@" ] host [ ":" port ], with a
// non-empty host (a reg-name, an IPv4 address or a bracketed IP literal).
func ValidAuthority(s string) bool {
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		userinfo := s[:i]
		if !validChars(userinfo, true, func(c byte) bool { return isUnreserved(c) || isSubDelim(c) || c == ':' }) {
			return false
		}
		s = s[i+1:]
	}
	var rest string
	if strings.HasPrefix(s, "[") {
		j := strings.IndexByte(s, ']')
		if j < 0 {
			return false
		}
		literal := s[1:j]
		rest = s[j+1:]
		if literal == "" || !validChars(literal, false, func(c byte) bool {
			return isHexDigit(c) || c == ':' || c == '.' || c == 'v' || c == 'V' || isUnreserved(c) || isSubDelim(c)
		}) {
			return false
		}
	} else {
		host := s
		if j := strings.IndexByte(s, ':'); j >= 0 {
			host, rest = s[:j], s[j:]
		}
		if host == "" || !validChars(host, true, func(c byte) bool { return isUnreserved(c) || isSubDelim(c) }) {
			return false
		}
	}
	if rest == "" {
		return true
	}
	return rest[0] == ':' && isDigits(rest[1:])
}

// ValidURI checks an absolute URI (RFC 3986 "URI"): a scheme, then only URI
// characters with well-formed percent-encodings, and parseable by net/url.
func ValidURI(s string) bool {
	i := strings.IndexByte(s, ':')
	if i < 1 || !validScheme(s[:i]) {
		return false
	}
	if !validChars(s, true, func(c byte) bool { return isUnreserved(c) || isGenDelim(c) || isSubDelim(c) }) {
		return false
	}
	_, err := url.Parse(s)
	return err == nil
}
