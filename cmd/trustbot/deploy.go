package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/console"
	"github.com/trustbot/trustbot/store"
	"github.com/trustbot/trustbot/web"
)

// deployUser is whom the deployment's signing request belongs to: the operator at the command
// line, not a chat member.
const deployUser = "deploy"

// runDeploy is `trustbot deploy --from ADDRESS` (or `--dev NAME` on a local dev chain): when
// this build's factory is not at its own address on the chain at ETH_RPC_URL yet, it makes a
// signing link whose one call sends the salt and the factory's init code to the deterministic
// deployer, from the wallet given, serves the signing page until that wallet has sent it, and
// confirms the factory is where it was computed to be. The key never reaches the bot; with --dev
// the dev member's public key signs it, as /approve does in the playground.
func runDeploy(ctx context.Context, cfg *Config, args []string, out io.Writer, log *slog.Logger) error {
	var from, dev string
	for i := 0; i < len(args); i++ {
		flag, value, ok := strings.Cut(args[i], "=")
		if !ok && i+1 < len(args) {
			value, ok = args[i+1], true
			i++
		}
		switch strings.TrimLeft(flag, "-") {
		case "from":
			from = value
		case "dev":
			dev = value
		default:
			return fmt.Errorf("deploy: unknown flag %q (try: trustbot deploy --from 0xYourAddress)", flag)
		}
		if !ok || value == "" {
			return fmt.Errorf("deploy: %s needs a value", flag)
		}
	}
	if !cfg.EthRPCURL.IsSet() {
		return &startupError{msg: "deploy puts the factory on the chain at ETH_RPC_URL, and none is set (the embedded dev chain deploys its own): set ETH_RPC_URL"}
	}
	if cfg.FactoryAddress.Set && cfg.FactoryAddress.Address != chain.FactoryAddress() {
		return &startupError{msg: fmt.Sprintf("FACTORY_ADDRESS is %s, but deploy puts the factory at its own address, %s: leave FACTORY_ADDRESS empty",
			cfg.FactoryAddress.Address.Hex(), chain.FactoryAddress().Hex())}
	}
	c, err := chain.Dial(ctx, cfg.EthRPCURL.String(), chain.FactoryAddress())
	if err != nil {
		return fmt.Errorf("ETH_RPC_URL %w", err)
	}
	defer c.Close()
	id := c.ChainID()
	factory := chain.FactoryAddress()
	switch err := c.CheckFactory(ctx); {
	case err == nil:
		fmt.Fprintf(out, "The factory is already at %s on chain %s; nothing to deploy.\n", factory.Hex(), id)
		return nil
	case trustbot.ErrorCode(err) != trustbot.EInvalid:
		return fmt.Errorf("ETH_RPC_URL %s: %w", cfg.EthRPCURL.Redacted(), err)
	}
	if code, err := c.Eth().CodeAt(ctx, factory, nil); err != nil {
		return fmt.Errorf("ETH_RPC_URL %s: %w", cfg.EthRPCURL.Redacted(), err)
	} else if len(code) > 0 {
		return &startupError{msg: fmt.Sprintf("chain %s has a contract at %s that is not this build's factory; a build with other contracts made it", id, factory.Hex())}
	}
	if code, err := c.Eth().CodeAt(ctx, chain.Deployer, nil); err != nil {
		return fmt.Errorf("ETH_RPC_URL %s: %w", cfg.EthRPCURL.Redacted(), err)
	} else if len(code) == 0 {
		return &startupError{msg: fmt.Sprintf("chain %s has no deterministic deployer at %s, so the factory cannot get its own address there", id, chain.Deployer.Hex())}
	}

	var signer common.Address
	var members []console.DevMember
	switch {
	case dev != "" && from != "":
		return errors.New("deploy: give --from or --dev, not both")
	case dev != "":
		if !localDevChains[id.Uint64()] {
			return &startupError{msg: fmt.Sprintf("--dev signs with a public dev key, so it runs only on a local dev chain (1337 or 31337), and ETH_RPC_URL is on chain %s: use --from with your own wallet", id)}
		}
		w := chain.Wallet{Key: chain.DevKey(dev)}
		signer = w.Address()
		members = []console.DevMember{{Member: trustbot.Member{ID: "dev-" + dev, Name: dev}, Wallet: w}}
	case common.IsHexAddress(from):
		signer = common.HexToAddress(from)
	default:
		return fmt.Errorf("deploy: --from must be the 0x address of the wallet that will send the deployment, got %q", from)
	}
	call := chain.DeployFactory()
	if err := c.Simulate(ctx, signer, []trustbot.Call{call}); err != nil {
		if rev := (*chain.RevertError)(nil); errors.As(err, &rev) {
			return fmt.Errorf("deploy: the chain would refuse the deployment from %s (%s); nothing was sent", signer.Hex(), rev.Error())
		}
		return fmt.Errorf("deploy: the pre-flight from %s failed: %w", signer.Hex(), err)
	}

	db, err := store.Open(ctx, filepath.Join(cfg.DataDir, "deploy.db"), time.Now)
	if err != nil {
		return cfg.dbProblem(filepath.Join(cfg.DataDir, "deploy.db"), "cannot be opened", err)
	}
	defer db.Close()
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return &startupError{msg: fmt.Sprintf("LISTEN_ADDR %s cannot be listened on (%v)", cfg.ListenAddr, err), err: err}
	}
	public := strings.TrimRight(cfg.PublicURL.String(), "/")
	if public == "" {
		public = "http://" + ln.Addr().String()
	}
	srv, err := web.New(web.Config{PublicURL: public, ChainID: id.Uint64(), RPCURL: cfg.EthRPCURL.String(), ExplorerURL: cfg.ExplorerURL.String(), LinkTTL: cfg.LinkTTL},
		db, c.Eth(), time.Now, log)
	if err != nil {
		ln.Close()
		return fmt.Errorf("configuration: %w", err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()

	req, link, err := srv.NewSigningRequest(ctx, trustbot.SigningRequest{
		UserID: deployUser, Signer: signer, Kind: "deploy", Calls: []trustbot.Call{call},
		Summary: fmt.Sprintf("Deploy the TrustReserveFactory at %s, the address it has on every chain (one transaction to the deterministic deployer).", factory.Hex()),
		Labels:  map[common.Address]string{chain.Deployer: "the deterministic deployer"},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "The factory is not on chain %s yet. Open this link and send the deployment from %s (it expires in %s):\n%s\n",
		id, signer.Hex(), cfg.LinkTTL.Round(time.Minute), link)

	wctx, cancel := context.WithTimeout(ctx, cfg.LinkTTL)
	defer cancel()
	approved := make(chan error, 1)
	if members != nil {
		con := console.New(nil, members, c.Eth(), id, io.Discard)
		con.Wait = cfg.LinkTTL
		go func() { approved <- con.Approve(wctx, dev, link) }()
	}
	if err := awaitDeployment(wctx, db, c, req.ID, cfg.PollInterval); err != nil {
		return err
	}
	if members != nil {
		if err := <-approved; err != nil {
			return fmt.Errorf("deploy: signing with %s's dev key: %s", dev, trustbot.ErrorMessage(err))
		}
	}
	if err := c.CheckFactory(ctx); err != nil {
		return fmt.Errorf("deploy: the deployment was confirmed but %s", trustbot.ErrorMessage(err))
	}
	fmt.Fprintf(out, "Deployed: the factory is at %s on chain %s, the address computed offline.\n", factory.Hex(), id)
	return nil
}

// awaitDeployment confirms or fails the request's reported transaction from its receipt, until
// it is confirmed, fails, or the time is up.
func awaitDeployment(ctx context.Context, db *store.DB, c *chain.Client, id string, poll time.Duration) error {
	if poll <= 0 {
		poll = time.Second
	}
	for {
		r, err := db.Request(ctx, id)
		if err != nil {
			return err
		}
		switch r.Status {
		case trustbot.StatusConfirmed:
			return nil
		case trustbot.StatusFailed:
			return fmt.Errorf("deploy: the deployment transaction failed (%s)", r.Error)
		case trustbot.StatusExpired, trustbot.StatusCancelled:
			return fmt.Errorf("deploy: the signing link %s before it was used; run trustbot deploy again", r.Status)
		}
		for _, t := range r.Txs {
			if t.Status != trustbot.TxPending {
				continue
			}
			rc, err := c.Receipt(ctx, t.Hash)
			if errors.Is(err, ethereum.NotFound) {
				continue
			} else if err != nil {
				return fmt.Errorf("deploy: receipt of %s: %w", t.Hash.Hex(), err)
			}
			if rc.Status == types.ReceiptStatusSuccessful {
				_, _, err = db.ConfirmTx(ctx, t.Hash, rc.BlockNumber.Uint64())
			} else {
				_, _, err = db.FailTx(ctx, t.Hash, "the transaction reverted")
			}
			if err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("deploy: the deployment was not sent and confirmed in time (%w)", ctx.Err())
		case <-time.After(poll):
		}
	}
}
