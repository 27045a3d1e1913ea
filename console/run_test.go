package console_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/commands"
	"github.com/trustbot/trustbot/console"
)

// syncBuffer is the console's output, written from Run and from notices.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor waits until the output contains want.
func waitFor(t *testing.T, out interface{ String() string }, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("output:\n%q\nwant it to contain %q", out.String(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func newConsole(out io.Writer) *console.Console {
	var members []console.DevMember
	for _, name := range []string{"alice", "bob"} {
		members = append(members, console.DevMember{Member: trustbot.Member{ID: "dev-" + name, Name: name}})
	}
	return console.New(commands.New(commands.Services{}), members, nil, nil, out)
}

// TestRunPipe reads piped lines: one over MaxLine gets a sentence and the next lines still run.
func TestRunPipe(t *testing.T) {
	long := strings.Repeat("x", 100<<10)
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"a 100 KiB line", long + "\n/as bob\n", []string{"That line is 100 KiB long, over the 64 KiB a line may be; nothing was run.", "You are now @bob."}},
		{"a 100 KiB last line without a newline", "/as bob\n" + long, []string{"You are now @bob.", "That line is 100 KiB long"}},
		{"a line of exactly 64 KiB is read", strings.Repeat("x", console.MaxLine) + "\r\n/as bob\n", []string{"Commands start with /", "You are now @bob."}},
		{"CRLF and a last line without a newline", "/as bob\r\n/as alice", []string{"alice> /as bob\nYou are now @bob.", "bob> /as alice"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := &syncBuffer{}
			c := newConsole(out)
			if err := c.Run(context.Background(), strings.NewReader(tc.in)); err != nil {
				t.Fatalf("Run: got %v, want nil", err)
			}
			got := out.String()
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("output:\n%.300q\nwant it to contain %q", got, w)
				}
			}
			if strings.Contains(got, "xxxxxxxxxx") && tc.name != "a line of exactly 64 KiB is read" {
				t.Errorf("output echoes the long line; want only the sentence")
			}
		})
	}
}

// TestRunEnds: Run returns at once when ctx ends or an interrupt comes at the prompt, though
// stdin stays open and nothing is typed.
func TestRunEnds(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(cancel context.CancelFunc, interrupts chan os.Signal)
	}{
		{"ctx ends (SIGTERM)", func(cancel context.CancelFunc, _ chan os.Signal) { cancel() }},
		{"SIGINT at the prompt", func(_ context.CancelFunc, in chan os.Signal) { in <- os.Interrupt }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, w := io.Pipe()
			defer w.Close()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			interrupts := make(chan os.Signal, 1)
			c := newConsole(io.Discard)
			c.Interrupts = interrupts
			done := make(chan error, 1)
			go func() { done <- c.Run(ctx, r) }()
			time.Sleep(50 * time.Millisecond)
			tc.end(cancel, interrupts)
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: got %v, want nil", err)
				}
			case <-time.After(time.Second):
				t.Fatalf("Run still runs 1 s after %s with stdin open; want it to return", tc.name)
			}
		})
	}
}

// TestRunInterruptsCommand: an interrupt during a command cancels it and the next line runs; a
// second interrupt while the command still runs ends Run.
func TestRunInterruptsCommand(t *testing.T) {
	t.Run("the first cancels", func(t *testing.T) {
		r, w := io.Pipe()
		defer w.Close()
		out := &syncBuffer{}
		c := newConsole(out)
		interrupts := make(chan os.Signal, 1)
		c.Interrupts = interrupts
		started := make(chan struct{})
		c.Pending = func(ctx context.Context, _ string) ([]string, error) {
			close(started)
			<-ctx.Done()
			return nil, ctx.Err()
		}
		done := make(chan error, 1)
		go func() { done <- c.Run(context.Background(), r) }()
		io.WriteString(w, "/approve 1\n")
		<-started
		interrupts <- os.Interrupt
		waitFor(t, out, "Cancelled.")
		io.WriteString(w, "/as bob\n")
		waitFor(t, out, "You are now @bob.")
		w.Close()
		if err := <-done; err != nil {
			t.Errorf("Run: got %v, want nil", err)
		}
	})
	t.Run("a second ends Run", func(t *testing.T) {
		r, w := io.Pipe()
		defer w.Close()
		c := newConsole(io.Discard)
		interrupts := make(chan os.Signal, 1)
		c.Interrupts = interrupts
		started, never := make(chan struct{}), make(chan struct{})
		c.Pending = func(context.Context, string) ([]string, error) {
			close(started)
			<-never // a command that does not heed its context
			return nil, nil
		}
		done := make(chan error, 1)
		go func() { done <- c.Run(context.Background(), r) }()
		io.WriteString(w, "/approve 1\n")
		<-started
		interrupts <- os.Interrupt
		interrupts <- os.Interrupt
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: got %v, want nil", err)
			}
		case <-time.After(time.Second):
			t.Fatal("Run still runs 1 s after a second interrupt; want it to return")
		}
	})
}

// TestTerminalNotice runs the console on a pseudo-terminal: a notice arriving while a line is
// typed is printed above it and the prompt comes back with the line intact, the line then runs,
// and Ctrl-D ends Run on a new line.
func TestTerminalNotice(t *testing.T) {
	master, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer master.Close()
	defer tty.Close()
	out := &syncBuffer{}
	go io.Copy(out, master)
	c := newConsole(tty)
	c.Interactive = true
	c.HistoryFile = t.TempDir() + "/history"
	done := make(chan error, 1)
	go func() { done <- c.Run(context.Background(), tty) }()
	waitFor(t, out, "alice> ")
	io.WriteString(master, "/as bo")
	waitFor(t, out, "alice> /as bo")
	c.Notice(trustbot.Notice{Text: "@bob extended @alice a budget of 5 tUSD."})
	waitFor(t, out, "[notice] @bob extended @alice a budget of 5 tUSD.\r\n")
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		all := out.String()
		after := all[strings.Index(all, "[notice]"):]
		if strings.Contains(after, "alice> /as bo") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the notice the terminal shows %q; want the prompt and the line typed so far, %q", after, "alice> /as bo")
		}
	}
	io.WriteString(master, "b\r")
	waitFor(t, out, "You are now @bob.")
	waitFor(t, out, "bob> ")
	io.WriteString(master, "\x04")
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after Ctrl-D: got %v, want nil", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Run still runs 2 s after Ctrl-D")
	}
	for deadline := time.Now().Add(2 * time.Second); !strings.HasSuffix(visible(out.String()), "bob> \n"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			got := visible(out.String())
			t.Fatalf("the terminal ends with %q after Ctrl-D; want the prompt and a newline", got[max(0, len(got)-60):])
		}
	}
	if b, err := os.ReadFile(c.HistoryFile); err != nil || !strings.Contains(string(b), "/as bob") {
		t.Errorf("history file: got %q, %v; want it to hold /as bob", b, err)
	}
}

var escape = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]| \b|\r")

// visible is what a terminal shows of s, less its cursor moves and erasures.
func visible(s string) string { return escape.ReplaceAllString(s, "") }

// TestApproveArgs: /approve takes nothing or a number from /pending; anything else is refused
// before anything is signed.
func TestApproveArgs(t *testing.T) {
	for _, tc := range []struct {
		line    string
		pending []string
		want    string
	}{
		{"/approve foo", []string{"a", "b"}, `/approve takes nothing (your latest link) or the number of a request in /pending, like /approve 2; "foo" is neither, so nothing was signed.`},
		{"/approve 1 2", []string{"a", "b"}, `"1 2" is neither, so nothing was signed.`},
		{"/approve 3", []string{"a", "b"}, "3 is not one of your open requests: give a number from 1 to 2 (see /pending)."},
		{"/approve 0", []string{"a", "b"}, "0 is not one of your open requests: give a number from 1 to 2 (see /pending)."},
		{"/approve 1", nil, "@alice has no open signing requests to approve."},
		{"/approve", nil, "Nothing to approve: @alice has no signing link yet."},
	} {
		out := &syncBuffer{}
		c := newConsole(out)
		asked := 0
		c.Pending = func(context.Context, string) ([]string, error) { asked++; return tc.pending, nil }
		c.Exec(context.Background(), tc.line)
		if got := strings.TrimSpace(out.String()); got != tc.want && !strings.Contains(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.line, got, tc.want)
		}
		if strings.Contains(tc.want, "neither") && asked != 0 {
			t.Errorf("%s: got %d look-ups of the pending requests, want none", tc.line, asked)
		}
	}
}
