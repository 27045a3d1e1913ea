package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/trustbot/trustbot/chain/chaintest"
	"github.com/trustbot/trustbot/chain/devchain"
)

// ptyPlayground is the trustbot binary in playground mode on a pseudo-terminal, as a person
// runs it.
type ptyPlayground struct {
	t    *testing.T
	cmd  *exec.Cmd
	tty  *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	mark int           // expect looks after here
	done chan struct{} // closed once the process has exited
	err  error         // its exit, once done
}

func startPTY(t *testing.T, bin string, env ...string) *ptyPlayground {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(bin, "playground")
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "DATA_DIR=" + dir,
		"DEV_RPC_ADDR=127.0.0.1:0", "LISTEN_ADDR=127.0.0.1:0", "POLL_INTERVAL=100ms", "CONFIRMATIONS=1"}, env...)
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		t.Fatalf("start the playground on a pty: %v", err)
	}
	p := &ptyPlayground{t: t, cmd: cmd, tty: tty, done: make(chan struct{})}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		b := make([]byte, 32<<10)
		for {
			n, err := tty.Read(b)
			p.mu.Lock()
			p.out.Write(b[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
		tty.Close()
		<-copied
	})
	p.expect("alice> ", 20*time.Second)
	return p
}

// expect waits until the output after the last expectation contains want, and moves past it.
func (p *ptyPlayground) expect(want string, within time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(within)
	for {
		p.mu.Lock()
		got := p.out.String()[p.mark:]
		if i := strings.Index(got, want); i >= 0 {
			p.mark += i + len(want)
			p.mu.Unlock()
			return
		}
		p.mu.Unlock()
		if time.Now().After(deadline) {
			p.t.Fatalf("the terminal shows, since the last check:\n%q\nwant it to show %q within %s", got, want, within)
		}
		select {
		case <-p.done:
			p.mu.Lock()
			got := p.out.String()[p.mark:]
			p.mu.Unlock()
			if !strings.Contains(got, want) {
				p.t.Fatalf("the playground exited (%v) showing:\n%q\nwant it to show %q", p.err, got, want)
			}
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (p *ptyPlayground) send(s string) {
	p.t.Helper()
	if _, err := io.WriteString(p.tty, s); err != nil {
		p.t.Fatalf("type %q: %v", s, err)
	}
}

// exits waits for the process to end within d, with stdin still open, and checks that it
// ended by itself (exit status 0, not killed by the signal).
func (p *ptyPlayground) exits(what string, d time.Duration) {
	p.t.Helper()
	start := time.Now()
	select {
	case <-p.done:
	case <-time.After(d):
		p.t.Fatalf("%s: the playground still runs after %s, want it to exit within %s", what, d, d)
	}
	if p.err != nil {
		p.t.Fatalf("%s: got exit %v after %s, want a clean exit (status 0)", what, p.err, time.Since(start).Round(time.Millisecond))
	}
}

// TestPlaygroundTerminal runs the binary as a person does, on a terminal: Ctrl-C and SIGINT at
// the prompt quit at once, SIGTERM within 2 s, Ctrl-D with a newline, Ctrl-C during a command
// cancels it; a pasted 100 KiB line is answered with a sentence, /setup names a #channel, and
// /approve N signs the N-th request of /pending.
func TestPlaygroundTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t, "")
	for _, tc := range []struct {
		name string
		quit func(p *ptyPlayground)
		wait time.Duration
	}{
		{"SIGINT at the prompt", func(p *ptyPlayground) { _ = p.cmd.Process.Signal(syscall.SIGINT) }, time.Second},
		{"Ctrl-C typed at the prompt", func(p *ptyPlayground) { p.send("/bal\x03") }, time.Second},
		{"SIGTERM at the prompt", func(p *ptyPlayground) { _ = p.cmd.Process.Signal(syscall.SIGTERM) }, 2 * time.Second},
		{"Ctrl-D", func(p *ptyPlayground) { p.send("\x04"); p.expect("\r\n", time.Second) }, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := startPTY(t, bin)
			time.Sleep(100 * time.Millisecond) // at the prompt, in the line editor
			tc.quit(p)
			p.exits(tc.name, tc.wait)
		})
	}

	t.Run("Ctrl-C during a command cancels it", func(t *testing.T) {
		// The chain is reached through a proxy that can hold every call until its caller gives up.
		node, err := devchain.Start(context.Background(), devchain.Options{Members: devMembers, Addr: "127.0.0.1:0"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(node.Close)
		var hold atomic.Bool
		proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				return
			}
			if hold.Load() {
				<-r.Context().Done()
				return
			}
			chaintest.Forward(w, nil, node.URL(), body)
		}))
		t.Cleanup(proxy.Close)
		p := startPTY(t, bin, "ETH_RPC_URL="+proxy.URL, fmt.Sprintf("CHAIN_ID=%d", devchain.ChainID),
			"FACTORY_ADDRESS="+node.Factory().Hex(), "ASSETS=ETH=native,tUSD="+node.TestUSD().Hex(), "CONFIRMATIONS=0")
		p.send("/wallet link\r")
		p.expect("/l/", 5*time.Second)
		p.send("/approve\r")
		p.expect("Linked ", 10*time.Second)
		hold.Store(true)
		p.send("/reserve create\r")
		time.Sleep(500 * time.Millisecond) // its pre-flight simulation is held
		p.send("\x03")
		p.expect("Cancelled: /reserve create", 2*time.Second)
		hold.Store(false)
		p.expect("alice> ", time.Second)
		p.send("/as bob\r")
		p.expect("You are now @bob.", 5*time.Second)
		p.expect("bob> ", time.Second)
		p.send("\x03")
		p.exits("Ctrl-C at the prompt after a cancelled command", time.Second)
	})

	t.Run("lines", func(t *testing.T) {
		p := startPTY(t, bin)
		p.send(strings.Repeat("x", 100<<10) + "\r")
		p.expect("That line is over the 4 KiB a line may be; nothing was run.", 10*time.Second)
		p.send("/as bob\r")
		p.expect("You are now @bob.", 5*time.Second)
		p.send("/setup channel\r")
		p.expect(`"channel" is not a channel; name one like #trip.`, 5*time.Second)
		p.send("/setup #trip\r")
		p.expect("On-chain notices will be posted in #trip.", 5*time.Second)

		p.send("/wallet link\r")
		p.expect("/l/", 5*time.Second)
		p.send("/approve\r")
		p.expect("Linked ", 10*time.Second)
		p.send("/reserve create\r") // number 2 in /pending, newest first
		p.expect("Sign to create your tUSD reserve", 10*time.Second)
		p.send("/reserve create ETH\r") // number 1, and the latest link
		p.expect("Sign to create your ETH reserve", 10*time.Second)
		p.send("/approve foo\r")
		p.expect(`"foo" is neither, so nothing was signed.`, 5*time.Second)
		p.send("/approve 1 2\r")
		p.expect(`"1 2" is neither, so nothing was signed.`, 5*time.Second)
		p.send("/approve 3\r")
		p.expect("3 is not one of your open requests: give a number from 1 to 2 (see /pending).", 5*time.Second)
		p.send("/approve 2\r")
		p.expect("Confirmed: ", 20*time.Second)
		p.expect("tUSD", time.Second)
		p.send("/approve 2\r")
		p.expect("2 is not one of your open requests: give a number from 1 to 1 (see /pending).", 5*time.Second)
		p.send("/pending\r")
		p.expect("1. ", 5*time.Second)
		p.expect("ETH", time.Second)
	})
}
