package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/commands"
)

// InteractionCreate is the gateway's handler: add it to the session with AddHandler.
func (b *Bot) InteractionCreate(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
	if ic == nil || ic.Interaction == nil || !b.enter() {
		return
	}
	defer b.wg.Done()
	defer b.recoverPanic("gateway interaction")
	i := ic.Interaction
	first, then := b.dispatch(b.ctx, i)
	if first == nil {
		return
	}
	if err := b.respond(b.ctx, i, first); err != nil {
		b.log.Error("discord: interaction response failed", "interaction", i.ID, "err", err)
		return
	}
	if then != nil {
		then(b.ctx)
	}
}

// respond sends an interaction's first response over REST (the gateway transport).
func (b *Bot) respond(ctx context.Context, i *discordgo.Interaction, cb *callback) error {
	endpoint := discordgo.EndpointInteractionResponse(i.ID, i.Token)
	return b.rest(ctx, func(opts ...discordgo.RequestOption) error {
		_, err := b.s.RequestWithBucketID("POST", endpoint, cb, endpoint, opts...)
		return err
	})
}

// dispatch decides an interaction's first response. When more work follows the
// acknowledgement (a chain command, an upload) it is returned as then, to run once the first
// response is delivered: nothing in then may start before Discord has its acknowledgement.
// Both transports go through here.
func (b *Bot) dispatch(ctx context.Context, i *discordgo.Interaction) (first *callback, then func(context.Context)) {
	switch i.Type {
	case discordgo.InteractionPing:
		return &callback{Type: discordgo.InteractionResponsePong}, nil
	case discordgo.InteractionApplicationCommandAutocomplete:
		return b.autocomplete(i), nil
	case discordgo.InteractionApplicationCommand:
	default:
		b.log.Warn("discord: interaction type not handled", "type", int(i.Type), "interaction", i.ID)
		return nil, nil
	}
	// The token came with the interaction; Discord issued it at most its 3 s acknowledgement
	// window before.
	received := b.cfg.Now()
	req, err := b.request(i)
	if err != nil {
		return b.messageCallback(&commands.Reply{Text: trustbot.ErrorMessage(err), Private: true}), nil
	}
	if err := b.set.Check(req); err != nil {
		return b.messageCallback(&commands.Reply{Text: trustbot.ErrorMessage(err), Private: true}), nil
	}
	appID := b.appID(i)
	if b.set.NeedsChain(req) {
		return deferred(true), func(ctx context.Context) {
			// The work waits its turn for as long as it may then take.
			var reply *commands.Reply
			if err := b.work.Run(ctx, b.cfg.Timeout, func(ctx context.Context) {
				hctx, cancel := context.WithTimeout(ctx, b.cfg.Timeout)
				reply = b.set.Handle(hctx, req)
				cancel()
			}); err != nil {
				if ctx.Err() != nil {
					return
				}
				b.log.Warn("discord: a chain command did not get its turn to run", "command", req.Command, "interaction", i.ID, "waited", b.cfg.Timeout)
				reply = &commands.Reply{Text: trustbot.ErrorMessage(busy(req)), Private: true}
			}
			if err := b.editOriginal(ctx, appID, req.Token, received, reply); err != nil {
				b.log.Error("discord: editing the deferred response failed", "command", req.Command, "interaction", i.ID, "err", err)
			}
		}
	}
	qctx, cancel := context.WithTimeout(ctx, quickTimeout)
	reply := b.set.Handle(qctx, req)
	cancel()
	if len(sendable(reply.Files)) > 0 {
		// A file goes up with the edit that follows the acknowledgement, the same on both transports.
		return deferred(reply.Private), func(ctx context.Context) {
			if err := b.editOriginal(ctx, appID, req.Token, received, reply); err != nil {
				b.log.Error("discord: uploading the reply's file failed", "command", req.Command, "interaction", i.ID, "err", err)
			}
		}
	}
	return b.messageCallback(reply), nil
}

// request turns an application-command interaction into a commands.Request. It checks every
// option's type and value itself: a malformed interaction gives a sentence, never a panic.
func (b *Bot) request(i *discordgo.Interaction) (*commands.Request, error) {
	data, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
	if !ok || data.Name == "" {
		return nil, trustbot.Errorf(trustbot.EInvalid, "That interaction carried no command I can read.")
	}
	if data.CommandType != 0 && data.CommandType != discordgo.ChatApplicationCommand {
		return nil, trustbot.Errorf(trustbot.EInvalid, "/%s works as a slash command only.", data.Name)
	}
	user := i.User
	if i.Member != nil && i.Member.User != nil {
		user = i.Member.User
	}
	if user == nil || user.ID == "" {
		return nil, trustbot.Errorf(trustbot.EInvalid, "I couldn't tell who ran /%s; please try again.", data.Name)
	}
	req := &commands.Request{
		InteractionID: i.ID, GuildID: i.GuildID, ChannelID: i.ChannelID, Token: i.Token,
		User: trustbot.Member{ID: user.ID, Name: displayName(user)}, Command: data.Name,
		Options: map[string]commands.Value{},
	}
	opts := data.Options
	if len(opts) == 1 && opts[0] != nil && isSub(opts[0].Type) {
		sub := opts[0]
		req.Subcommand, opts = sub.Name, sub.Options
		if sub.Type == discordgo.ApplicationCommandOptionSubCommandGroup {
			if len(opts) != 1 || opts[0] == nil || opts[0].Type != discordgo.ApplicationCommandOptionSubCommand {
				return nil, trustbot.Errorf(trustbot.EInvalid, "/%s %s needs a subcommand.", data.Name, sub.Name)
			}
			req.Subcommand += " " + opts[0].Name
			opts = opts[0].Options
		}
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if isSub(o.Type) {
			return nil, trustbot.Errorf(trustbot.EInvalid, "/%s was sent with a subcommand among its options; run it again from the command list.", fullName(req))
		}
		if _, dup := req.Options[o.Name]; dup {
			return nil, trustbot.Errorf(trustbot.EInvalid, "Option %s of /%s was given twice.", o.Name, fullName(req))
		}
		v, err := optionValue(req, o, data.Resolved)
		if err != nil {
			return nil, err
		}
		if v, err = b.suggestedMember(req, o.Name, v); err != nil {
			return nil, err
		}
		req.Options[o.Name] = v
	}
	return req, nil
}

func isSub(t discordgo.ApplicationCommandOptionType) bool {
	return t == discordgo.ApplicationCommandOptionSubCommand || t == discordgo.ApplicationCommandOptionSubCommandGroup
}

func fullName(r *commands.Request) string {
	if r.Subcommand != "" {
		return r.Command + " " + r.Subcommand
	}
	return r.Command
}

// optionValue reads one option. Types the commands never declare are passed on without a type,
// so that the command's own check names the type the option takes.
func optionValue(req *commands.Request, o *discordgo.ApplicationCommandInteractionDataOption, res *discordgo.ApplicationCommandInteractionDataResolved) (commands.Value, error) {
	unreadable := trustbot.Errorf(trustbot.EInvalid, "Option %s of /%s came without a value I can read; please pick it again.", o.Name, fullName(req))
	switch o.Type {
	case discordgo.ApplicationCommandOptionString:
		s, ok := o.Value.(string)
		if !ok {
			return commands.Value{}, unreadable
		}
		return commands.Value{Type: commands.String, String: s}, nil
	case discordgo.ApplicationCommandOptionUser:
		id, ok := o.Value.(string)
		if !ok || strings.TrimSpace(id) == "" {
			return commands.Value{}, unreadable
		}
		m := trustbot.Member{ID: id, Name: id}
		if res != nil {
			if u := res.Users[id]; u != nil {
				m.Name = displayName(u)
			} else if mem := res.Members[id]; mem != nil && mem.User != nil {
				m.Name = displayName(mem.User)
			}
		}
		return commands.Value{Type: commands.User, Member: &m}, nil
	case discordgo.ApplicationCommandOptionChannel:
		id, ok := o.Value.(string)
		if !ok || strings.TrimSpace(id) == "" {
			return commands.Value{}, unreadable
		}
		return commands.Value{Type: commands.Channel, Channel: id}, nil
	default:
		if o.Value == nil {
			return commands.Value{}, unreadable
		}
		return commands.Value{String: fmt.Sprint(o.Value)}, nil
	}
}

// displayName is a user's global name, or their username.
func displayName(u *discordgo.User) string {
	switch {
	case u.GlobalName != "":
		return u.GlobalName
	case u.Username != "":
		return u.Username
	default:
		return u.ID
	}
}

// suggestedMember turns the text of a member option registered with autocomplete (see options)
// back into a member: the suggestion carried the member's ID.
func (b *Bot) suggestedMember(req *commands.Request, name string, v commands.Value) (commands.Value, error) {
	def, ok := b.set.Lookup(req.Command, req.Subcommand)
	if !ok || v.Type != commands.String {
		return v, nil
	}
	for _, o := range def.Options {
		if o.Name != name || o.Type != commands.User || !o.Autocomplete {
			continue
		}
		id := strings.TrimSpace(v.String)
		if id == "" || strings.Trim(id, "0123456789") != "" {
			return v, trustbot.Errorf(trustbot.EInvalid, "Pick %s from the suggestions of /%s (the members whose tokens you hold).", name, fullName(req))
		}
		return commands.Value{Type: commands.User, Member: &trustbot.Member{ID: id, Name: id}}, nil
	}
	return v, nil
}

// autocomplete answers what commands.Set.Suggest offers for the option being typed: asset
// symbols, or the members whose tokens the invoker holds.
func (b *Bot) autocomplete(i *discordgo.Interaction) *callback {
	out := callbackChoices{Choices: []choice{}}
	data, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
	focused := focusedOption(data.Options)
	user := i.User
	if i.Member != nil && i.Member.User != nil {
		user = i.Member.User
	}
	if ok && focused != nil && user != nil {
		typed, _ := focused.Value.(string)
		req := &commands.Request{GuildID: i.GuildID, ChannelID: i.ChannelID, User: trustbot.Member{ID: user.ID, Name: displayName(user)}, Command: data.Name}
		ctx, cancel := context.WithTimeout(b.ctx, quickTimeout)
		defer cancel()
		for _, c := range b.set.Suggest(ctx, req, focused.Name, typed) {
			out.Choices = append(out.Choices, choice{Name: clip(c.Name, maxChoiceValue), Value: clip(c.Value, maxChoiceValue)})
		}
	}
	return &callback{Type: discordgo.InteractionApplicationCommandAutocompleteResult, Data: out}
}

// focusedOption finds the option being typed, inside subcommands too.
func focusedOption(opts []*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	for _, o := range opts {
		if o == nil {
			continue
		}
		if o.Focused {
			return o
		}
		if f := focusedOption(o.Options); f != nil {
			return f
		}
	}
	return nil
}

// busy is the answer to a chain command that waited Config.Timeout for its turn (Workers are
// all taken) without getting it.
func busy(req *commands.Request) error {
	return trustbot.Errorf(trustbot.EUnavailable, "I have too many commands to run at once to get to /%s; nothing was changed. Try again in a minute.", fullName(req))
}
