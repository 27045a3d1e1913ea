package bot

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

const (
	// maxInteractionBody bounds a request to the interactions endpoint.
	maxInteractionBody = 64 << 10
	// maxClockSkew is how far a request's signature timestamp may be from now.
	maxClockSkew = 5 * time.Minute
)

// InteractionsHandler serves Discord's HTTP interactions endpoint (POST /interactions): it
// verifies the ed25519 signature over X-Signature-Timestamp + body with the application's public
// key (401 when it is missing, wrong or more than 5 minutes old), answers PING with PONG, and
// answers a command in the response body: the reply itself, or a deferral whose work goes on in
// the background and ends with an edit of the original response.
func (b *Bot) InteractionsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxInteractionBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "cannot read the request body", http.StatusBadRequest)
			return
		}
		if !b.verify(r.Header, body) {
			http.Error(w, "invalid request signature", http.StatusUnauthorized)
			return
		}
		var i discordgo.Interaction
		if err := json.Unmarshal(body, &i); err != nil {
			http.Error(w, "malformed interaction", http.StatusBadRequest)
			return
		}
		if !b.enter() {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		handedOff := false
		defer func() {
			if !handedOff {
				b.wg.Done()
			}
		}()
		first, then := b.dispatch(b.ctx, &i)
		if first == nil {
			http.Error(w, "interaction type not supported", http.StatusBadRequest)
			return
		}
		out, err := json.Marshal(first)
		if err != nil {
			b.log.Error("discord: encoding the interaction response", "interaction", i.ID, "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(out)))
		w.WriteHeader(http.StatusOK)
		if _, err := w.Write(out); err != nil {
			b.log.Warn("discord: writing the interaction response", "interaction", i.ID, "err", err)
			return
		}
		// The acknowledgement leaves now, before any of the work it acknowledges starts.
		if err := http.NewResponseController(w).Flush(); err != nil {
			b.log.Debug("discord: flushing the interaction response", "err", err)
		}
		if then != nil {
			handedOff = true
			b.goWork("http interaction "+i.ID, then)
		}
	})
}

// verify checks Discord's signature on an interactions request.
func (b *Bot) verify(h http.Header, body []byte) bool {
	if len(b.cfg.PublicKey) != ed25519.PublicKeySize {
		b.log.Error("discord: the interactions endpoint has no valid public key (DISCORD_PUBLIC_KEY)")
		return false
	}
	sig, err := hex.DecodeString(h.Get("X-Signature-Ed25519"))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return false
	}
	ts := h.Get("X-Signature-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	if d := b.cfg.Now().Sub(time.Unix(sec, 0)); d > maxClockSkew || d < -maxClockSkew {
		return false
	}
	msg := make([]byte, 0, len(ts)+len(body))
	msg = append(append(msg, ts...), body...)
	return ed25519.Verify(b.cfg.PublicKey, msg, sig)
}
