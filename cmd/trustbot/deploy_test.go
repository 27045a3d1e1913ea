package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/devchain"
)

// TestDeploy: on a chain with the deterministic deployer and no factory, the bot refuses to start
// and says so; `trustbot deploy --dev alice` makes the signing link and signs it through the
// signing page's endpoints with alice's dev key, and the factory lands at the address computed
// offline; a second deploy has nothing to do; then the playground's trip runs on that chain.
func TestDeploy(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	node, err := devchain.Start(ctx, devchain.Options{Members: devMembers, Addr: "127.0.0.1:0", WithoutFactory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(node.Close)
	env := map[string]string{"DATA_DIR": t.TempDir(), "LISTEN_ADDR": "127.0.0.1:0", "ETH_RPC_URL": node.URL(),
		"ASSETS": "tUSD=" + node.TestUSD().Hex(), "POLL_INTERVAL": "50ms", "CONFIRMATIONS": "0"}
	cfg := testConfig(t, env)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	_, err = newApp(ctx, cfg, "trustbot.db", false, io.Discard, log)
	want := "There is no TrustReserveFactory of this build at " + chain.FactoryAddress().Hex() + ", the address it has on every chain, on chain 1337 yet"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("start without the factory: got %v, want %q…", err, want)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--from", "0x12"}, `deploy: --from must be the 0x address of the wallet that will send the deployment, got "0x12"`},
		{[]string{"--dev", "alice", "--from", "0x0000000000000000000000000000000000000001"}, "deploy: give --from or --dev, not both"},
		{[]string{"--colour", "red"}, `deploy: unknown flag "--colour"`},
	} {
		if err := runDeploy(ctx, cfg, tc.args, io.Discard, log); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("deploy %v: got %v, want %q", tc.args, err, tc.want)
		}
	}

	var out bytes.Buffer
	start := time.Now()
	if err := runDeploy(ctx, cfg, []string{"--dev", "alice"}, &out, log); err != nil {
		t.Fatalf("deploy: %v\n%s", err, out.String())
	}
	t.Logf("deployed in %v", time.Since(start).Round(time.Millisecond))
	for _, w := range []string{"The factory is not on chain 1337 yet. Open this link and send the deployment from " + chain.Wallet{Key: chain.DevKey("alice")}.Address().Hex(),
		"/s/", "Deployed: the factory is at " + chain.FactoryAddress().Hex() + " on chain 1337, the address computed offline."} {
		if !strings.Contains(out.String(), w) {
			t.Fatalf("deploy printed:\n%s\nwant it to contain %q", out.String(), w)
		}
	}
	out.Reset()
	if err := runDeploy(ctx, cfg, []string{"--dev", "alice"}, &out, log); err != nil || !strings.Contains(out.String(), "already at "+chain.FactoryAddress().Hex()) {
		t.Fatalf("second deploy: got %v, %q; want it to find the factory there", err, out.String())
	}

	tripOn(t, ctx, env)
}

// tripOn runs the README's trip through a playground configured by env (an external node).
func tripOn(t *testing.T, ctx context.Context, env map[string]string) {
	t.Helper()
	printed := &syncBuffer{}
	p, err := startPlayground(ctx, testConfig(t, env), printed, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("playground on %s: %v", env["ETH_RPC_URL"], err)
	}
	defer p.Close()
	p.Console.Wait = 30 * time.Second
	_, offset := printed.Since(0)
	tripStory(t, func(line string) string {
		p.Console.Exec(ctx, line)
		var got string
		got, offset = printed.Since(offset)
		return got
	})
}
