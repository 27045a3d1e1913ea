package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trustbot/trustbot/bot/discordtest"
	"github.com/trustbot/trustbot/chain/devchain"
)

// deployTags are the build tags of a deployment (docs/discord.md): no embedded dev chain.
const deployTags = "nodevchain"

// TestBinaryOnDiscord builds the trustbot binary as docs/discord.md says to build it for a
// deployment (-tags nodevchain), checks that it refuses to start without ETH_RPC_URL, and runs
// it on Discord (the fake REST API and gateway of TestDiscordStory, reached through
// DISCORD_API_URL as through a REST proxy) against a chain node at ETH_RPC_URL: the commands are
// registered, the gateway identified, a slash command answered.
// Then the process idles 3 s and its memory is logged from /proc/PID/status: the Discord
// transport idle figure of RELIABILITY.md. With TRUSTBOT_RSS_LIMIT_MB set it fails when the peak
// is above that many MB; with TRUSTBOT_FULL_BUILD=1 it measures the default build (with the dev
// chain) instead.
func TestBinaryOnDiscord(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tags := deployTags
	if os.Getenv("TRUSTBOT_FULL_BUILD") != "" {
		tags = ""
	}
	bin := buildBinary(t, tags)
	if tags == deployTags {
		// Without ETH_RPC_URL the deployment build says at once that it has no embedded chain.
		for _, args := range [][]string{{"playground"}, {}} {
			cmd := exec.Command(bin, args...)
			cmd.Dir = t.TempDir()
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + cmd.Dir, "DEV_RPC_ADDR=127.0.0.1:0", "LISTEN_ADDR=127.0.0.1:0"}
			cmd.Stdin = strings.NewReader("/help\n")
			out, err := cmd.CombinedOutput()
			want := "this trustbot was built with -tags nodevchain and has no embedded chain: set ETH_RPC_URL"
			if err == nil || !strings.Contains(string(out), want) {
				t.Errorf("trustbot %v without ETH_RPC_URL: got %v\n%s\nwant an exit with %q", args, err, out, want)
			}
		}
	}

	dc, err := devchain.Start(ctx, devchain.Options{Members: devMembers, Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dc.Close)
	fake := discordtest.NewServer(t)
	gw := newFakeGateway(t)
	fake.SetGatewayURL(gw.URL)
	proxy := discordProxy(t, fake)

	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	dir := t.TempDir()
	cmd := exec.Command(bin)
	cmd.Dir = dir // no .env there
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"DISCORD_TOKEN=test-token", "DISCORD_APP_ID=" + testAppID, "DISCORD_GUILD_ID=" + testGuildID,
		"DISCORD_PUBLIC_KEY=" + hex.EncodeToString(pub), "DISCORD_API_URL=" + proxy,
		"ETH_RPC_URL=" + dc.URL(), "CHAIN_ID=1337", "FACTORY_ADDRESS=" + dc.Factory().Hex(),
		"ASSETS=tUSD=" + dc.TestUSD().Hex() + ",ETH=native",
		"DATA_DIR=" + filepath.Join(dir, "data"), "LISTEN_ADDR=127.0.0.1:0", "LOG_LEVEL=warn",
	}
	logs := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("trustbot after SIGTERM: got %v, want a clean exit\n%s", err, logs)
			}
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			t.Errorf("trustbot did not stop within 15 s of SIGTERM\n%s", logs)
		}
	}
	defer stop()

	select {
	case ident := <-gw.identify:
		if ident["token"] != "Bot test-token" {
			t.Errorf("IDENTIFY token: got %v, want the bot token", ident["token"])
		}
	case err := <-exited:
		stopped = true
		t.Fatalf("trustbot exited before identifying: %v\n%s", err, logs)
	case <-time.After(60 * time.Second):
		t.Fatalf("trustbot did not identify on the gateway within 60 s\n%s", logs)
	}
	if n := len(fake.Find("PUT", discordtest.TemplateGuildCommands)); n != 1 {
		t.Errorf("guild command overwrites: got %d, want 1", n)
	}
	// The gateway is identified; READY takes a moment to reach the session's handlers.
	time.Sleep(200 * time.Millisecond)
	st := &discordStack{t: t, fake: fake, gw: gw, priv: priv, http: &http.Client{Timeout: 10 * time.Second}}
	if content, _ := st.run(discordAlice, "wallet", discordtest.Option{Name: "show", Type: discordtest.OptionSubCommand}); !strings.Contains(content, "/wallet link") {
		t.Errorf("/wallet show from an unlinked member: got %q, want a pointer to /wallet link", content)
	}

	time.Sleep(3 * time.Second)
	m := procMemory(t, cmd.Process.Pid)
	t.Logf("discord transport idle (go build -tags %q): peak RSS %.1f MB (VmHWM); now %.1f MB = %.1f MB anonymous + %.1f MB file-backed",
		tags, m["VmHWM"], m["VmRSS"], m["RssAnon"], m["RssFile"])
	if limit, err := strconv.ParseFloat(os.Getenv("TRUSTBOT_RSS_LIMIT_MB"), 64); err == nil && m["VmHWM"] > limit {
		t.Errorf("discord transport idle: peak RSS %.1f MB, want at most %.0f MB", m["VmHWM"], limit)
	}
	stop()
	for _, r := range fake.SchemaErrors() {
		t.Errorf("%s %s: body breaks Discord's schema: %v\n%s", r.Method, r.Path, r.Err, r.Body)
	}
}

// discordProxy is a REST proxy in front of the fake Discord, for the binary's DISCORD_API_URL:
// every request goes on to the fake as to Discord. It returns the proxy's base URL.
func discordProxy(t *testing.T, fake *discordtest.Server) string {
	t.Helper()
	return newPosterProxy(t, fake).URL // never armed: every request passes
}

// buildBinary builds ./cmd/trustbot (this directory) with go build, as a user does.
func buildBinary(t *testing.T, tags string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "trustbot")
	args := []string{"build", "-o", bin}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// procMemory reads the memory lines of /proc/PID/status (pid 0: this process) in MB:
// VmHWM (peak RSS), VmRSS, RssAnon, RssFile.
func procMemory(tb testing.TB, pid int) map[string]float64 {
	tb.Helper()
	path := "/proc/self/status"
	if pid != 0 {
		path = fmt.Sprintf("/proc/%d/status", pid)
	}
	f, err := os.Open(path)
	if err != nil {
		tb.Skipf("no %s: %v", path, err)
	}
	defer f.Close()
	m := map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmHWM" && k != "VmRSS" && k != "RssAnon" && k != "RssFile") {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		if err != nil {
			tb.Fatalf("%s %q: %v", k, v, err)
		}
		m[k] = kb / 1024
	}
	if m["VmHWM"] <= 0 {
		tb.Fatalf("got no VmHWM in %s", path)
	}
	return m
}
