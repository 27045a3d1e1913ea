package console

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/chzyer/readline"
	"golang.org/x/term"
)

// MaxLine is the longest line the console reads from a pipe; a longer one is answered with a
// sentence and skipped.
const MaxLine = 64 << 10

// MaxTerminalLine is the longest line the terminal's line editor takes (as a terminal's own line
// discipline does, 4 KiB): past it, typed or pasted text is dropped until Enter, which is then
// answered with a sentence.
const MaxTerminalLine = 4 << 10

// errInterrupt is Ctrl-C typed at the line editor's prompt.
var errInterrupt = errors.New("console: interrupted at the prompt")

// longLineError is a line over the reader's limit, read to its end and dropped.
type longLineError struct{ n, limit int }

func (e *longLineError) Error() string {
	return fmt.Sprintf("console: a line of %d bytes is over the limit of %d", e.n, e.limit)
}

func (e *longLineError) sentence() string {
	if e.n > e.limit {
		return fmt.Sprintf("That line is %s long, over the %s a line may be; nothing was run.", kib(e.n), kib(e.limit))
	}
	return fmt.Sprintf("That line is over the %s a line may be; nothing was run.", kib(e.limit))
}

func kib(n int) string {
	if n%1024 == 0 {
		return fmt.Sprintf("%d KiB", n/1024)
	}
	return fmt.Sprintf("%.1f KiB", float64(n)/1024)
}

// lineReader reads one line at a time, showing prompt when it is the one to show it.
type lineReader interface {
	readLine(prompt string) (string, error)
	// remember adds a line that was run to the history, where there is one.
	remember(line string)
	// end stops reading where Run ends with a line half typed: the cursor goes to a new line.
	end()
	close()
}

// Run reads lines until EOF, /quit, Ctrl-C at the prompt, or ctx's end, and returns nil for
// each of these. Lines are read in their own goroutine, so ctx's end returns at once even while
// a read is blocked. A value on Interrupts (SIGINT) at the prompt ends Run too; during a command
// it cancels that command, and a second one while it is still running ends Run.
//
// When Interactive is set and in is a terminal, lines are edited with readline (history, arrows,
// Ctrl-R search), and notices arriving while a line is typed are printed above it with the
// line redrawn intact. Otherwise lines are read as they come, up to MaxLine bytes each.
func (c *Console) Run(ctx context.Context, in io.Reader) error {
	r, err := c.newReader(in)
	if err != nil {
		return err
	}
	defer r.close()

	type read struct {
		line string
		err  error
	}
	prompts := make(chan string)
	lines := make(chan read)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			var prompt string
			select {
			case prompt = <-prompts:
			case <-stop:
				return
			}
			line, err := r.readLine(prompt)
			select {
			case lines <- read{line, err}:
			case <-stop:
				return
			}
			if err != nil && !isLong(err) {
				return
			}
		}
	}()

	for {
		prompts <- c.current + "> "
		var got read
		select {
		case <-ctx.Done():
			r.end()
			return nil
		case <-c.Interrupts:
			r.end()
			return nil
		case got = <-lines:
		}
		var long *longLineError
		switch {
		case errors.As(got.err, &long):
			c.Printf("%s", long.sentence())
			continue
		case errors.Is(got.err, io.EOF), errors.Is(got.err, errInterrupt):
			return nil
		case got.err != nil:
			return got.err
		}
		line := strings.TrimSpace(got.line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !c.Interactive {
			c.Printf("%s> %s", c.current, line)
		}
		r.remember(line)
		if stop := c.execInterruptible(ctx, line); stop || ctx.Err() != nil {
			return nil
		}
	}
}

func isLong(err error) bool {
	var long *longLineError
	return errors.As(err, &long)
}

// execInterruptible runs a line in its own goroutine under a context the first interrupt
// cancels; a second interrupt, or ctx's end, returns at once without waiting for it. It
// reports whether Run should end.
func (c *Console) execInterruptible(ctx context.Context, line string) (stop bool) {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan bool, 1)
	go func() { done <- c.Exec(cctx, line) }()
	cancelled := false
	for {
		select {
		case quit := <-done:
			return quit
		case <-ctx.Done():
			return true
		case <-c.Interrupts:
			if cancelled {
				return true
			}
			cancelled = true
			cancel()
		}
	}
}

func (c *Console) newReader(in io.Reader) (lineReader, error) {
	if f, ok := in.(*os.File); ok && c.Interactive && term.IsTerminal(int(f.Fd())) {
		return c.newTerminalReader(f)
	}
	return &pipeReader{c: c, r: bufio.NewReader(in)}, nil
}

// pipeReader reads lines from a pipe or file as they come.
type pipeReader struct {
	c *Console
	r *bufio.Reader
}

func (p *pipeReader) readLine(prompt string) (string, error) {
	if p.c.Interactive {
		p.c.mu.Lock()
		fmt.Fprint(p.c.out, prompt)
		p.c.mu.Unlock()
	}
	var line, chunk []byte
	var err error
	n := 0
	for {
		chunk, err = p.r.ReadSlice('\n')
		n += len(chunk)
		if n <= MaxLine+2 {
			line = append(line, chunk...)
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			break
		}
	}
	if err != nil && (!errors.Is(err, io.EOF) || n == 0) {
		return "", err
	}
	switch {
	case bytes.HasSuffix(chunk, []byte("\r\n")):
		n -= 2
	case bytes.HasSuffix(chunk, []byte("\n")):
		n--
	}
	if n > MaxLine {
		return "", &longLineError{n: n, limit: MaxLine}
	}
	return strings.TrimRight(string(line), "\r\n"), nil
}

func (p *pipeReader) remember(string) {}
func (p *pipeReader) close()          {}
func (p *pipeReader) end()            {}

// terminalReader edits lines with readline on the terminal; while it is open the console's
// output goes through readline, which redraws the prompt and the line being typed after it.
type terminalReader struct {
	c     *Console
	rl    *readline.Instance
	stdin *readline.CancelableStdin
	limit *limitedLines
	out   io.Writer // the console's output before
	once  sync.Once
}

func (c *Console) newTerminalReader(f *os.File) (*terminalReader, error) {
	fd := int(f.Fd())
	var (
		mu    sync.Mutex
		saved *readline.State
	)
	limit := &limitedLines{r: f, limit: MaxTerminalLine}
	stdin := readline.NewCancelableStdin(limit)
	c.mu.Lock()
	out := c.out
	c.mu.Unlock()
	rl, err := readline.NewEx(&readline.Config{
		Prompt:                 c.current + "> ",
		HistoryFile:            c.HistoryFile,
		DisableAutoSaveHistory: true,
		HistorySearchFold:      true,
		InterruptPrompt:        "^C",
		EOFPrompt:              "\n", // Ctrl-D leaves a newline, so the shell's prompt starts on its own line
		Stdin:                  stdin,
		Stdout:                 out,
		Stderr:                 out,
		FuncIsTerminal:         func() bool { return true },
		FuncMakeRaw: func() error {
			mu.Lock()
			defer mu.Unlock()
			st, err := readline.MakeRaw(fd)
			if err == nil {
				saved = st
			}
			return err
		},
		FuncExitRaw: func() error {
			mu.Lock()
			defer mu.Unlock()
			if saved == nil {
				return nil
			}
			st := saved
			saved = nil
			return readline.Restore(fd, st)
		},
	})
	if err != nil {
		stdin.Close()
		return nil, fmt.Errorf("console: line editor: %w", err)
	}
	c.mu.Lock()
	c.out = rl.Stdout()
	c.mu.Unlock()
	return &terminalReader{c: c, rl: rl, stdin: stdin, limit: limit, out: out}, nil
}

func (t *terminalReader) readLine(prompt string) (string, error) {
	t.rl.SetPrompt(prompt)
	line, err := t.rl.Readline()
	long := t.limit.long.Swap(false)
	if errors.Is(err, readline.ErrInterrupt) {
		return "", errInterrupt
	}
	if err != nil {
		return "", err
	}
	if long {
		return "", &longLineError{limit: MaxTerminalLine}
	}
	return line, nil
}

func (t *terminalReader) remember(line string) { _ = t.rl.SaveHistory(line) }

// close gives the terminal back as it was; a read still blocked on the terminal ends.
func (t *terminalReader) close() {
	t.once.Do(func() {
		t.stdin.Close()
		t.rl.Close()
		t.c.mu.Lock()
		t.c.out = t.out
		t.c.mu.Unlock()
	})
}

func (t *terminalReader) end() {
	t.close()
	t.c.mu.Lock()
	fmt.Fprintln(t.c.out)
	t.c.mu.Unlock()
}

// limitedLines passes keystrokes on to the line editor until a line has limit bytes, then
// drops them until Enter, so that a huge paste costs the editor nothing.
type limitedLines struct {
	r     io.Reader
	limit int
	n     int         // bytes of the line so far; touched only by Read
	long  atomic.Bool // a line went over the limit; the reader clears it when its line is read
}

func (l *limitedLines) Read(p []byte) (int, error) {
	for {
		n, err := l.r.Read(p)
		kept := 0
		for _, b := range p[:n] {
			switch b {
			case '\r', '\n', 3: // Enter and Ctrl-C end the line
				l.n = 0
			default:
				if l.n >= l.limit {
					l.long.Store(true)
					continue
				}
				l.n++
			}
			p[kept] = b
			kept++
		}
		if kept > 0 || err != nil || n == 0 {
			return kept, err
		}
	}
}
