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
	// The arguments in key order, as json.Marshal writes a map: every value is decimal digits or
	// 0x hex, which JSON needs no escape for. The indexer encodes every log it applies, so this
	// is written out rather than reflected.
	var args [3][2]string
	n := 0
	add := func(k, v string) {
		args[n] = [2]string{k, v}
		n++
	}
	switch e := d.(type) {
	case *trustbot.Transfer:
		add("amount", bigText(e.Amount))
		add("from", addrText(e.From))
		add("to", addrText(e.To))
	case *trustbot.Trusted:
		add("amount", bigText(e.Amount))
		add("holder", addrText(e.Holder))
	case *trustbot.Revoked:
		add("amount", bigText(e.Amount))
	case *trustbot.Deposited:
		add("amount", bigText(e.Amount))
		add("from", addrText(e.From))
	case *trustbot.Withdrawn:
		add("amount", bigText(e.Amount))
		add("to", addrText(e.To))
	case *trustbot.ReserveCreated:
		add("asset", addrText(e.Asset))
		add("issuer", addrText(e.Issuer))
		add("reserve", addrText(e.Reserve))
	default:
		return "", "", trustbot.Errorf(trustbot.EInvalid, "An event needs a known payload, not %T.", d)
	}
	b := make([]byte, 0, 160)
	b = append(b, '{')
	for i, kv := range args[:n] {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(append(append(append(append(b, '"'), kv[0]...), `":"`...), kv[1]...), '"')
	}
	b = append(b, '}')
	return d.EventName(), string(b), nil
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
