package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/trustbot/trustbot"
)

// Choice is a value offered while a user types an option (Discord's autocomplete).
type Choice struct {
	Name  string // what the user sees
	Value string // what the option then carries: a member's ID for member options
}

// maxChoices is the most suggestions an adapter can show.
const maxChoices = 25

// Suggest offers values for option as the invoker types it: the configured asset symbols for
// asset, and for from the members whose trust tokens the invoker holds (with how many). Nothing
// is offered when the invoker has no wallet linked or the chain cannot be read.
func (s *Set) Suggest(ctx context.Context, r *Request, option, typed string) []Choice {
	h := s.h.forRequest(false)
	typed = strings.ToLower(strings.TrimSpace(typed))
	var out []Choice
	add := func(c Choice) {
		if len(out) < maxChoices && strings.Contains(strings.ToLower(c.Name), typed) {
			out = append(out, c)
		}
	}
	switch option {
	case "asset":
		for _, a := range h.Assets {
			add(Choice{Name: a.Symbol, Value: a.Symbol})
		}
	case "from":
		link, err := h.Store.WalletByUser(ctx, r.User.ID)
		if err != nil {
			return nil
		}
		hs, err := h.holdings(ctx, link.Address)
		if err != nil {
			return nil
		}
		for _, x := range hs {
			if x.balance.Sign() == 0 {
				continue
			}
			issuer := h.v.Owner(ctx, x.res.Issuer)
			if issuer == "" {
				continue // an issuer with no linked member cannot be named here
			}
			add(Choice{Name: fmt.Sprintf("%s — you hold %s", x.res.Symbol, trustbot.FormatAmount(x.balance, x.res.Decimals)), Value: issuer})
		}
	}
	return out
}
