package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/commands"
)

// Notice posts a confirmed on-chain event to its channel as one message, with the explorer link
// when one is configured, and returns nil only once Discord has it: an error leaves the notice
// in the outbox. The message carries the notice's nonce with enforce_nonce, so a repeat after a
// lost answer or a restart is the same message. While the requester's interaction token lives,
// their original ephemeral response (the signing link) is edited to say it is confirmed.
func (b *Bot) Notice(ctx context.Context, n trustbot.Notice) error {
	if n.ChannelID == "" {
		return fmt.Errorf("discord: notice of tx %s has no channel (guild %s): %w", n.TxHash.Hex(), n.GuildID, trustbot.ErrUndeliverable)
	}
	link := b.explorerLink(n.TxHash)
	text := n.Text
	if link != "" {
		text = strings.TrimRight(text, "\n") + "\n" + link
	}
	key := n.Nonce
	if key == "" {
		key = "notice text " + text
	}
	if err := b.postMessage(ctx, n.ChannelID, key, text); err != nil {
		if refusedForGood(err) {
			err = fmt.Errorf("%w: %w", trustbot.ErrUndeliverable, err)
		}
		return fmt.Errorf("discord: posting the notice of tx %s to channel %s: %w", n.TxHash.Hex(), n.ChannelID, err)
	}
	if r := n.Request; r.InteractionToken != "" && b.tokenAlive(r.InteractionToken, r.CreatedAt) {
		text := "Confirmed on chain: " + r.Summary
		if link != "" {
			text += "\n" + link
		}
		b.editRequester(ctx, r, text)
	}
	return nil
}

// RequestDone tells the requester, while their interaction token lives, that a signing request
// failed or expired. A confirmed request is told by its notice.
func (b *Bot) RequestDone(ctx context.Context, r trustbot.SigningRequest) {
	var text string
	switch r.Status {
	case trustbot.StatusFailed:
		why := strings.TrimSpace(r.Error)
		if why == "" {
			why = "the chain refused it"
		}
		text = fmt.Sprintf("This did not go through: %s The transaction failed (%s). Nothing more will happen; run the command again to retry.", r.Summary, why)
	case trustbot.StatusExpired:
		text = fmt.Sprintf("This link expired before it was signed: %s Run the command again for a new link.", r.Summary)
	case trustbot.StatusCancelled:
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

// editRequester replaces a signing request's original response (and its now useless button).
func (b *Bot) editRequester(ctx context.Context, r trustbot.SigningRequest, text string) {
	if err := b.editOriginal(ctx, b.appID(nil), r.InteractionToken, r.CreatedAt, &commands.Reply{Text: text, Private: true}); err != nil {
		b.log.Warn("discord: editing the requester's response failed", "request", trustbot.ShortID(r.ID), "err", err)
	}
}

// explorerLink is the block explorer's page of a transaction, in angle brackets so Discord shows
// no preview; "" without EXPLORER_URL.
func (b *Bot) explorerLink(hash common.Hash) string {
	base := strings.TrimRight(b.cfg.ExplorerURL, "/")
	if base == "" || hash == (common.Hash{}) {
		return ""
	}
	return "<" + base + "/tx/" + hash.Hex() + ">"
}

// refusedForGood reports whether Discord answered a request with a 4xx other than 429 (rate
// limited, handled inside each attempt): the channel is gone, the bot lost access, or the body is
// one Discord will never take. Sending it again cannot succeed.
func refusedForGood(err error) bool {
	var rest *discordgo.RESTError
	if !errors.As(err, &rest) || rest.Response == nil {
		return false
	}
	code := rest.Response.StatusCode
	return code >= 400 && code < 500 && code != http.StatusTooManyRequests
}
