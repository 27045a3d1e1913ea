package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/trustbot/trustbot/commands"
	"github.com/trustbot/trustbot/store"
)

// Notice posts a confirmed on-chain event to its channel as one message, with the explorer link
// when one is configured; while the requester's interaction token lives, their original
// ephemeral response (the signing link) is edited to say it is confirmed.
func (b *Bot) Notice(ctx context.Context, n commands.Notice) {
	link := b.explorerLink(n.TxHash)
	if n.ChannelID == "" {
		b.log.Warn("discord: notice without a channel", "guild", n.GuildID, "tx", n.TxHash)
	} else {
		text := n.Text
		if link != "" {
			text = strings.TrimRight(text, "\n") + "\n" + link
		}
		if err := b.postMessage(ctx, n.ChannelID, noticeKey(n, text), text); err != nil {
			b.log.Error("discord: posting a notice failed", "guild", n.GuildID, "channel", n.ChannelID, "tx", n.TxHash, "err", err)
		}
	}
	if r := n.Request; r != nil && b.tokenAlive(r.InteractionToken, r.CreatedAt) {
		text := "Confirmed on chain: " + r.Summary
		if link != "" {
			text += "\n" + link
		}
		b.editRequester(ctx, *r, text)
	}
}

// RequestDone tells the requester, while their interaction token lives, that a signing request
// failed or expired. A confirmed request is told by its notice.
func (b *Bot) RequestDone(ctx context.Context, r store.Request) {
	var text string
	switch r.Status {
	case store.StatusFailed:
		why := strings.TrimSpace(r.Error)
		if why == "" {
			why = "the chain refused it"
		}
		text = fmt.Sprintf("This did not go through: %s The transaction failed (%s). Nothing more will happen; run the command again to retry.", r.Summary, why)
	case store.StatusExpired:
		text = fmt.Sprintf("This link expired before it was signed: %s Run the command again for a new link.", r.Summary)
	case store.StatusCancelled:
		text = fmt.Sprintf("Cancelled: %s The link no longer works.", r.Summary)
	default:
		return
	}
	if !b.tokenAlive(r.InteractionToken, r.CreatedAt) {
		return
	}
	b.editRequester(ctx, r, text)
}

// channelMessage is the body of Create Message for a notice. The nonce names the message, and
// enforce_nonce makes Discord return the message an earlier request with the same nonce created
// instead of creating a second one: a retry after a 5xx or a lost answer cannot post it twice.
type channelMessage struct {
	Content         string                            `json:"content"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions,omitempty"`
	Nonce           string                            `json:"nonce"`
	EnforceNonce    bool                              `json:"enforce_nonce"`
}

// postMessage posts text to a channel as one message named by key (see messageNonce), retried
// as afterAck says.
func (b *Bot) postMessage(ctx context.Context, channelID, key, text string) error {
	msg := &channelMessage{Content: fitContent(text), AllowedMentions: onlyUsers(), Nonce: messageNonce(channelID, key), EnforceNonce: true}
	endpoint := discordgo.EndpointChannelMessages(channelID)
	return b.afterAck(ctx, "channel message", time.Time{}, func(opts ...discordgo.RequestOption) error {
		_, err := b.s.RequestWithBucketID("POST", endpoint, msg, endpoint, opts...)
		return err
	})
}

// noticeKey names a notice: the watcher gives one notice per transaction, so its transaction
// hash; a notice without one is named by its text.
func noticeKey(n commands.Notice, text string) string {
	if n.TxHash != "" {
		return "notice tx " + n.TxHash
	}
	return "notice text " + text
}

// editRequester replaces a signing request's original response (and its now useless button).
func (b *Bot) editRequester(ctx context.Context, r store.Request, text string) {
	if err := b.editOriginal(ctx, b.appID(nil), r.InteractionToken, r.CreatedAt, &commands.Reply{Text: text, Private: true}); err != nil {
		b.log.Warn("discord: editing the requester's response failed", "request", shortID(r.ID), "err", err)
	}
}

// explorerLink is the block explorer's page of a transaction, in angle brackets so Discord shows
// no preview; "" without EXPLORER_URL.
func (b *Bot) explorerLink(hash string) string {
	base := strings.TrimRight(b.cfg.ExplorerURL, "/")
	if base == "" || hash == "" {
		return ""
	}
	return "<" + base + "/tx/" + hash + ">"
}

// shortID is the part of a signing request's id that is safe to log: the id is a bearer secret.
func shortID(id string) string {
	if len(id) > 6 {
		return id[:6]
	}
	return id
}
