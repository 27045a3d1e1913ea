package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/trustbot/trustbot/bot/discordtest"
	"github.com/trustbot/trustbot/chain/devchain"
)

// binaryRun is the trustbot binary running in a temp dir with only the given environment.
type binaryRun struct {
	t      *testing.T
	cmd    *exec.Cmd
	out    *syncBuffer
	exited chan struct{} // closed when the process has exited; err is then its exit
	err    error
}

// startBinary starts bin with env (plus PATH and HOME) and stdin from a pipe holding stdin.
func startBinary(t *testing.T, bin string, env []string, stdin string, args ...string) *binaryRun {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir // no .env there
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "DATA_DIR=" + filepath.Join(dir, "data"), "LISTEN_ADDR=127.0.0.1:0"}, env...)
	cmd.Stdin = strings.NewReader(stdin)
	r := &binaryRun{t: t, cmd: cmd, out: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = r.out, r.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.err = cmd.Wait(); close(r.exited) }()
	t.Cleanup(func() {
		select {
		case <-r.exited:
		default:
			cmd.Process.Kill()
			<-r.exited
		}
	})
	return r
}

// output is everything the process wrote so far.
func (r *binaryRun) output() string {
	s, _ := r.out.Since(0)
	return s
}

// wait returns the process's exit, failing the test after timeout.
func (r *binaryRun) wait(timeout time.Duration) error {
	r.t.Helper()
	select {
	case <-r.exited:
		return r.err
	case <-time.After(timeout):
		r.t.Fatalf("trustbot still running after %s\n%s", timeout, r.output())
		return nil
	}
}

// waitOutput waits until the output holds want, failing the test after timeout.
func (r *binaryRun) waitOutput(want string, timeout time.Duration) {
	r.t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(r.output(), want) {
		if time.Now().After(deadline) {
			r.t.Fatalf("output after %s:\n%s\nwant it to contain %q", timeout, r.output(), want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// wantRefusal fails unless the process exits with an error and the last line of its output is
// "trustbot: " followed by one sentence containing want.
func (r *binaryRun) wantRefusal(what, want string) {
	r.t.Helper()
	err := r.wait(60 * time.Second)
	out := r.output()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	last := lines[len(lines)-1]
	if err == nil || !strings.HasPrefix(last, "trustbot: ") || !strings.Contains(last, want) {
		r.t.Errorf("%s: got %v\n%s\nwant an exit with the last line \"trustbot: …%s…\"", what, err, out, want)
	}
}

// chainIDNode is a JSON-RPC node that answers eth_chainId with id and anything else with an
// error; it records every method asked.
func chainIDNode(t *testing.T, id uint64) (string, func() []string) {
	t.Helper()
	var (
		mu      sync.Mutex
		methods []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		methods = append(methods, req.Method)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if req.Method == "eth_chainId" {
			fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"result":"0x%x"}`, req.ID, id)
			return
		}
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"error":{"code":-32601,"message":"the method %s does not exist"}}`, req.ID, req.Method)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(methods)
	}
}

// TestBinaryPlaygroundRefusals: the playground, which signs with the public dev keys, refuses a
// chain that is not a local dev chain in every build; and the deployment build refuses to start
// one on ETH_RPC_URL when stdin is not a terminal (a service missing its DISCORD_TOKEN). Each
// refusal is one sentence naming the setting.
func TestBinaryPlaygroundRefusals(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	external := func(rpc string) []string {
		return []string{"ETH_RPC_URL=" + rpc, "FACTORY_ADDRESS=0x00000000000000000000000000000000000000f1", "ASSETS=ETH=native"}
	}
	t.Run("a chain that is not a local dev chain", func(t *testing.T) {
		bin := buildBinary(t, "")
		for _, args := range [][]string{{}, {"playground"}} {
			rpc, methods := chainIDNode(t, 11155111)
			r := startBinary(t, bin, external(rpc), "/as alice\n/wallet link\n/approve\n", args...)
			r.wantRefusal(fmt.Sprintf("trustbot %v on chain 11155111", args), "ETH_RPC_URL "+rpc+" is on chain 11155111, not a local dev chain (1337 or 31337), "+
				"and the playground signs with public dev keys, so it runs only on one: point ETH_RPC_URL at a local node such as anvil, or set DISCORD_TOKEN")
			if got := methods(); fmt.Sprint(got) != "[eth_chainId]" {
				t.Errorf("trustbot %v on chain 11155111: the node was asked %v, want only [eth_chainId]", args, got)
			}
		}
		for _, id := range []uint64{1337, 31337} {
			rpc, _ := chainIDNode(t, id)
			r := startBinary(t, bin, external(rpc), "", "playground")
			r.wait(60 * time.Second)
			if out := r.output(); strings.Contains(out, "not a local dev chain") {
				t.Errorf("playground on chain %d: got %s, want no refusal of the chain", id, out)
			}
		}
	})
	t.Run("the deployment build without a terminal", func(t *testing.T) {
		bin := buildBinary(t, deployTags)
		rpc, methods := chainIDNode(t, 1337)
		for _, tc := range []struct {
			args []string
			want string
		}{
			{nil, "DISCORD_TOKEN is empty, and this deployment build (-tags nodevchain) starts the playground in the bot's place only at a terminal, which stdin is not: set DISCORD_TOKEN"},
			{[]string{"playground"}, "the playground of this deployment build (-tags nodevchain) runs only at a terminal and stdin is not one: run trustbot playground in a terminal, or set DISCORD_TOKEN"},
		} {
			r := startBinary(t, bin, external(rpc), "/as alice\n/wallet link\n/approve\n", tc.args...)
			r.wantRefusal(fmt.Sprintf("trustbot %v with stdin from a pipe", tc.args), tc.want)
		}
		if got := methods(); len(got) != 0 {
			t.Errorf("the node was asked %v, want nothing before the refusal", got)
		}
	})
}

// TestBinaryDiscordStart: the deployment build on Discord (through DISCORD_API_URL, as through
// a REST proxy, to the fake Discord) stops with one sentence naming DISCORD_TOKEN and the
// Developer Portal when Discord refuses the token; waits out a Discord it cannot reach, logging
// each attempt, and connects once it answers; and still stops on SIGTERM while waiting.
func TestBinaryDiscordStart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	bin := buildBinary(t, deployTags)
	dc, err := devchain.Start(ctx, devchain.Options{Members: devMembers, Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dc.Close)
	env := func(api string) []string {
		return []string{"DISCORD_TOKEN=test-token", "DISCORD_APP_ID=" + testAppID, "DISCORD_GUILD_ID=" + testGuildID,
			"DISCORD_API_URL=" + api, "ETH_RPC_URL=" + dc.URL(), "FACTORY_ADDRESS=" + dc.Factory().Hex(),
			"ASSETS=tUSD=" + dc.TestUSD().Hex(), "LOG_LEVEL=warn"}
	}
	const retrying = `msg="discord: unreachable, trying again" attempt=1 wait=1s`

	t.Run("a token Discord refuses", func(t *testing.T) {
		fake := discordtest.NewServer(t)
		fake.Fail("GET", discordtest.TemplateGatewayBot, http.StatusUnauthorized, 0, 1)
		r := startBinary(t, bin, env(discordProxy(t, fake)), "")
		r.wantRefusal("a 401 on GET /gateway/bot", "DISCORD_TOKEN was refused by Discord (401 Unauthorized): copy the bot's token from the Developer Portal "+
			"(https://discord.com/developers/applications → your application → Bot → Reset Token) into DISCORD_TOKEN")
		if n := len(fake.Find("PUT", discordtest.TemplateGuildCommands)); n != 0 {
			t.Errorf("command overwrites with a refused token: got %d, want 0", n)
		}
	})

	t.Run("Discord unreachable, then answering", func(t *testing.T) {
		fake := discordtest.NewServer(t)
		gw := newFakeGateway(t)
		fake.SetGatewayURL(gw.URL)
		// One attempt's worth of 502s: the call and discordgo's own retries of it.
		fake.Fail("GET", discordtest.TemplateGatewayBot, http.StatusBadGateway, 0, 1+2)
		r := startBinary(t, bin, env(discordProxy(t, fake)), "")
		select {
		case <-gw.identify:
		case <-r.exited:
			t.Fatalf("trustbot exited before identifying: %v\n%s", r.err, r.output())
		case <-time.After(60 * time.Second):
			t.Fatalf("trustbot did not identify on the gateway within 60 s\n%s", r.output())
		}
		if out := r.output(); !strings.Contains(out, retrying) || !strings.Contains(out, "502") {
			t.Errorf("output:\n%s\nwant a warning %q naming the 502", out, retrying)
		}
		if n := len(fake.Find("PUT", discordtest.TemplateGuildCommands)); n != 1 {
			t.Errorf("guild command overwrites: got %d, want 1", n)
		}
		r.cmd.Process.Signal(syscall.SIGTERM)
		if err := r.wait(15 * time.Second); err != nil {
			t.Errorf("trustbot after SIGTERM: got %v, want a clean exit\n%s", err, r.output())
		}
	})

	t.Run("Discord unreachable, then SIGTERM", func(t *testing.T) {
		dead := closedURL(t)
		r := startBinary(t, bin, env(dead), "")
		r.waitOutput(retrying, 60*time.Second)
		r.waitOutput(`attempt=2 wait=2s`, 10*time.Second)
		if out := r.output(); !strings.Contains(out, "connection refused") {
			t.Errorf("output:\n%s\nwant the warnings to say the connection was refused", out)
		}
		r.cmd.Process.Signal(syscall.SIGTERM)
		if err := r.wait(5 * time.Second); err != nil {
			t.Errorf("trustbot after SIGTERM while retrying: got %v, want a clean exit\n%s", err, r.output())
		}
	})
}
