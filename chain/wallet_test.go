package chain_test

import (
	"bytes"
	"testing"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/trustbot/trustbot/chain"
)

func TestWallet(t *testing.T) {
	a, b := chain.DevKey("alice"), chain.DevKey("alice")
	if !a.Equal(b) {
		t.Errorf("DevKey(alice) twice: got two keys, want the same")
	}
	if chain.DevKey("bob").Equal(a) {
		t.Errorf("DevKey(bob): got alice's key, want another")
	}
	want := crypto.PubkeyToAddress(crypto.ToECDSAUnsafe(crypto.Keccak256([]byte("trustbot dev key alice"))).PublicKey)
	w := chain.Wallet{Key: a}
	if w.Address() != want {
		t.Errorf("address: got %s, want %s", w.Address().Hex(), want.Hex())
	}

	msg := []byte("example.org wants you to sign in")
	sig := w.PersonalSign(msg)
	if len(sig) != 65 {
		t.Fatalf("signature length: got %d, want 65", len(sig))
	}
	if sig[64] != 27 && sig[64] != 28 {
		t.Errorf("v: got %d, want 27 or 28", sig[64])
	}
	raw := bytes.Clone(sig)
	raw[64] -= 27
	pub, err := crypto.SigToPub(accounts.TextHash(msg), raw)
	if err != nil {
		t.Fatal(err)
	}
	if got := crypto.PubkeyToAddress(*pub); got != w.Address() {
		t.Errorf("recovered signer: got %s, want %s", got.Hex(), w.Address().Hex())
	}
}
