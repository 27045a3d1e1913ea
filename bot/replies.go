package bot

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/trustbot/trustbot/commands"
)

// Discord's limits on messages and link buttons.
const (
	maxContent     = 2000
	maxButtonURL   = 512
	maxButtonLabel = 80
	maxFileSize    = 10 << 20
	maxFiles       = 10 // attachments per message
)

// callback is the body of an interaction's first response, the same bytes whether it goes in
// the HTTP endpoint's response or over REST for the gateway.
type callback struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data any                               `json:"data,omitempty"`
}

// callbackMessage is the data of a type 4 (message) or type 5 (deferred) response.
type callbackMessage struct {
	Content         string                            `json:"content,omitempty"`
	Flags           discordgo.MessageFlags            `json:"flags,omitempty"`
	Components      []discordgo.MessageComponent      `json:"components,omitempty"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions,omitempty"`
}

// callbackChoices is the data of a type 8 (autocomplete) response; choices is always present.
type callbackChoices struct {
	Choices []choice `json:"choices"`
}

type choice struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// onlyUsers lets mentions of users through and never @everyone, @here or roles: names in
// summaries are chosen by users.
func onlyUsers() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{discordgo.AllowedMentionTypeUsers}}
}

// flagsOf is a reply's message flags: ephemeral when private.
func flagsOf(r *commands.Reply) discordgo.MessageFlags {
	if r.Private {
		return discordgo.MessageFlagsEphemeral
	}
	return 0
}

// deferred acknowledges an interaction; the answer follows as an edit of the original response.
func deferred(private bool) *callback {
	data := &callbackMessage{}
	if private {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	return &callback{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource, Data: data}
}

// messageCallback answers an interaction at once with a reply (it has no attachment).
func (b *Bot) messageCallback(r *commands.Reply) *callback {
	content, components := b.render(r)
	return &callback{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: &callbackMessage{
		Content: content, Flags: flagsOf(r), Components: components, AllowedMentions: onlyUsers(),
	}}
}

// render turns a reply into message content and components: its sentence, and a signing link as
// a link button. A link Discord would refuse as a button is written into the text instead.
func (b *Bot) render(r *commands.Reply) (string, []discordgo.MessageComponent) {
	text := r.Text
	var components []discordgo.MessageComponent
	if r.Link != nil && r.Link.URL != "" {
		if buttonURL(r.Link.URL) {
			label := strings.TrimSpace(r.Link.Label)
			if label == "" {
				label = "Open"
			}
			components = []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				discordgo.Button{Style: discordgo.LinkButton, Label: clip(label, maxButtonLabel), URL: r.Link.URL},
			}}}
		} else {
			b.log.Warn("discord: link cannot be a button; it goes in the text", "url_len", len(r.Link.URL))
			text = strings.TrimRight(text, "\n") + "\n" + r.Link.URL
		}
	}
	for _, a := range r.Files {
		if len(a.Data) > maxFileSize {
			text = strings.TrimRight(text, "\n") + "\n(" + fileName(a) + " was too large for Discord and is not attached.)"
		}
	}
	if strings.TrimSpace(text) == "" && len(components) == 0 && len(sendable(r.Files)) == 0 {
		text = "Done."
	}
	return fitContent(text), components
}

// buttonURL reports whether Discord takes u as a link button's URL: http(s), ≤ 512 characters.
func buttonURL(u string) bool {
	if len(u) > maxButtonURL {
		return false
	}
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != ""
}

// fitContent shortens text to Discord's 2,000 characters, cutting at a line break or a space in
// the last part of the text when there is one, and marking the cut with "…".
func fitContent(text string) string {
	r := []rune(text)
	if len(r) <= maxContent {
		return text
	}
	cut := r[:maxContent-1]
	for _, sep := range []rune{'\n', ' '} {
		if i := lastRune(cut, sep); i >= maxContent*3/4 {
			cut = cut[:i]
			break
		}
	}
	return strings.TrimRight(string(cut), " \n") + "…"
}

func lastRune(r []rune, x rune) int {
	for i := len(r) - 1; i >= 0; i-- {
		if r[i] == x {
			return i
		}
	}
	return -1
}

// edit is a reply as an edit of the original response; it replaces the text and the components
// (none clears an earlier button) and uploads an attachment.
func (b *Bot) edit(r *commands.Reply) *discordgo.WebhookEdit {
	content, components := b.render(r)
	if components == nil {
		components = []discordgo.MessageComponent{}
	}
	e := &discordgo.WebhookEdit{Content: &content, Components: &components, AllowedMentions: onlyUsers()}
	for _, a := range sendable(r.Files) {
		e.Files = append(e.Files, &discordgo.File{Name: fileName(a), ContentType: a.ContentType, Reader: bytes.NewReader(a.Data)})
	}
	return e
}

// sendable is the files of a reply Discord takes: each within its size limit, at most ten.
func sendable(files []commands.Attachment) []commands.Attachment {
	var out []commands.Attachment
	for _, a := range files {
		if len(a.Data) <= maxFileSize && len(out) < maxFiles {
			out = append(out, a)
		}
	}
	return out
}

func fileName(a commands.Attachment) string {
	if name := strings.TrimSpace(a.Name); name != "" {
		return name
	}
	return "attachment"
}

// editOriginal replaces an interaction's original response with a reply. tokenBorn is when the
// interaction token was issued, on the bot's clock; the edit is an idempotent PATCH, retried as
// afterAck says while the token lives.
func (b *Bot) editOriginal(ctx context.Context, appID, token string, tokenBorn time.Time, r *commands.Reply) error {
	return b.afterAck(ctx, "edit original response", tokenBorn, func(opts ...discordgo.RequestOption) error {
		// A fresh edit per attempt: a retried upload needs its file reader from the start.
		_, err := b.s.WebhookMessageEdit(appID, token, "@original", b.edit(r), opts...)
		return err
	})
}
