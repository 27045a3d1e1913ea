package commands

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/trustbot/trustbot"

	"github.com/ethereum/go-ethereum/common"
)

// Graph is the trust web as a picture describes it: members as nodes, budgets and layers as
// edges, every label already written. TrustGraph builds it; a Renderer draws it.
type Graph struct {
	Nodes []Node `json:"nodes"`
	Edges []Edge `json:"edges"`
}

// Node is one account of the web: a member (or an unlinked address).
type Node struct {
	ID    string `json:"id"` // the account's address, 0x hex (checksummed)
	Label string `json:"label"`
}

// Edge is a budget (issuer → holder, solid) or a layer (backing issuer → layered issuer, dashed).
// A budget's label is its budget and the tokens held, in the issuer's tokens ("100 · 40"; "0 · 5"
// for tokens held without a budget); a layer's is "backs" (the layered issuer's node says with
// how much), which also keeps it apart from a budget between the same two members. A node's figures are its reserve's backing and coverage ("300 tUSD · 240%").
// The picture's legend says what the figures are.
type Edge struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Label string `json:"label"`
	Style string `json:"style"` // "solid" or "dashed"
}

// MaxPictureMembers is the most members /web draws as one picture. Graphviz needs minutes for a
// few hundred (200 members and 665 edges: 7.7 min and a 47 MB PNG), and a picture read at a
// phone's width has no room for more; a larger web is answered in words.
const MaxPictureMembers = 30

// ErrIllegible is what a Renderer returns for a graph it will not draw because its picture's
// text would be too small to read: too many members, or too many arrows among them.
var ErrIllegible = errors.New("too large to draw legibly")

// WebReserve is one reserve as /web reads it: the same figures /reserve show and /credit use.
type WebReserve struct {
	Address, Issuer, Asset common.Address
	Symbol                 string // of its trust token, e.g. ALICE-tUSD
	AssetSymbol            string // of its asset: a base asset, or the trust token of the layer below
	Decimals               uint8  // the asset's decimals (the trust token's too)
	Backing, Outstanding   *big.Int
	Holders                []WebHolder
}

// WebHolder is an account trusted with or holding a reserve's tokens.
type WebHolder struct {
	Addr            common.Address
	Balance, Budget *big.Int
}

// WebInput is what TrustGraph draws: the reserves and the names of the accounts (looked up by
// the caller; an account without a name is shown by its short address).
type WebInput struct {
	Reserves []WebReserve
	Names    map[common.Address]string
}

// TrustGraph turns reserves into a Graph. Pure and deterministic: nodes sorted by label (then
// address), edges by their ends' order then label. Every issuer and every holder is a node;
// a holder that is itself a reserve of the input is the layer's backing and is drawn as the
// dashed edge from the backing issuer to the layered issuer, not as a node. Figures are written
// without the trust token's symbol (it is the issuer's) unless the issuer has several reserves;
// then each figure names its token ("ALICE-tUSD: 300 tUSD · 240%", "100 · 40 ALICE-tUSD").
func TrustGraph(in WebInput) Graph {
	byAddr := map[common.Address]*WebReserve{}
	issued := map[common.Address]int{}
	for i := range in.Reserves {
		r := &in.Reserves[i]
		if _, dup := byAddr[r.Address]; !dup {
			byAddr[r.Address] = r
			issued[r.Issuer]++
		}
	}
	name := func(a common.Address) string {
		if n := in.Names[a]; n != "" {
			return n
		}
		return trustbot.ShortAddress(a)
	}
	lines := map[common.Address][]string{}
	accounts := map[common.Address]bool{}
	var edges []Edge
	seen := map[common.Address]bool{}
	for i := range in.Reserves {
		r := &in.Reserves[i]
		if seen[r.Address] {
			continue
		}
		seen[r.Address] = true
		accounts[r.Issuer] = true
		backing, outstanding := trustbot.OrZero(r.Backing), trustbot.OrZero(r.Outstanding)
		cov := "nothing outstanding"
		if outstanding.Sign() > 0 {
			cov = new(big.Int).Div(new(big.Int).Mul(backing, big.NewInt(100)), outstanding).String() + "%"
		}
		line, symbol := fmt.Sprintf("%s · %s", trustbot.Money(backing, r.Decimals, r.AssetSymbol), cov), ""
		if issued[r.Issuer] > 1 {
			line, symbol = r.Symbol+": "+line, " "+r.Symbol
		}
		lines[r.Issuer] = append(lines[r.Issuer], line)
		if below, ok := byAddr[r.Asset]; ok {
			accounts[below.Issuer] = true
			edges = append(edges, Edge{From: below.Issuer.Hex(), To: r.Issuer.Hex(), Style: "dashed", Label: "backs"})
		}
		for _, x := range r.Holders {
			if _, isReserve := byAddr[x.Addr]; isReserve {
				continue
			}
			bal, budget := trustbot.OrZero(x.Balance), trustbot.OrZero(x.Budget)
			if bal.Sign() == 0 && budget.Sign() == 0 {
				continue
			}
			accounts[x.Addr] = true
			label := fmt.Sprintf("%s · %s%s", trustbot.FormatAmount(budget, r.Decimals), trustbot.FormatAmount(bal, r.Decimals), symbol)
			edges = append(edges, Edge{From: r.Issuer.Hex(), To: x.Addr.Hex(), Style: "solid", Label: label})
		}
	}
	var g Graph
	for a := range accounts {
		label := name(a)
		sort.Strings(lines[a])
		for _, l := range lines[a] {
			label += "\n" + l
		}
		g.Nodes = append(g.Nodes, Node{ID: a.Hex(), Label: label})
	}
	sort.Slice(g.Nodes, func(i, j int) bool {
		// Named members first, then accounts shown by address.
		if ai, aj := strings.HasPrefix(g.Nodes[i].Label, "0x"), strings.HasPrefix(g.Nodes[j].Label, "0x"); ai != aj {
			return aj
		}
		if g.Nodes[i].Label != g.Nodes[j].Label {
			return g.Nodes[i].Label < g.Nodes[j].Label
		}
		return g.Nodes[i].ID < g.Nodes[j].ID
	})
	rank := map[string]int{}
	for i, n := range g.Nodes {
		rank[n.ID] = i
	}
	sort.SliceStable(edges, func(i, j int) bool {
		a, b := edges[i], edges[j]
		if rank[a.From] != rank[b.From] {
			return rank[a.From] < rank[b.From]
		}
		if rank[a.To] != rank[b.To] {
			return rank[a.To] < rank[b.To]
		}
		if a.Style != b.Style {
			return a.Style < b.Style
		}
		return a.Label < b.Label
	})
	g.Edges = edges
	return g
}

// Budgets counts the graph's budget edges (not layers, nor holdings without a budget).
func (g Graph) Budgets() int {
	n := 0
	for _, e := range g.Edges {
		if e.Style == "solid" && !strings.HasPrefix(e.Label, "0 · ") {
			n++
		}
	}
	return n
}

func (h *handlers) webDef() Definition {
	return Definition{Name: "web", Description: "The trust web as a picture: members, their backing, budgets and layers", Chain: true, handler: (*handlers).web}
}

// webInput reads the known reserves like /credit does (Store.Reserves, Chain.ReserveAt,
// holders) and names their accounts with webName.
func (h *handlers) webInput(ctx context.Context, r *Request) (WebInput, error) {
	known, err := h.v.Reserves(ctx)
	if err != nil {
		return WebInput{}, err
	}
	in := WebInput{Names: map[common.Address]string{}}
	seen := map[common.Address]bool{}
	for _, k := range known {
		ra := k.Address
		if seen[ra] {
			continue
		}
		seen[ra] = true
		res, err := h.v.ReserveAt(ctx, ra)
		if err != nil {
			return WebInput{}, err
		}
		if !res.Exists {
			continue
		}
		hs, err := h.holders(ctx, ra)
		if err != nil {
			return WebInput{}, err
		}
		wr := WebReserve{Address: ra, Issuer: res.Issuer, Asset: res.Asset, Symbol: res.Symbol,
			AssetSymbol: res.AssetToken.Symbol, Decimals: res.Decimals, Backing: res.Reserve, Outstanding: res.Outstanding}
		for _, x := range hs {
			wr.Holders = append(wr.Holders, WebHolder{Addr: x.addr, Balance: x.balance, Budget: x.budget})
		}
		in.Reserves = append(in.Reserves, wr)
	}
	for _, res := range in.Reserves {
		for _, a := range append([]common.Address{res.Issuer}, holderAddrs(res.Holders)...) {
			if _, ok := in.Names[a]; !ok {
				in.Names[a] = h.webName(ctx, r, a)
			}
		}
	}
	return in, nil
}

func holderAddrs(hs []WebHolder) []common.Address {
	out := make([]common.Address, len(hs))
	for i, x := range hs {
		out[i] = x.Addr
	}
	return out
}

// webName is what the picture calls an account. A picture cannot show Discord mentions, and
// the commands only know members' IDs (Store.UserByAddress), so: the name the request carries
// for that ID (the invoker, or a member option), else for a playground dev member ("dev-alice")
// the name after "dev-", else the short address. Unlinked accounts are short addresses too.
func (h *handlers) webName(ctx context.Context, r *Request, a common.Address) string {
	owner := h.v.Owner(ctx, a)
	if owner == "" {
		return trustbot.ShortAddress(a)
	}
	known := []trustbot.Member{r.User}
	for _, v := range r.Options {
		if v.Member != nil {
			known = append(known, *v.Member)
		}
	}
	for _, m := range known {
		if m.ID == owner && m.Name != "" {
			return "@" + m.Name
		}
	}
	if n, ok := strings.CutPrefix(owner, "dev-"); ok && n != "" {
		return "@" + n
	}
	return trustbot.ShortAddress(a)
}

func (h *handlers) web(ctx context.Context, r *Request) (*Reply, error) {
	in, err := h.webInput(ctx, r)
	if err != nil {
		return nil, err
	}
	if len(in.Reserves) == 0 {
		return &Reply{Text: "There are no reserves yet, so the trust web is empty; start one with /reserve create."}, nil
	}
	g := TrustGraph(in)
	counts := fmt.Sprintf("%s, %s, %s", plural(len(g.Nodes), "member"), plural(len(in.Reserves), "reserve"), plural(g.Budgets(), "budget"))
	if h.Render == nil {
		return &Reply{Text: fmt.Sprintf("The trust web has %s, but this bot was started without pictures, so there is none to show.", counts), Private: true}, nil
	}
	tooLarge := fmt.Sprintf("The trust web has %s, too many to draw legibly as one picture (a picture shows at most %d members, with few enough arrows among them); /credit and /balance show your part of it.",
		counts, MaxPictureMembers)
	if len(g.Nodes) > MaxPictureMembers {
		return &Reply{Text: tooLarge, Private: true}, nil
	}
	png, err := h.Render.RenderWeb(ctx, g)
	if errors.Is(err, ErrIllegible) {
		return &Reply{Text: tooLarge, Private: true}, nil
	}
	if err != nil {
		h.Log.Error("render trust web", "user", r.User.ID, "members", len(g.Nodes), "edges", len(g.Edges), "err", err)
		return &Reply{Text: fmt.Sprintf("The trust web has %s, but its picture could not be drawn this time; please try again.", counts), Private: true}, nil
	}
	return &Reply{Text: "The trust web: " + counts + ".", Files: []Attachment{{Name: "trust-web.png", ContentType: "image/png", Data: png}}}, nil
}
