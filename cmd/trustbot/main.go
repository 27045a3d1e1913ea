// Command trustbot runs the trustbot Discord bot, or with no DISCORD_TOKEN the local playground:
// an embedded chain, the signing pages and a prompt where lines are the bot's slash commands.
//
//	trustbot                    the bot, or the playground when DISCORD_TOKEN is empty
//	trustbot playground         the playground
//	trustbot commands [--json]  the slash commands as registered with Discord
//	trustbot deploy --from ADDR the signing link that deploys the factory at its own address
//	trustbot doctor             every setting checked against the world
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/bwmarrin/discordgo"
	"golang.org/x/term"

	"github.com/trustbot/trustbot/bot"
	"github.com/trustbot/trustbot/commands"
)

func main() {
	// SIGTERM stops every mode; SIGINT is the Discord bot's stop too, while the playground's
	// console takes it itself (Ctrl-C cancels a command or quits at the prompt).
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
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
	if cmd == "commands" {
		// Needs no configuration, chain or token: the definitions are the same everywhere.
		return printCommands(os.Stdout, args[1:])
	}
	cfg, err := loadConfig(ctx, nil)
	if err != nil {
		return err
	}
	switch cmd {
	case "", "run":
		if cfg.DiscordToken != "" {
			ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
			defer stop()
			log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
			return runDiscord(ctx, cfg, log)
		}
		fallthrough
	case "playground":
		interactive := term.IsTerminal(int(os.Stdin.Fd()))
		if err := playgroundAllowed(cfg, cmd, interactive); err != nil {
			return err
		}
		// The terminal is the conversation; the log goes to a file beside the database.
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return dataDirProblem(cfg.DataDir, err)
		}
		logPath := filepath.Join(cfg.DataDir, "playground.log")
		f, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return &startupError{msg: fmt.Sprintf("DATA_DIR %s: the log file %s cannot be opened (%v)", cfg.DataDir, filepath.Base(logPath), err), err: err}
		}
		defer f.Close()
		log := slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: cfg.LogLevel}))
		fmt.Printf("Logs go to %s.\n", logPath)
		p, err := startPlayground(ctx, cfg, os.Stdout, log)
		if err != nil {
			return err
		}
		defer p.Close()
		return p.Run(ctx, os.Stdin, os.Stdout)
	case "deploy":
		log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
		return runDeploy(ctx, cfg, args[1:], os.Stdout, log)
	case "doctor":
		return runDoctor(ctx, cfg, os.Stdout)
	case "help", "-h", "--help":
		fmt.Println("usage: trustbot [run | playground | commands [--json] | deploy --from ADDRESS | doctor]\n\n" +
			"run (the default) connects to Discord with DISCORD_TOKEN, or starts the playground without it.\n" +
			"commands lists the slash commands; --json prints the exact registration payload.\n" +
			"deploy makes the signing link that puts the factory at its own address on the chain at ETH_RPC_URL\n" +
			"(--dev NAME signs it with a dev key on a local dev chain).\n" +
			"doctor checks every setting against the world, one line each; it exits 1 when one fails.\n" +
			"Settings: see .env.example; Discord setup: docs/discord.md.")
		return nil
	default:
		return fmt.Errorf("unknown subcommand %q (try: trustbot help)", cmd)
	}
}

// playgroundAllowed refuses a playground that a deployment build (-tags nodevchain) would start
// on ETH_RPC_URL with its stdin not a terminal: a service whose DISCORD_TOKEN is missing, which
// should stop and say so rather than sign with dev keys on whatever the input pipe holds. cmd is
// the subcommand: "" or "run" when the playground stands in for Discord.
func playgroundAllowed(cfg *Config, cmd string, interactive bool) error {
	if hasDevChain || !cfg.EthRPCURL.IsSet() || interactive {
		return nil
	}
	if cmd == "playground" {
		return &startupError{msg: "the playground of this deployment build (-tags nodevchain) runs only at a terminal and stdin is not one: " +
			"run trustbot playground in a terminal, or set DISCORD_TOKEN and run trustbot for the bot on Discord"}
	}
	return &startupError{msg: "DISCORD_TOKEN is empty, and this deployment build (-tags nodevchain) starts the playground in the bot's place " +
		"only at a terminal, which stdin is not: set DISCORD_TOKEN to run the bot on Discord (see .env.example)"}
}

// printCommands writes the slash commands: with --json exactly the body of the bulk overwrite
// that registers them, otherwise one line per command.
func printCommands(w io.Writer, args []string) error {
	asJSON := false
	for _, a := range args {
		switch a {
		case "--json", "-json":
			asJSON = true
		default:
			return fmt.Errorf("commands: unknown flag %q (try: trustbot commands --json)", a)
		}
	}
	cmds := bot.Commands(commands.New(commands.Services{}))
	if asJSON {
		out, err := json.Marshal(cmds)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", out)
		return err
	}
	for _, c := range cmds {
		fmt.Fprintf(w, "/%s — %s\n", c.Name, c.Description)
		for _, o := range c.Options {
			if o.Type == discordgo.ApplicationCommandOptionSubCommand {
				fmt.Fprintf(w, "  /%s %s — %s\n", c.Name, o.Name, o.Description)
			}
		}
	}
	return nil
}
