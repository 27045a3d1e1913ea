package console

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trustbot/trustbot/web/siwe"
	"github.com/trustbot/trustbot/web/wire"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/commands"
)

// DevMember is a playground member with a dev key that /approve signs with.
type DevMember struct {
	Member trustbot.Member
	Wallet chain.Wallet
}

// Console runs command lines for dev members and prints replies and notices.
type Console struct {
	Set     *commands.Set
	Members []DevMember
	Eth     *ethclient.Client
	ChainID *big.Int
	// Interactive: the input is a person at a terminal: a prompt and no echo, and line editing
	// and history when Run reads a terminal. Otherwise each line is echoed after the prompt.
	Interactive bool
	// Wait bounds how long /approve waits for confirmation.
	Wait time.Duration
	// Dir, when set, is where attachments (the /web picture) are written; the console prints
	// their path. Empty: it only prints their name and size.
	Dir string
	// Log receives the errors the console only shows as the generic sentence; nil discards.
	Log *slog.Logger
	// HistoryFile, when set, keeps the terminal's line history across runs.
	HistoryFile string
	// Interrupts delivers SIGINT to Run: at the prompt it ends Run, during a command it cancels
	// the command, and a second one during the same command ends Run.
	Interrupts <-chan os.Signal
	// Pending lists a member's open signing requests' links in the order /pending numbers them;
	// /approve N signs the N-th.
	Pending func(ctx context.Context, userID string) ([]string, error)

	GuildID, ChannelID string

	mu       sync.Mutex
	out      io.Writer
	current  string
	lastLink map[string]string
	http     *http.Client
	noticed  map[common.Hash]chan struct{} // closed once the transaction's notice is printed
}

// New returns a console writing to out, acting as the first member.
func New(set *commands.Set, members []DevMember, eth *ethclient.Client, chainID *big.Int, out io.Writer) *Console {
	c := &Console{Set: set, Members: members, Eth: eth, ChainID: chainID, out: out, Wait: time.Minute,
		GuildID: "playground", ChannelID: "console", lastLink: map[string]string{}, http: &http.Client{Timeout: 10 * time.Second},
		noticed: map[common.Hash]chan struct{}{}}
	if len(members) > 0 {
		c.current = members[0].Member.Name
	}
	return c
}

func (c *Console) member(name string) (DevMember, bool) {
	for _, m := range c.Members {
		if strings.EqualFold(m.Member.Name, name) {
			return m, true
		}
	}
	return DevMember{}, false
}

// Printf writes a line, safely with notices arriving from the watcher.
func (c *Console) Printf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintln(c.out, c.render(fmt.Sprintf(format, args...)))
}

var mentionRE = regexp.MustCompile(`<@!?([^>]+)>|<#([^>]+)>`)

// render shows Discord-style mentions as @name and #channel.
func (c *Console) render(s string) string {
	return mentionRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := mentionRE.FindStringSubmatch(m)
		if sub[2] != "" {
			return "#" + sub[2]
		}
		for _, d := range c.Members {
			if d.Member.ID == sub[1] {
				return "@" + d.Member.Name
			}
		}
		return m
	})
}

// Notice prints an on-chain notice (the console's notice channel).
func (c *Console) Notice(n trustbot.Notice) {
	c.Printf("[notice] %s", n.Text)
	close(c.noticeOf(n.TxHash))
}

// noticeOf is the channel closed when the transaction's notice is printed (once per process:
// a repeated delivery prints again but closes nothing).
func (c *Console) noticeOf(h common.Hash) chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch, ok := c.noticed[h]
	if !ok {
		ch = make(chan struct{})
		c.noticed[h] = ch
	} else {
		select {
		case <-ch:
			return make(chan struct{})
		default:
		}
	}
	return ch
}

// noticeWait bounds how long "Confirmed" waits for the notice of the last transaction, so the
// channel's notice reads before it, as in Discord.
const noticeWait = 3 * time.Second

// RequestDone prints what became of a request that did not confirm.
func (c *Console) RequestDone(r trustbot.SigningRequest) {
	switch r.Status {
	case trustbot.StatusFailed:
		c.Printf("[request] failed: %s (%s)", r.Summary, r.Error)
	case trustbot.StatusExpired:
		c.Printf("[request] expired: %s", r.Summary)
	}
}

// Exec runs one line; it reports whether the line asked to quit.
func (c *Console) Exec(ctx context.Context, line string) (quit bool) {
	word, rest, _ := strings.Cut(line, " ")
	switch strings.ToLower(word) {
	case "/quit", "/exit":
		return true
	case "/help":
		c.Printf("%s", Help(c.Set, rest))
		return false
	case "/as":
		name := strings.TrimPrefix(strings.TrimSpace(rest), "@")
		if _, ok := c.member(name); !ok {
			c.Printf("There is no member %q here; the members are %s.", name, c.names())
			return false
		}
		c.current = strings.ToLower(name)
		c.Printf("You are now @%s.", c.current)
		return false
	case "/approve":
		if err := c.approve(ctx, strings.TrimSpace(rest)); err != nil {
			if ctx.Err() != nil {
				c.Printf("Cancelled. A transaction already sent still goes through, and its notice will follow.")
				return false
			}
			if trustbot.ErrorCode(err) == trustbot.EInternal && c.Log != nil {
				c.Log.Error("console: approve", "member", c.current, "err", err)
			}
			c.Printf("%s", trustbot.ErrorMessage(err))
		}
		return false
	}
	l, err := Parse(c.Set, line, func(name string) (trustbot.Member, bool) {
		m, ok := c.member(name)
		return m.Member, ok
	})
	if err != nil {
		c.Printf("%s", trustbot.ErrorMessage(err))
		return false
	}
	me, _ := c.member(c.current)
	reply := c.Set.Handle(ctx, &commands.Request{
		InteractionID: newID(), GuildID: c.GuildID, ChannelID: c.ChannelID, User: me.Member,
		Command: l.Command, Subcommand: l.Subcommand, Options: l.Options,
	})
	if ctx.Err() != nil {
		c.Printf("Cancelled: %s", line)
		return false
	}
	c.Printf("%s", plain(reply.Text))
	if reply.Link != nil {
		c.lastLink[c.current] = reply.Link.URL
		c.Printf("→ %s", reply.Link.URL)
	}
	for i := range reply.Files {
		a := &reply.Files[i]
		if c.Dir == "" {
			c.Printf("(attachment %s, %d bytes)", a.Name, len(a.Data))
		} else if path, err := c.writeAttachment(a); err != nil {
			c.Printf("Could not write %s: %v", a.Name, err)
		} else {
			c.Printf("Wrote %s (%d bytes): %s", a.Name, len(a.Data), path)
		}
	}
	return false
}

// writeAttachment writes an attachment into Dir under its own name (its base name only).
func (c *Console) writeAttachment(a *commands.Attachment) (string, error) {
	name := filepath.Base(filepath.Clean("/" + a.Name))
	if name == "/" || name == "." {
		name = "attachment"
	}
	path := filepath.Join(c.Dir, name)
	if err := os.WriteFile(path, a.Data, 0o644); err != nil {
		return "", err
	}
	return path, nil
}

func (c *Console) names() string {
	var n []string
	for _, m := range c.Members {
		n = append(n, "@"+m.Member.Name)
	}
	sort.Strings(n)
	return strings.Join(n, ", ")
}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "console-" + hex.EncodeToString(b)
}

// LastLink is the latest link the console holds for a member, "" when none.
func (c *Console) LastLink(member string) string {
	return c.lastLink[strings.ToLower(member)]
}

// approve signs, with the current member's dev key, their latest link (arg empty; once that one
// is done, their newest open request) or the request /pending lists as number arg, through the same HTTP endpoints a browser page uses, and
// waits until the watcher has confirmed it.
func (c *Console) approve(ctx context.Context, arg string) error {
	me, _ := c.member(c.current)
	link := c.lastLink[c.current]
	if arg != "" {
		var err error
		if link, err = c.pendingLink(ctx, me, arg); err != nil {
			return err
		}
	}
	if arg == "" && c.Pending != nil && !strings.Contains(link, "/l/") {
		// The latest link is done: a request made for this member by someone else's command
		// (/trip end's revoke offer) is next.
		if open, err := c.Pending(ctx, me.Member.ID); err == nil && len(open) > 0 && !slices.Contains(open, link) {
			link = open[0]
		}
	}
	if link == "" {
		return trustbot.Errorf(trustbot.EInvalid, "Nothing to approve: @%s has no signing link yet.", c.current)
	}
	u, err := url.Parse(link)
	if err != nil {
		return err
	}
	if strings.HasPrefix(u.Path, "/l/") {
		return c.approveWalletLink(ctx, link, me)
	}
	return c.approveSigning(ctx, link, me)
}

// pendingLink is the link of the member's open request numbered arg in /pending.
func (c *Console) pendingLink(ctx context.Context, me DevMember, arg string) (string, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(arg, "#"))
	if err != nil {
		return "", trustbot.Errorf(trustbot.EInvalid, "/approve takes nothing (your latest link) or the number of a request in /pending, like /approve 2; %q is neither, so nothing was signed.", arg)
	}
	if c.Pending == nil {
		return "", trustbot.Errorf(trustbot.EInvalid, "This console cannot list open requests; use /approve alone for your latest link.")
	}
	links, err := c.Pending(ctx, me.Member.ID)
	if err != nil {
		return "", err
	}
	if len(links) == 0 {
		return "", trustbot.Errorf(trustbot.EInvalid, "@%s has no open signing requests to approve.", c.current)
	}
	if n < 1 || n > len(links) {
		return "", trustbot.Errorf(trustbot.EInvalid, "%d is not one of your open requests: give a number from 1 to %d (see /pending).", n, len(links))
	}
	return links[n-1], nil
}

func (c *Console) approveSigning(ctx context.Context, link string, me DevMember) error {
	var req wire.SigningRequest
	if err := c.getJSON(ctx, link+".json", &req); err != nil {
		return err
	}
	if req.Status == string(trustbot.StatusStale) {
		return trustbot.Errorf(trustbot.EReverted, "%s", req.Error)
	}
	if done := finalWords[req.Status]; done != "" {
		return trustbot.Errorf(trustbot.EConflict, "That link is %s.", done)
	}
	if !strings.EqualFold(req.Signer, me.Wallet.Address().Hex()) {
		return trustbot.Errorf(trustbot.EForbidden, "That request is for %s, not @%s's wallet.", req.Signer, c.current)
	}
	for i := len(req.Txs); i < len(req.Calls); i++ {
		sc := req.Calls[i]
		call, err := pageCall(sc.To, sc.Data, sc.Value)
		if err != nil {
			return err
		}
		// Like a wallet page, ask the server to run the call again first: the chain may have
		// changed since the link was made.
		var checked wire.SigningRequest
		if err := c.postJSON(ctx, link+"/check", struct{}{}, &checked); err != nil {
			return err
		}
		if checked.Status == string(trustbot.StatusStale) {
			return trustbot.Errorf(trustbot.EReverted, "%s", checked.Error)
		}
		hash, err := me.Wallet.Send(ctx, c.Eth, c.ChainID, call)
		if err != nil {
			return err
		}
		index, h := i, hash.Hex()
		if err := c.postJSON(ctx, link+"/tx", wire.TxReport{Index: &index, Hash: &h}, nil); err != nil {
			return err
		}
		// Like a wallet page, send the next call once this one is mined (a deposit's transfer
		// needs its approval in place to estimate gas).
		if i+1 < len(req.Calls) {
			wctx, cancel := context.WithTimeout(ctx, c.Wait)
			_, err := bind.WaitMined(wctx, c.Eth, hash)
			cancel()
			if err != nil {
				return trustbot.Errorf(trustbot.EUnavailable, "Transaction %s was not mined in time.", hash.Hex())
			}
		}
	}
	deadline := time.Now().Add(c.Wait)
	for time.Now().Before(deadline) {
		if err := c.getJSON(ctx, link+".json", &req); err != nil {
			return err
		}
		switch req.Status {
		case string(trustbot.StatusConfirmed):
			if n := len(req.Txs); n > 0 {
				c.mu.Lock()
				ch, ok := c.noticed[common.HexToHash(req.Txs[n-1].Hash)]
				if !ok {
					ch = make(chan struct{})
					c.noticed[common.HexToHash(req.Txs[n-1].Hash)] = ch
				}
				c.mu.Unlock()
				select {
				case <-ch:
				case <-time.After(noticeWait):
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			c.Printf("Confirmed: %s", req.Summary)
			return nil
		case string(trustbot.StatusFailed):
			return trustbot.Errorf(trustbot.EReverted, "Failed: %s (%s)", req.Summary, req.Error)
		case string(trustbot.StatusExpired), string(trustbot.StatusCancelled):
			return trustbot.Errorf(trustbot.EExpired, "The request is %s.", req.Status)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return trustbot.Errorf(trustbot.EUnavailable, "Sent, but not confirmed within %s; the notice will follow.", c.Wait)
}

var finalWords = map[string]string{
	string(trustbot.StatusConfirmed): "already confirmed",
	string(trustbot.StatusFailed):    "already used: its transaction failed",
	string(trustbot.StatusExpired):   "expired; run the command again for a new one",
	string(trustbot.StatusCancelled): "cancelled",
}

func (c *Console) approveWalletLink(ctx context.Context, link string, me DevMember) error {
	var l wire.SignIn
	if err := c.getJSON(ctx, link+".json", &l); err != nil {
		return err
	}
	issued, err1 := time.Parse(time.RFC3339Nano, l.IssuedAt)
	expires, err2 := time.Parse(time.RFC3339Nano, l.ExpirationTime)
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("console: sign-in page: %w", err)
	}
	msg := siwe.Message{
		Domain: l.Domain, Address: me.Wallet.Address().Hex(), Statement: l.Statement, URI: l.URI,
		Version: l.Version, ChainID: l.ChainID, Nonce: l.Nonce, IssuedAt: issued, ExpirationTime: expires,
	}
	text := msg.String()
	sig := hexutil.Encode(me.Wallet.PersonalSign([]byte(text)))
	var res wire.Linked
	if err := c.postJSON(ctx, link, wire.SignedIn{Message: &text, Signature: &sig}, &res); err != nil {
		return err
	}
	delete(c.lastLink, c.current)
	c.Printf("Linked %s to @%s.", common.HexToAddress(res.Address).Hex(), c.current)
	return nil
}

func (c *Console) getJSON(ctx context.Context, u string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	return c.do(req, into)
}

func (c *Console) postJSON(ctx context.Context, u string, body, into any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return c.do(req, into)
}

func (c *Console) do(req *http.Request, into any) error {
	resp, err := c.http.Do(req)
	if err != nil {
		return trustbot.Errorf(trustbot.EUnavailable, "The signing server is unreachable: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var e wire.Error
		if json.Unmarshal(body, &e) == nil && e.Error != "" {
			return trustbot.Errorf(trustbot.EInvalid, "%s", e.Error)
		}
		return fmt.Errorf("%s %s: %s", req.Method, req.URL.Path, resp.Status)
	}
	if into == nil {
		return nil
	}
	return json.Unmarshal(body, into)
}

// pageCall reads a call as the signing page's JSON gives it.
func pageCall(to, data, value string) (trustbot.Call, error) {
	if !common.IsHexAddress(to) {
		return trustbot.Call{}, fmt.Errorf("console: signing page: %q is not an address", to)
	}
	b, err := hexutil.Decode(data)
	if err != nil {
		return trustbot.Call{}, fmt.Errorf("console: signing page: calldata: %w", err)
	}
	v, ok := new(big.Int).SetString(value, 10)
	if !ok {
		return trustbot.Call{}, fmt.Errorf("console: signing page: value %q", value)
	}
	return trustbot.Call{To: common.HexToAddress(to), Data: b, Value: v}, nil
}

// plain is a reply as a terminal shows it: Discord's code fences (a line of ```) only mark a
// block of fixed-width text, which a terminal has anyway, so they are left out.
func plain(text string) string {
	lines := strings.Split(text, "\n")
	out := lines[:0]
	for _, l := range lines {
		if strings.TrimSpace(l) != "```" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// Approve signs a signing link with a dev member's key, as /approve does for that member: the
// page's endpoints, then each transaction, and it waits until the request is confirmed.
func (c *Console) Approve(ctx context.Context, member, link string) error {
	me, ok := c.member(member)
	if !ok {
		return trustbot.Errorf(trustbot.EInvalid, "There is no member %q here; the members are %s.", member, c.names())
	}
	c.current = strings.ToLower(member)
	return c.approveSigning(ctx, link, me)
}
