package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode"

	"github.com/trustbot/trustbot/web/siwe"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/trustbot/trustbot"
)

// issuedLink is a sign-in link as it was handed out: the message the user
// is asked to sign, without the address (the wallet chooses it).
//
// It is rebuilt from the nonce row in the store (user, name, times), which
// also enforces single use, so an issued link survives a restart.
type issuedLink struct {
	userID   string
	userName string
	msg      siwe.Message // Address empty
	used     bool
}

// maxNameLen caps the Discord name put in the statement.
const maxNameLen = 64

// statementText is the statement of a sign-in message for a Discord user.
func statementText(userName, userID string) string {
	return fmt.Sprintf("Link this wallet to @%s on trustbot (%s).", userName, userID)
}

// statementName keeps the characters of a Discord name that an EIP-4361
// statement may carry; a name with none of them is replaced by the user id.
func statementName(name, userID string) string {
	var b strings.Builder
	for i := 0; i < len(name) && b.Len() < maxNameLen; i++ {
		if c := name[i]; c != '@' && siwe.ValidStatement(string(c)) {
			b.WriteByte(c)
		}
	}
	if s := strings.TrimSpace(b.String()); s != "" {
		return s
	}
	return userID
}

// NewWalletLink issues a single-use sign-in link for the Discord user and
// returns its URL. The nonce is 128 random bits as 32 lowercase hex digits;
// it is valid for Config.SIWETTL (at most 10 minutes).
func (s *Server) NewWalletLink(ctx context.Context, userID, userName string) (string, error) {
	if userID == "" || len(userID) > 64 || !siwe.ValidStatement(userID) {
		return "", trustbot.Errorf(trustbot.EInvalid, "A wallet link needs a Discord user id made of letters and digits.")
	}
	name := displayName(userName, userID)

	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("web: new wallet link: %w", err)
	}
	nonce := hex.EncodeToString(b[:])

	now := s.now()
	issued := now.UTC().Truncate(time.Second)
	expires := issued.Add(s.cfg.SIWETTL)
	if _, err := s.db.CreateNonce(ctx, trustbot.SignInNonce{Nonce: nonce, UserID: userID, UserName: name, IssuedAt: issued, ExpiresAt: expires}); err != nil {
		return "", redact(err, "web: new wallet link", nonce)
	}
	s.log.InfoContext(ctx, "wallet link issued", "nonce", trustbot.ShortID(nonce), "user", userID, "expires", expires)
	return s.cfg.PublicURL + "/l/" + nonce, nil
}

// issuedMessage is the sign-in message issued with a nonce, without the address.
func (s *Server) issuedMessage(n trustbot.SignInNonce) siwe.Message {
	return siwe.Message{
		Domain:         s.domain,
		Statement:      statementText(statementName(n.UserName, n.UserID), n.UserID),
		URI:            s.cfg.PublicURL,
		Version:        "1",
		ChainID:        s.cfg.ChainID,
		Nonce:          n.Nonce,
		IssuedAt:       n.IssuedAt.UTC().Truncate(time.Second),
		ExpirationTime: n.ExpiresAt.UTC().Truncate(time.Second),
	}
}

// lookupLink returns the issued link for nonce after checking it is known, unused and unexpired.
func (s *Server) lookupLink(ctx context.Context, nonce string) (issuedLink, error) {
	if !isHexNonce(nonce) {
		return issuedLink{}, trustbot.Errorf(trustbot.ENotFound, "This sign-in link is not valid. Run /wallet link again.")
	}
	n, err := s.db.Nonce(ctx, nonce)
	if trustbot.ErrorCode(err) == trustbot.ENotFound {
		return issuedLink{}, trustbot.Errorf(trustbot.ENotFound, "This sign-in link is not valid. Run /wallet link again.")
	} else if err != nil {
		return issuedLink{}, redact(err, "web: look up wallet link", nonce)
	}
	link := issuedLink{userID: n.UserID, userName: n.UserName, msg: s.issuedMessage(n), used: !n.UsedAt.IsZero()}
	switch {
	case link.used:
		return issuedLink{}, trustbot.Errorf(trustbot.EConflict, "This sign-in link was already used. Run /wallet link again.")
	case !s.now().Before(link.msg.ExpirationTime):
		return issuedLink{}, trustbot.Errorf(trustbot.EExpired, "This sign-in link expired. Run /wallet link again.")
	}
	return link, nil
}

// displayName is the Discord name the pages show: as Discord gave it, less control
// characters, invalid UTF-8 and leading @, at most maxNameLen characters; the user id when
// nothing is left.
func displayName(name, userID string) string {
	var b strings.Builder
	n := 0
	for _, r := range strings.ToValidUTF8(name, "") {
		if n == maxNameLen {
			break
		}
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			continue
		}
		b.WriteRune(r)
		n++
	}
	if s := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(b.String()), "@")); s != "" {
		return s
	}
	return userID
}

// isHexNonce reports whether s has the form of an issued nonce: 32 lowercase hex digits.
func isHexNonce(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// VerifyWalletLink checks a signed EIP-4361 message against the sign-in
// link with this nonce and, when everything holds, links the signing
// address to the link's Discord user.
//
// Every field must be what was issued: domain (PublicURL's host and port),
// scheme if present, URI, version 1, chain id, this link's nonce, the
// statement naming this Discord user, the issued-at time (to the second, not
// in the future), an expiration time no later than 10 minutes after issuance
// and not passed, a not-before time (if any) passed, no request id or
// resources. The signature must be a 65-byte EIP-191 personal_sign
// signature with V 27 or 28 that recovers to the message's address, or,
// when the address is a contract and the server has a ContractCaller, a
// signature the contract accepts under EIP-1271 (isValidSignature over the
// message's EIP-191 hash); and the address must not be linked to another
// member. Any failure returns a
// *trustbot.Error and writes nothing; only when another member links the
// same address between these checks and the link itself is the nonce left
// spent (the error says to run /wallet link again).
func (s *Server) VerifyWalletLink(ctx context.Context, nonce, message string, signature []byte) (trustbot.WalletLink, error) {
	link, _, err := s.verifyWalletLink(ctx, nonce, message, signature)
	return link, err
}

func (s *Server) verifyWalletLink(ctx context.Context, nonce, message string, signature []byte) (trustbot.WalletLink, issuedLink, error) {
	issued, err := s.lookupLink(ctx, nonce)
	if err != nil {
		return trustbot.WalletLink{}, issuedLink{}, err
	}
	m, err := siwe.Parse(message)
	if err != nil {
		return trustbot.WalletLink{}, issuedLink{}, err
	}
	if err := s.checkMessage(m, issued.msg); err != nil {
		return trustbot.WalletLink{}, issuedLink{}, err
	}
	addr := common.HexToAddress(m.Address)
	signer, err := recoverPersonalSign(message, signature)
	if err == nil && signer != addr {
		err = trustbot.Errorf(trustbot.EInvalid,
			"The signature was made by %s, not by %s, the address in the message.", signer.Hex(), addr.Hex())
	}
	if err != nil {
		// A smart-contract wallet signs with its owners' keys, not its own:
		// the contract itself says whether the signature is its (EIP-1271).
		ok, cerr := s.contractSigned(ctx, addr, common.Hash(accounts.TextHash([]byte(message))), signature)
		if cerr != nil {
			return trustbot.WalletLink{}, issuedLink{}, cerr
		}
		if !ok {
			return trustbot.WalletLink{}, issuedLink{}, err
		}
	}

	// An address another member linked is refused before the nonce is spent.
	if owner, err := s.db.UserByAddress(ctx, addr); err == nil && owner.UserID != issued.userID {
		return trustbot.WalletLink{}, issuedLink{}, alreadyLinked(addr, false)
	} else if err != nil && trustbot.ErrorCode(err) != trustbot.ENotFound {
		return trustbot.WalletLink{}, issuedLink{}, redact(err, "web: verify wallet link", nonce)
	}

	// Every check passed: spend the nonce, then link. If another member
	// links the same address in between, LinkWallet fails with a conflict
	// and the nonce stays spent; the user has to run /wallet link again,
	// which is acceptable for such a race and is said in the error.
	if _, err := s.db.UseNonce(ctx, nonce, issued.userID); err != nil {
		return trustbot.WalletLink{}, issuedLink{}, redact(err, "web: verify wallet link: use nonce", nonce)
	}
	linked, err := s.db.LinkWallet(ctx, trustbot.WalletLink{
		UserID:  issued.userID,
		Address: addr,
		ChainID: s.cfg.ChainID,
		Method:  "siwe",
	})
	if trustbot.ErrorCode(err) == trustbot.EConflict {
		return trustbot.WalletLink{}, issuedLink{}, alreadyLinked(addr, true)
	} else if err != nil {
		return trustbot.WalletLink{}, issuedLink{}, redact(err, "web: verify wallet link: link wallet", nonce)
	}
	s.log.InfoContext(ctx, "wallet linked", "nonce", trustbot.ShortID(nonce), "user", linked.UserID, "address", linked.Address)
	if s.OnLinked != nil {
		s.OnLinked(ctx, linked)
	}
	return linked, issued, nil
}

// alreadyLinked is the error for an address another member linked.
func alreadyLinked(addr common.Address, spent bool) error {
	msg := fmt.Sprintf("%s is already linked to another Discord member; they must unlink it first.", addr.Hex())
	if spent {
		msg += " This sign-in link is used up: run /wallet link again."
	}
	return trustbot.Errorf(trustbot.EConflict, "%s", msg)
}

// checkMessage compares a parsed message with the one that was issued.
// ParseSIWE has already refused a version other than 1 and an address
// without a valid EIP-55 checksum.
func (s *Server) checkMessage(m, want siwe.Message) error {
	invalid := func(format string, args ...any) error {
		return trustbot.Errorf(trustbot.EInvalid, format, args...)
	}
	now := s.now()
	switch {
	case !strings.EqualFold(m.Domain, want.Domain):
		return invalid("The message is for %s, not for %s.", m.Domain, want.Domain)
	case m.Scheme != "" && m.Scheme != s.scheme:
		return invalid("The message names the scheme %s, but this site is served over %s.", m.Scheme, s.scheme)
	case m.URI != want.URI:
		return invalid("The message's URI is %s, not %s.", m.URI, want.URI)
	case m.ChainID != want.ChainID:
		return invalid("The message is for chain %d, not chain %d.", m.ChainID, want.ChainID)
	case m.Nonce != want.Nonce:
		return invalid("The message's nonce is not the nonce of this sign-in link.")
	case m.Statement != want.Statement:
		return invalid("The message's statement must read %q: it names the Discord member this link was made for.", want.Statement)
	case !m.IssuedAt.Truncate(time.Second).Equal(want.IssuedAt):
		return invalid("The message says it was issued at %s, but this link was issued at %s.",
			m.IssuedAt.UTC().Format(time.RFC3339), want.IssuedAt.UTC().Format(time.RFC3339))
	case m.IssuedAt.After(now):
		return invalid("The message's issued-at time %s is in the future.", m.IssuedAt.UTC().Format(time.RFC3339))
	case m.ExpirationTime.IsZero():
		return invalid("The message needs an expiration time.")
	case !m.ExpirationTime.After(m.IssuedAt):
		return invalid("The message's expiration time must be after its issued-at time.")
	case m.ExpirationTime.After(want.IssuedAt.Add(MaxSIWETTL)):
		return invalid("The message's expiration time may be at most %d minutes after it was issued.", int(MaxSIWETTL/time.Minute))
	case !now.Before(m.ExpirationTime):
		return trustbot.Errorf(trustbot.EExpired, "The message's expiration time has passed. Run /wallet link again.")
	case !m.NotBefore.IsZero() && now.Before(m.NotBefore):
		return invalid("The message is not valid before %s.", m.NotBefore.UTC().Format(time.RFC3339))
	case m.RequestID != "":
		return invalid("The message carries a request ID this sign-in link did not ask for.")
	case m.Resources != nil:
		return invalid("The message lists resources this sign-in link did not ask for.")
	}
	return nil
}

// recoverPersonalSign returns the address whose key made an EIP-191
// personal_sign signature (r ‖ s ‖ v, v 27 or 28) over message.
func recoverPersonalSign(message string, sig []byte) (common.Address, error) {
	if len(sig) != crypto.SignatureLength {
		return common.Address{}, trustbot.Errorf(trustbot.EInvalid,
			"The signature must be %d bytes long, not %d.", crypto.SignatureLength, len(sig))
	}
	v := sig[crypto.RecoveryIDOffset]
	if v != 27 && v != 28 {
		return common.Address{}, trustbot.Errorf(trustbot.EInvalid,
			"The signature's recovery byte V must be 27 or 28, not %d.", v)
	}
	r, sv := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:64])
	// homestead rules: S in the lower half of the curve order, as every
	// wallet makes them (the upper half is the malleable twin).
	if !crypto.ValidateSignatureValues(v-27, r, sv, true) {
		return common.Address{}, trustbot.Errorf(trustbot.EInvalid, "The signature is not a valid secp256k1 signature.")
	}
	rsv := make([]byte, crypto.SignatureLength)
	copy(rsv, sig)
	rsv[crypto.RecoveryIDOffset] = v - 27
	pub, err := crypto.SigToPub(accounts.TextHash([]byte(message)), rsv)
	if err != nil {
		return common.Address{}, trustbot.Errorf(trustbot.EInvalid, "The signature is not a valid secp256k1 signature.")
	}
	return crypto.PubkeyToAddress(*pub), nil
}
