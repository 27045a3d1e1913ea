package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"github.com/trustbot/trustbot"

	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/console"
)

// playground is the app with the console adapter.
type playground struct {
	*app
	Console *console.Console
}

func startPlayground(ctx context.Context, cfg *Config, out io.Writer, log *slog.Logger) (*playground, error) {
	a, err := newApp(ctx, cfg, "playground.db", out, log)
	if err != nil {
		return nil, err
	}
	var members []console.DevMember
	for _, name := range devMembers {
		members = append(members, console.DevMember{
			Member: trustbot.Member{ID: "dev-" + name, Name: name},
			Wallet: chain.Wallet{Key: chain.DevKey(name)},
		})
	}
	p := &playground{app: a, Console: console.New(a.Set, members, a.Chain.Eth(), a.Chain.ChainID(), out)}
	p.Console.Dir = cfg.DataDir // /web writes its picture here
	p.Console.Log = log
	p.Console.HistoryFile = filepath.Join(cfg.DataDir, "playground.history")
	pages := links{a.Web, a.PublicURL}
	p.Console.Pending = func(ctx context.Context, userID string) ([]string, error) {
		reqs, err := a.DB.PendingRequests(ctx, userID)
		if err != nil {
			return nil, err
		}
		urls := make([]string, len(reqs))
		for i, r := range reqs {
			urls[i] = pages.URL(r.ID)
		}
		return urls, nil
	}
	a.Start(ctx, consoleNotifier{p.Console})

	var who []string
	for _, m := range members {
		who = append(who, fmt.Sprintf("@%s %s", m.Member.Name, m.Wallet.Address().Hex()))
	}
	fmt.Fprintf(out, "trustbot playground\n  chain RPC     %s (chain id %s)\n  signing pages %s\n  members       %s (dev keys, not linked yet)\nYou are @%s. Type /help for the commands, /as NAME to switch member, /approve to sign; Ctrl-C or Ctrl-D quits.\n",
		a.RPCURL, a.Chain.ChainID(), a.PublicURL, strings.Join(who, ", "), devMembers[0])
	return p, nil
}

// Run reads the console's lines from in and owns SIGINT while it runs: Ctrl-C at the prompt
// quits, during a command it cancels the command, and a second Ctrl-C quits. A terminal gets
// line editing and history; anything else is read line by line.
func (p *playground) Run(ctx context.Context, in *os.File, out *os.File) error {
	interrupts := make(chan os.Signal, 2)
	signal.Notify(interrupts, os.Interrupt)
	defer signal.Stop(interrupts)
	p.Console.Interactive = term.IsTerminal(int(in.Fd())) && term.IsTerminal(int(out.Fd()))
	p.Console.Interrupts = interrupts
	return p.Console.Run(ctx, in)
}

// consoleNotifier prints notices and failed requests on the console.
type consoleNotifier struct{ c *console.Console }

func (n consoleNotifier) Notice(_ context.Context, x trustbot.Notice) error {
	n.c.Notice(x)
	return nil
}

func (n consoleNotifier) RequestDone(_ context.Context, r trustbot.SigningRequest) {
	n.c.RequestDone(r)
}
