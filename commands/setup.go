package commands

import (
	"context"
	"fmt"

	"github.com/trustbot/trustbot"
)

func (h *handlers) setupDef() Definition {
	return Definition{
		Name: "setup", Description: "Choose the channel where on-chain notices are posted", ManageServer: true, handler: (*handlers).setup,
		Options: []OptionDef{{Name: "channel", Description: "the notice channel", Type: Channel, Required: true}},
	}
}

func (h *handlers) setup(ctx context.Context, r *Request) (*Reply, error) {
	if r.GuildID == "" {
		return nil, trustbot.Errorf(trustbot.EInvalid, "/setup works in a server, not in a direct message.")
	}
	ch := r.Options["channel"].Channel
	if ch == "" {
		return nil, trustbot.Errorf(trustbot.EInvalid, "Name a channel, like #trust.")
	}
	if err := h.Store.SetNoticeChannel(ctx, r.GuildID, ch); err != nil {
		return nil, err
	}
	return &Reply{Text: fmt.Sprintf("On-chain notices will be posted in <#%s>.", ch), Private: true}, nil
}
