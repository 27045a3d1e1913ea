package bot

import (
	"sort"

	"github.com/bwmarrin/discordgo"

	"github.com/trustbot/trustbot/commands"
)

// Discord's limits on command definitions.
const (
	maxDescription = 100
	maxChoices     = 25
	maxChoiceValue = 100
)

// Commands returns the chat-input commands for Discord's bulk overwrite: one per definition,
// subcommands as SUB_COMMAND options, usable in guilds only, /setup-like commands behind Manage
// Server. `trustbot commands --json` prints exactly this payload.
func Commands(set *commands.Set) []*discordgo.ApplicationCommand {
	guildOnly := []discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	guildInstall := []discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall}
	var out []*discordgo.ApplicationCommand
	for _, d := range set.Definitions() {
		cmd := &discordgo.ApplicationCommand{
			Type:             discordgo.ChatApplicationCommand,
			Name:             d.Name,
			Description:      description(d.Description, d.Name),
			Contexts:         &guildOnly,
			IntegrationTypes: &guildInstall,
		}
		if d.ManageServer {
			perm := int64(discordgo.PermissionManageGuild)
			cmd.DefaultMemberPermissions = &perm
		}
		if len(d.Subcommands) > 0 {
			for _, sub := range d.Subcommands {
				cmd.Options = append(cmd.Options, &discordgo.ApplicationCommandOption{
					Type:        discordgo.ApplicationCommandOptionSubCommand,
					Name:        sub.Name,
					Description: description(sub.Description, sub.Name),
					Options:     options(sub.Options),
				})
			}
		} else {
			cmd.Options = options(d.Options)
		}
		out = append(out, cmd)
	}
	return out
}

// options converts option definitions, required ones first as Discord demands.
func options(defs []commands.OptionDef) []*discordgo.ApplicationCommandOption {
	sorted := append([]commands.OptionDef(nil), defs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Required && !sorted[j].Required })
	var out []*discordgo.ApplicationCommandOption
	for _, o := range sorted {
		opt := &discordgo.ApplicationCommandOption{
			Name:        o.Name,
			Description: description(o.Description, o.Name),
			Required:    o.Required,
		}
		switch o.Type {
		case commands.User:
			// Discord offers its own member picker, but autocomplete exists only for text and
			// numbers: a member option that suggests (from: the issuers you hold tokens of) is a
			// text option whose suggestions carry member IDs.
			opt.Type = discordgo.ApplicationCommandOptionUser
			if o.Autocomplete {
				opt.Type, opt.Autocomplete = discordgo.ApplicationCommandOptionString, true
			}
		case commands.Channel:
			opt.Type = discordgo.ApplicationCommandOptionChannel
			opt.ChannelTypes = []discordgo.ChannelType{discordgo.ChannelTypeGuildText}
		default:
			opt.Type = discordgo.ApplicationCommandOptionString
			switch {
			case o.Autocomplete:
				opt.Autocomplete = true
			case len(o.Choices) > 0:
				for _, c := range o.Choices {
					if len(opt.Choices) == maxChoices {
						break
					}
					opt.Choices = append(opt.Choices, &discordgo.ApplicationCommandOptionChoice{
						Name: clip(c, maxChoiceValue), Value: clip(c, maxChoiceValue)})
				}
			}
		}
		out = append(out, opt)
	}
	return out
}

// description fits a description into Discord's 1–100 characters.
func description(d, name string) string {
	if d == "" {
		d = name
	}
	return clip(d, maxDescription)
}

// clip shortens s to at most n characters, ending in "…" when it was cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
