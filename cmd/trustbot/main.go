// Command trustbot runs the trustbot Discord bot, or with no DISCORD_TOKEN the local playground:
// an embedded chain, the signing pages and a prompt where lines are the bot's slash commands.
//
//	trustbot              the bot, or the playground when DISCORD_TOKEN is empty
//	trustbot playground   the playground
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"golang.org/x/term"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "trustbot:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	cmd := ""
	if len(args) > 0 {
		cmd = args[0]
	}
	cfg, err := loadConfig(ctx, nil)
	if err != nil {
		return err
	}
	level, _ := parseLevel(cfg.LogLevel)
	switch cmd {
	case "", "run":
		if cfg.DiscordToken != "" {
			return fmt.Errorf("DISCORD_TOKEN is set, but this build has no Discord adapter yet; unset DISCORD_TOKEN to start the playground")
		}
		fallthrough
	case "playground":
		// The terminal is the conversation; the log goes to a file beside the database.
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return fmt.Errorf("data dir: %w", err)
		}
		logPath := filepath.Join(cfg.DataDir, "playground.log")
		f, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return fmt.Errorf("log file: %w", err)
		}
		defer f.Close()
		log := slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: level}))
		fmt.Printf("Logs go to %s.\n", logPath)
		p, err := startPlayground(ctx, cfg, os.Stdout, log)
		if err != nil {
			return err
		}
		defer p.Close()
		p.Console.Interactive = term.IsTerminal(int(os.Stdin.Fd()))
		return p.Console.Run(ctx, os.Stdin)
	case "help", "-h", "--help":
		fmt.Println("usage: trustbot [run | playground]\n\nWith no DISCORD_TOKEN, run starts the playground. Settings: see .env.example.")
		return nil
	default:
		return fmt.Errorf("unknown subcommand %q (try: trustbot help)", cmd)
	}
}
