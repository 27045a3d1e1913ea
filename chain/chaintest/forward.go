// Package chaintest helps tests stand between trustbot and a chain node.
package chaintest

import (
	"bytes"
	"io"
	"net/http"
)

// Forward posts a JSON-RPC body to the node at upstream with hc (nil: http.DefaultClient) and
// writes the node's answer to w: its status, content type and body. A node that cannot be
// reached gets 502 Bad Gateway.
func Forward(w http.ResponseWriter, hc *http.Client, upstream string, body []byte) {
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Post(upstream, "application/json", bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}
