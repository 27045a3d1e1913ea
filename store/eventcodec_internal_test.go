package store

import (
	"encoding/json"
	"math/big"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
)

// TestEncodeEvent_AsJSONMarshal: an event's stored arguments are byte for byte what
// json.Marshal writes for them as a map (the form rows written before were stored in), and
// decode back to the same event, for every kind over random addresses and amounts up to 2^256 − 1.
func TestEncodeEvent_AsJSONMarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	addr := func() common.Address {
		var a common.Address
		for i := range a {
			a[i] = byte(r.IntN(256))
		}
		return a
	}
	amount := func() *big.Int {
		v := new(big.Int).Lsh(big.NewInt(1), uint(r.IntN(257)))
		return v.Sub(v, big.NewInt(int64(r.IntN(2))))
	}
	for range 500 {
		a, b, c, v := addr(), addr(), addr(), amount()
		for _, tc := range []struct {
			data trustbot.EventData
			want map[string]string
		}{
			{&trustbot.Transfer{From: a, To: b, Amount: v}, map[string]string{"from": addrText(a), "to": addrText(b), "amount": v.String()}},
			{&trustbot.Trusted{Holder: a, Amount: v}, map[string]string{"holder": addrText(a), "amount": v.String()}},
			{&trustbot.Revoked{Amount: v}, map[string]string{"amount": v.String()}},
			{&trustbot.Deposited{From: a, Amount: v}, map[string]string{"from": addrText(a), "amount": v.String()}},
			{&trustbot.Withdrawn{To: a, Amount: v}, map[string]string{"to": addrText(a), "amount": v.String()}},
			{&trustbot.ReserveCreated{Reserve: a, Issuer: b, Asset: c}, map[string]string{"reserve": addrText(a), "issuer": addrText(b), "asset": addrText(c)}},
		} {
			name, args, err := encodeEvent(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(tc.want)
			if name != tc.data.EventName() || args != string(want) {
				t.Fatalf("encodeEvent(%#v) = %q, %q; want %q, %q", tc.data, name, args, tc.data.EventName(), want)
			}
			back, err := decodeEvent(name, args)
			if err != nil || !reflect.DeepEqual(back, tc.data) {
				t.Fatalf("decodeEvent(%q, %q) = %#v, %v; want %#v", name, args, back, err, tc.data)
			}
		}
	}
	if _, _, err := encodeEvent(nil); trustbot.ErrorCode(err) != trustbot.EInvalid {
		t.Fatalf("encodeEvent(nil): got %v, want EInvalid", err)
	}
}
