package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/trustbot/trustbot/web/wire"

	"github.com/trustbot/trustbot/web/siwe"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/trustbot/trustbot"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// staticTypes are the content types of the embedded static files.
var staticTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
}

var templates = template.Must(template.ParseFS(templateFS, "templates/*.html"))

// maxBody caps every request body.
const maxBody = 4 << 10

// Security headers sent with every response.
var securityHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
	"X-Frame-Options":         "DENY",
	"Referrer-Policy":         "no-referrer",
	"Cache-Control":           "no-store",
	"X-Content-Type-Options":  "nosniff",
}

// Handler serves the pages and their JSON API:
//
//	GET  /s/{id}                the signing request as a page (marks it opened)
//	GET  /s/{id}.json           the signing request as JSON
//	GET  /s/{id}/qr.png         a QR code of the EIP-681 URI of a single-call request
//	POST /s/{id}/check          run the request's calls again before sending one: the request as JSON (stale when the chain would now refuse them)
//	POST /s/{id}/tx             report a transaction: {"index": N, "hash": "0x…"}
//	GET  /l/{nonce}             the sign-in link as a page
//	GET  /l/{nonce}.json        what to sign, as JSON
//	POST /l/{nonce}/message     the exact text to sign for an address: {"address": "0x…"}
//	POST /l/{nonce}             the signed message: {"message": "…", "signature": "0x…"}
//	GET  /static/{file}         style.css and the pages' scripts
//	GET  /                      a page that says what trustbot and these pages are
//
// The paths are relative to PublicURL's path: when PublicURL has one, mount
// the handler under it with http.StripPrefix.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /s/{id}", s.getRequest)
	mux.HandleFunc("GET /s/{id}/qr.png", s.getQR)
	mux.HandleFunc("POST /s/{id}/check", s.postCheck)
	mux.HandleFunc("POST /s/{id}/tx", s.postTx)
	mux.HandleFunc("GET /l/{nonce}", s.getLink)
	mux.HandleFunc("POST /l/{nonce}/message", s.postLinkMessage)
	mux.HandleFunc("POST /l/{nonce}", s.postLink)
	mux.HandleFunc("GET /static/{file}", s.getStatic)
	mux.HandleFunc("GET /{$}", s.getIndex)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeJSON(w, r, http.StatusNotFound, wire.Error{Error: "There is nothing here."})
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range securityHeaders {
			w.Header().Set(k, v)
		}
		mux.ServeHTTP(w, r)
	})
}

// getIndex is the page at the signing pages' base URL, the one the start banner shows: what
// trustbot is and that its links open here.
func (s *Server) getIndex(w http.ResponseWriter, r *http.Request) {
	s.writePage(w, r, http.StatusOK, "index.html", struct {
		Chain   string
		ChainID uint64
	}{s.cfg.ChainName, s.cfg.ChainID})
}

// statusFor maps an error code to an HTTP status.
func statusFor(err error) int {
	switch trustbot.ErrorCode(err) {
	case trustbot.EInvalid, trustbot.EReverted:
		return http.StatusUnprocessableEntity
	case trustbot.ENotFound:
		return http.StatusNotFound
	case trustbot.EConflict:
		return http.StatusConflict
	case trustbot.EExpired:
		return http.StatusGone
	case trustbot.EForbidden:
		return http.StatusForbidden
	case trustbot.EUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// logInternal logs an error users only see as a generic sentence.
func (s *Server) logInternal(r *http.Request, err error) {
	if trustbot.ErrorCode(err) == trustbot.EInternal {
		s.log.ErrorContext(r.Context(), "web: internal error", "method", r.Method, "route", r.Pattern, "err", err)
	}
}

// writeError answers with {"error": message} and the fitting status.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	s.logInternal(r, err)
	s.writeJSON(w, r, statusFor(err), wire.Error{Error: trustbot.ErrorMessage(err)})
}

func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.log.ErrorContext(r.Context(), "web: encode json", "route", r.Pattern, "err", err)
		status = http.StatusInternalServerError
		b, _ = json.Marshal(wire.Error{Error: trustbot.ErrorMessage(err)})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// writePage renders a template; a failure is logged and answered with 500.
func (s *Server) writePage(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, name, data); err != nil {
		s.log.ErrorContext(r.Context(), "web: render page", "template", name, "err", err)
		status = http.StatusInternalServerError
		buf.Reset()
		templates.ExecuteTemplate(&buf, "error.html", errorView{Title: "Error", Message: trustbot.ErrorMessage(err)})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// writeErrorPage renders err as a page.
func (s *Server) writeErrorPage(w http.ResponseWriter, r *http.Request, title string, err error) {
	s.logInternal(r, err)
	s.writePage(w, r, statusFor(err), "error.html", errorView{Title: title, Message: trustbot.ErrorMessage(err)})
}

// decodeJSON reads a JSON object of at most maxBody bytes with no unknown
// fields into v. On failure it answers the request and returns false.
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	fail := func(status int, msg string) bool {
		s.writeJSON(w, r, status, wire.Error{Error: msg})
		return false
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return fail(http.StatusUnsupportedMediaType, "Send the request body as application/json.")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if err = dec.Decode(new(json.RawMessage)); err == io.EOF {
			return true
		} else if err == nil {
			return fail(http.StatusBadRequest, "The request body must hold a single JSON object.")
		}
	}
	var (
		tooLarge  *http.MaxBytesError
		syntax    *json.SyntaxError
		wrongType *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooLarge):
		return fail(http.StatusRequestEntityTooLarge, fmt.Sprintf("The request body is larger than %d bytes.", maxBody))
	case errors.As(err, &wrongType):
		return fail(http.StatusBadRequest, fmt.Sprintf("The field %q has the wrong type.", wrongType.Field))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fail(http.StatusBadRequest, fmt.Sprintf("The request body has an unknown field %s.", strings.TrimPrefix(err.Error(), "json: unknown field ")))
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return fail(http.StatusBadRequest, "The request body is not valid JSON.")
	default:
		return fail(http.StatusBadRequest, "The request body is not a JSON object of the expected form.")
	}
}

// Signing requests.

func (s *Server) requestJSON(r trustbot.SigningRequest) wire.SigningRequest {
	out := wire.SigningRequest{
		ID:          r.ID,
		Kind:        r.Kind,
		Summary:     r.Summary,
		ChainID:     r.ChainID,
		ChainName:   s.cfg.ChainName,
		Signer:      r.Signer.Hex(),
		Calls:       make([]wire.Call, len(r.Calls)),
		Txs:         make([]wire.Tx, len(r.Txs)),
		Status:      displayStatus(r, s.now()),
		Error:       r.Error,
		ExpiresAt:   r.ExpiresAt.UTC().Format(time.RFC3339Nano),
		Now:         s.now().UTC().Format(time.RFC3339Nano),
		RPCURL:      s.cfg.RPCURL,
		ExplorerURL: s.cfg.ExplorerURL,
	}
	for i, c := range r.Calls {
		var unit trustbot.Token
		if i < len(r.Units) {
			unit = r.Units[i]
		}
		call, d, decoded := describe(c, r.Labels, unit)
		out.Calls[i] = wire.Call{To: c.To.Hex(), ToLabel: r.Labels[c.To], Data: hexutil.Encode(c.Data), Value: trustbot.OrZero(c.Value).String(), Decoded: decoded}
		if len(r.Calls) == 1 {
			out.EIP681 = eip681(r.ChainID, call, d, decoded)
		}
	}
	for i, t := range r.Txs {
		out.Txs[i] = wire.Tx{Index: t.Index, Hash: t.Hash.Hex(), Status: string(t.Status)}
		if t.Status == trustbot.TxConfirmed {
			n := t.BlockNumber
			out.Txs[i].BlockNumber = &n
		}
	}
	return out
}

type callView struct {
	Index   int // from 0
	Number  int // from 1
	To      string
	ToShort string
	ToName  string // the label of To, else ToShort
	Value   string // wei
	Ether   string // the value in ether
	Data    string
	Bytes   int // length of the calldata
	Decoded *wire.Decoded
	Tx      *wire.Tx // the transaction reported for it, if any
}

type requestView struct {
	ID          string
	Kind        string
	Summary     string
	Status      string
	Error       string
	ChainID     uint64
	ChainName   string
	Signer      string
	SignerShort string
	ExpiresAt   string
	ExpiresISO  string
	Calls       []callView
	JSONHref    string
	TxHref      string
	CheckHref   string
	EIP681      template.URL // built from a decoded call: safe to link
	QRHref      string
}

type errorView struct {
	Title   string
	Message string
}

// getRequest serves GET /s/{id} (the page, which marks the request opened)
// and GET /s/{id}.json. Both run the request's calls again while it waits for its signer
// (see Recheck): a chain that cannot be reached then leaves the request as it is, and the
// check before each send says so.
func (s *Server) getRequest(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if jsonID, ok := strings.CutSuffix(id, ".json"); ok {
		req, err := s.db.Request(r.Context(), jsonID)
		if err != nil {
			s.writeError(w, r, redact(err, "web: get request", jsonID))
			return
		}
		s.writeJSON(w, r, http.StatusOK, s.requestJSON(s.recheckQuietly(r, req)))
		return
	}

	req, err := s.db.MarkOpened(r.Context(), id)
	if err != nil {
		s.writeErrorPage(w, r, "Signing request", redact(err, "web: open request", id))
		return
	}
	req = s.recheckQuietly(r, req)
	j := s.requestJSON(req)
	v := requestView{
		ID:          req.ID,
		Kind:        req.Kind,
		Summary:     req.Summary,
		Status:      j.Status,
		Error:       req.Error,
		ChainID:     req.ChainID,
		ChainName:   j.ChainName,
		Signer:      j.Signer,
		SignerShort: trustbot.ShortAddress(common.HexToAddress(j.Signer)),
		ExpiresAt:   req.ExpiresAt.UTC().Format("2006-01-02 15:04:05 UTC"),
		ExpiresISO:  j.ExpiresAt,
		JSONHref:    req.ID + ".json",
		TxHref:      req.ID + "/tx",
		CheckHref:   req.ID + "/check",
		EIP681:      template.URL(j.EIP681),
	}
	if j.EIP681 != "" {
		v.QRHref = req.ID + "/qr.png"
	}
	for i, c := range j.Calls {
		v.Calls = append(v.Calls, callView{
			Index: i, Number: i + 1, To: c.To, ToShort: trustbot.ShortAddress(common.HexToAddress(c.To)),
			ToName: addressName(common.HexToAddress(c.To), req.Labels),
			Value:  c.Value, Ether: formatEther(c.Value), Data: c.Data, Bytes: (len(c.Data) - 2) / 2, Decoded: c.Decoded,
		})
	}
	for i := range j.Txs {
		if t := &j.Txs[i]; t.Index >= 0 && t.Index < len(v.Calls) {
			v.Calls[t.Index].Tx = t
		}
	}
	s.writePage(w, r, http.StatusOK, "request.html", v)
}

// getQR serves GET /s/{id}/qr.png: the EIP-681 URI of a request's single
// call as a QR code, for a phone wallet to scan. A request of several calls
// (or of one that EIP-681 cannot express) has none, and one that no longer
// waits for its signer gets the reason instead.
func (s *Server) getQR(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	req, err := s.db.Request(r.Context(), id)
	if err != nil {
		s.writeError(w, r, redact(err, "web: qr code", id))
		return
	}
	if err := req.CheckOpen(s.now()); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !req.AwaitingSigner() {
		s.writeError(w, r, trustbot.Errorf(trustbot.EConflict, "Every transaction of this request was already submitted."))
		return
	}
	uri := s.requestJSON(req).EIP681
	if uri == "" {
		s.writeError(w, r, trustbot.Errorf(trustbot.ENotFound, "This request has no QR code: a phone wallet cannot scan it in one transaction."))
		return
	}
	png, err := qrPNG(uri)
	if err != nil {
		s.writeError(w, r, redact(err, "web: qr code", id))
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(png)
}

// getStatic serves the embedded stylesheet and scripts.
func (s *Server) getStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	typ := staticTypes[path.Ext(name)]
	b, err := staticFS.ReadFile("static/" + name)
	if typ == "" || err != nil {
		s.writeJSON(w, r, http.StatusNotFound, wire.Error{Error: "There is nothing here."})
		return
	}
	w.Header().Set("Content-Type", typ)
	w.Write(b)
}

// recheckQuietly is recheck for a read of the request: a check that could not be made is
// logged and the request shown as it is.
func (s *Server) recheckQuietly(r *http.Request, req trustbot.SigningRequest) trustbot.SigningRequest {
	checked, err := s.recheck(r.Context(), req)
	if trustbot.ErrorCode(err) == trustbot.EInternal {
		s.logInternal(r, err)
		return req
	} else if err != nil {
		s.log.WarnContext(r.Context(), "web: check request", "request", trustbot.ShortID(req.ID), "route", r.Pattern, "err", err)
		return req
	}
	return checked
}

// postCheck serves POST /s/{id}/check, which the page calls before it sends each call: the
// request as JSON, stale (with the reason as its error) when the chain would now refuse its
// calls. It takes an empty JSON object.
func (s *Server) postCheck(w http.ResponseWriter, r *http.Request) {
	var body struct{}
	if !s.decodeJSON(w, r, &body) {
		return
	}
	id := r.PathValue("id")
	req, err := s.db.Request(r.Context(), id)
	if err != nil {
		s.writeError(w, r, redact(err, "web: check request", id))
		return
	}
	if err := req.CheckAwaiting(s.now()); err != nil && req.Status != trustbot.StatusStale {
		s.writeError(w, r, err)
		return
	}
	req, err = s.recheck(r.Context(), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, s.requestJSON(req))
}

// postTx serves POST /s/{id}/tx.
func (s *Server) postTx(w http.ResponseWriter, r *http.Request) {
	var body wire.TxReport
	if !s.decodeJSON(w, r, &body) {
		return
	}
	if body.Index == nil || body.Hash == nil {
		s.writeJSON(w, r, http.StatusBadRequest, wire.Error{Error: `The report needs both "index" and "hash".`})
		return
	}
	req, err := s.ReportTx(r.Context(), r.PathValue("id"), *body.Index, *body.Hash)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, s.requestJSON(req))
}

// Sign-in links.

type linkView struct {
	User        string // the Discord name, without @
	UserID      string
	Message     string
	ExpiresAt   string
	JSONHref    string
	MessageHref string
	PostHref    string
}

// addressPlaceholder stands for the address line on the page.
const addressPlaceholder = "(the address of the wallet you sign with)"

// getLink serves GET /l/{nonce} and GET /l/{nonce}.json.
func (s *Server) getLink(w http.ResponseWriter, r *http.Request) {
	nonce, asJSON := strings.CutSuffix(r.PathValue("nonce"), ".json")
	link, err := s.lookupLink(r.Context(), nonce)
	if err != nil {
		if asJSON {
			s.writeError(w, r, err)
		} else {
			s.writeErrorPage(w, r, "Link a wallet", err)
		}
		return
	}
	m := link.msg
	if asJSON {
		s.writeJSON(w, r, http.StatusOK, wire.SignIn{
			Domain:         m.Domain,
			URI:            m.URI,
			ChainID:        m.ChainID,
			Nonce:          m.Nonce,
			IssuedAt:       siwe.FormatTime(m.IssuedAt),
			ExpirationTime: siwe.FormatTime(m.ExpirationTime),
			Statement:      m.Statement,
			Version:        m.Version,
			User:           link.userName,
		})
		return
	}
	m.Address = addressPlaceholder
	s.writePage(w, r, http.StatusOK, "link.html", linkView{
		User:        link.userName,
		UserID:      link.userID,
		Message:     m.String(),
		ExpiresAt:   m.ExpirationTime.UTC().Format("2006-01-02 15:04:05 UTC"),
		JSONHref:    nonce + ".json",
		MessageHref: nonce + "/message",
		PostHref:    nonce,
	})
}

// postLinkMessage serves POST /l/{nonce}/message: the EIP-4361 text the
// wallet at the given address is to sign for this link, built by
// siwe.Message.String so that the page signs exactly what the server checks.
// It writes nothing.
func (s *Server) postLinkMessage(w http.ResponseWriter, r *http.Request) {
	var body wire.MessageFor
	if !s.decodeJSON(w, r, &body) {
		return
	}
	if body.Address == nil {
		s.writeJSON(w, r, http.StatusBadRequest, wire.Error{Error: `The request needs an "address".`})
		return
	}
	a := *body.Address
	if len(a) != 42 || (a[:2] != "0x" && a[:2] != "0X") || !siwe.IsHexDigits(a[2:]) {
		s.writeError(w, r, trustbot.Errorf(trustbot.EInvalid, "An address is 0x followed by 40 hex digits."))
		return
	}
	link, err := s.lookupLink(r.Context(), r.PathValue("nonce"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	m := link.msg
	m.Address = common.HexToAddress(a).Hex()
	s.writeJSON(w, r, http.StatusOK, wire.Message{Message: m.String()})
}

// postLink serves POST /l/{nonce}.
func (s *Server) postLink(w http.ResponseWriter, r *http.Request) {
	var body wire.SignedIn
	if !s.decodeJSON(w, r, &body) {
		return
	}
	if body.Message == nil || body.Signature == nil {
		s.writeJSON(w, r, http.StatusBadRequest, wire.Error{Error: `The request needs both "message" and "signature".`})
		return
	}
	sig, err := hexutil.Decode(*body.Signature)
	if err != nil {
		s.writeError(w, r, trustbot.Errorf(trustbot.EInvalid, "The signature must be 0x followed by hex digits."))
		return
	}
	link, issued, err := s.verifyWalletLink(r.Context(), r.PathValue("nonce"), *body.Message, sig)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, wire.Linked{Address: link.Address.Hex(), User: issued.userName})
}
