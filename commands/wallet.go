package commands

import (
	"context"
	"fmt"

	"github.com/trustbot/trustbot"
)

func (h *handlers) walletDef() Definition {
	return Definition{
		Name:        "wallet",
		Description: "Link, show or unlink the wallet that signs for you",
		Subcommands: []Definition{
			{Name: "link", Description: "Prove you own a wallet and link it to your account", handler: (*handlers).walletLink},
			{Name: "show", Description: "Show a member's linked wallet", handler: (*handlers).walletShow,
				Options: []OptionDef{{Name: "member", Description: "whose wallet (default: yours)", Type: User}}},
			{Name: "unlink", Description: "Unlink your wallet", handler: (*handlers).walletUnlink},
		},
	}
}

func (h *handlers) walletLink(ctx context.Context, r *Request) (*Reply, error) {
	url, err := h.Links.WalletLink(ctx, r.User.ID, r.User.Name)
	if err != nil {
		return nil, err
	}
	text := "Open the link and sign the message with your wallet to link it to your account. " +
		"Signing costs nothing and moves no money; the link works once and expires in 10 minutes."
	if link, err := h.Store.WalletByUser(ctx, r.User.ID); err == nil {
		text += fmt.Sprintf(" Your current wallet %s will be replaced.", link.Address)
	}
	return &Reply{Text: text, Private: true, Link: &Link{URL: url, Label: "Link your wallet"}}, nil
}

func (h *handlers) walletShow(ctx context.Context, r *Request) (*Reply, error) {
	m := r.User
	if o := r.MemberOption("member"); o != nil {
		m = *o
	}
	link, err := h.Store.WalletByUser(ctx, m.ID)
	if trustbot.ErrorCode(err) == trustbot.ENotFound {
		if m.ID == r.User.ID {
			return &Reply{Text: "You haven't linked a wallet yet — run /wallet link.", Private: true}, nil
		}
		return &Reply{Text: fmt.Sprintf("%s hasn't linked a wallet yet.", m.Mention()), Private: true}, nil
	}
	if err != nil {
		return nil, err
	}
	how := map[string]string{"siwe": "signed in with Ethereum", "dev": "a playground dev key"}[link.Method]
	if how == "" {
		how = link.Method
	}
	return &Reply{Text: fmt.Sprintf("%s's wallet is %s (linked %s, %s).",
		m.Mention(), link.Address, link.ProvenAt.UTC().Format("2006-01-02 15:04 UTC"), how), Private: true}, nil
}

func (h *handlers) walletUnlink(ctx context.Context, r *Request) (*Reply, error) {
	link, err := h.Store.WalletByUser(ctx, r.User.ID)
	if trustbot.ErrorCode(err) == trustbot.ENotFound {
		return nil, trustbot.Errorf(trustbot.EInvalid, "You have no linked wallet to unlink.")
	}
	if err != nil {
		return nil, err
	}
	if err := h.Store.UnlinkWallet(ctx, r.User.ID); err != nil {
		return nil, err
	}
	return &Reply{Text: fmt.Sprintf("Your wallet %s is no longer linked. Your tokens and reserve stay on chain; link a wallet again to act on them.", link.Address), Private: true}, nil
}
