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
	"time"

	"golang.org/x/term"

	"github.com/trustbot/trustbot"

	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/commands"
	"github.com/trustbot/trustbot/console"
)

// playground is the app with the console adapter.
type playground struct {
	*app
	Console *console.Console
}

func startPlayground(ctx context.Context, cfg *Config, out io.Writer, log *slog.Logger) (*playground, error) {
	a, err := newApp(ctx, cfg, "playground.db", true, out, log, func(sv *commands.Services) { sv.Members = devRoster() })
	if err != nil {
		return nil, err
	}
	var members []console.DevMember
	for _, m := range devRoster() {
		members = append(members, console.DevMember{Member: m, Wallet: chain.Wallet{Key: chain.DevKey(m.Name)}})
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
	if a.DevChain == nil && a.confirmations > 0 {
		wctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			a.warnStalledHead(wctx, 15*a.interval, func(s string) { p.Console.Printf("%s", s) })
		}()
		a.closers = append(a.closers, func() { stop(); <-done })
	}

	var who []string
	for _, m := range members {
		who = append(who, fmt.Sprintf("@%s %s", m.Member.Name, m.Wallet.Address().Hex()))
	}
	fmt.Fprintf(out, "trustbot playground\n  chain RPC     %s (chain id %s)\n  signing pages %s\n  members       %s (dev keys, not linked yet)\nYou are @%s. Type /help for the commands, /as NAME to switch member, /approve to sign; Ctrl-C or Ctrl-D quits.\n",
		a.shownRPC(), a.Chain.ChainID(), a.PublicURL, strings.Join(who, ", "), devMembers[0])
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

// warnStalledHead says once, with say, that the node at ETH_RPC_URL looks like one that mines
// only on demand (anvil's default): a transaction is mined and waits for CONFIRMATIONS more
// blocks, and the head has not moved for stall. Such a node makes no block after the last
// transaction, so the request would never be confirmed.
func (a *app) warnStalledHead(ctx context.Context, stall time.Duration, say func(string)) {
	tick := time.NewTicker(a.interval)
	defer tick.Stop()
	var head uint64
	moved := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		n, err := a.Chain.BlockNumber(ctx)
		if err != nil {
			continue // the indexer logs an unreachable node
		}
		if n != head {
			head, moved = n, time.Now()
			continue
		}
		if time.Since(moved) < stall {
			continue
		}
		pending, err := a.DB.PendingTxs(ctx)
		if err != nil {
			continue
		}
		for _, p := range pending {
			r, err := a.Chain.Receipt(ctx, p.Hash)
			if err != nil || r == nil || r.BlockNumber == nil || r.BlockNumber.Uint64()+a.confirmations <= head {
				continue
			}
			say(fmt.Sprintf("The chain at ETH_RPC_URL has made no block for %s while transaction %s, mined in block %d, waits for CONFIRMATIONS=%d blocks on top: "+
				"a node that mines only when a transaction comes (anvil's default) never makes them, so restart with CONFIRMATIONS=0, or have the node mine on a timer (anvil --block-time 2).",
				time.Since(moved).Round(time.Second), p.Hash.Hex(), r.BlockNumber.Uint64(), a.confirmations))
			return
		}
	}
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

// devRoster is the playground's members, as splits name them.
func devRoster() console.Roster {
	var r console.Roster
	for _, name := range devMembers {
		r = append(r, trustbot.Member{ID: "dev-" + name, Name: name})
	}
	return r
}
