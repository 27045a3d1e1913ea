package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/trustbot/trustbot/web"
)

// TestWalletLinkSurvivesRestart: a sign-in link issued before a restart still verifies with a
// new server over the same database, and stays single use.
func TestWalletLinkSurvivesRestart(t *testing.T) {
	e := newEnv(t)
	nonce, m := e.issueLink()
	text := m.String()

	restarted, err := web.New(web.Config{PublicURL: "http://" + e.ts.Listener.Addr().String(), ChainID: chainID}, e.db, e.client, e.clk.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	link, err := restarted.VerifyWalletLink(context.Background(), nonce, text, personalSign(t, e.alice, text))
	if err != nil {
		t.Fatalf("VerifyWalletLink after restart: %v", err)
	}
	if want := addrOf(e.alice); link.Address != want || link.UserID != discordID {
		t.Fatalf("linked %+v, want %s for %s", link, want, discordID)
	}
	if _, err := restarted.VerifyWalletLink(context.Background(), nonce, text, personalSign(t, e.alice, text)); err == nil ||
		!strings.Contains(err.Error(), "already used") {
		t.Fatalf("second use after restart: %v, want already used", err)
	}
}
