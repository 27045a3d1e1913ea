package store

import (
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
)

// An event is stored as its name and a JSON object of its arguments: amounts as decimal
// strings, addresses as lowercase 0x hex.

func encodeEvent(d trustbot.EventData) (string, string, error) {
	args := map[string]string{}
	switch e := d.(type) {
	case *trustbot.Transfer:
		args["from"], args["to"], args["amount"] = addrText(e.From), addrText(e.To), bigText(e.Amount)
	case *trustbot.Trusted:
		args["holder"], args["amount"] = addrText(e.Holder), bigText(e.Amount)
	case *trustbot.Revoked:
		args["amount"] = bigText(e.Amount)
	case *trustbot.Deposited:
		args["from"], args["amount"] = addrText(e.From), bigText(e.Amount)
	case *trustbot.Withdrawn:
		args["to"], args["amount"] = addrText(e.To), bigText(e.Amount)
	case *trustbot.ReserveCreated:
		args["reserve"], args["issuer"], args["asset"] = addrText(e.Reserve), addrText(e.Issuer), addrText(e.Asset)
	default:
		return "", "", trustbot.Errorf(trustbot.EInvalid, "An event needs a known payload, not %T.", d)
	}
	b, err := json.Marshal(args)
	return d.EventName(), string(b), err
}

func decodeEvent(name, argJSON string) (trustbot.EventData, error) {
	var args map[string]string
	if err := json.Unmarshal([]byte(argJSON), &args); err != nil {
		return nil, err
	}
	var bad error
	addr := func(k string) common.Address {
		a, err := parseAddr(args[k])
		if err != nil && bad == nil {
			bad = fmt.Errorf("%s %s: %w", name, k, err)
		}
		return a
	}
	amount := func() *big.Int {
		v, err := parseBig(args["amount"])
		if err != nil && bad == nil {
			bad = fmt.Errorf("%s amount: %w", name, err)
		}
		return v
	}
	var d trustbot.EventData
	switch name {
	case "Transfer":
		d = &trustbot.Transfer{From: addr("from"), To: addr("to"), Amount: amount()}
	case "Trusted":
		d = &trustbot.Trusted{Holder: addr("holder"), Amount: amount()}
	case "Revoked":
		d = &trustbot.Revoked{Amount: amount()}
	case "Deposited":
		d = &trustbot.Deposited{From: addr("from"), Amount: amount()}
	case "Withdrawn":
		d = &trustbot.Withdrawn{To: addr("to"), Amount: amount()}
	case "ReserveCreated":
		d = &trustbot.ReserveCreated{Reserve: addr("reserve"), Issuer: addr("issuer"), Asset: addr("asset")}
	default:
		return nil, fmt.Errorf("unknown event %q", name)
	}
	return d, bad
}
