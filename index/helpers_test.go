package index_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/chaintest"
	"github.com/trustbot/trustbot/chain/devchain"
	"github.com/trustbot/trustbot/internal/pgtest"
	"github.com/trustbot/trustbot/store"
	"github.com/trustbot/trustbot/store/storetest"
)

// openDB opens the database at path. When TRUSTBOT_STORE=postgres (make test runs these tests both
// ways) each file path stands for a PostgreSQL database of its own, made on first use, so that a
// test reopening a path reopens the same database.
func openDB(t *testing.T, path string, now func() time.Time) *store.DB {
	t.Helper()
	if os.Getenv("TRUSTBOT_STORE") == "postgres" && !store.IsPostgres(path) {
		url, ok := pgURLs.Load(path)
		if !ok {
			url = pgtest.URL(t)
			pgURLs.Store(path, url)
		}
		path = url.(string)
	}
	db, err := store.Open(context.Background(), path, now)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	dbPaths.Store(db, path)
	return db
}

func tempDB(t *testing.T) *store.DB {
	t.Helper()
	return openDB(t, filepath.Join(t.TempDir(), "trustbot.db"), nil)
}

// digest is a hash of storetest.Digest of db's file: every table (or only tables), times as
// set/NULL, block hashes as stored.
func digest(t *testing.T, db *store.DB, tables ...string) string {
	t.Helper()
	path, ok := dbPaths.Load(db)
	if !ok {
		t.Fatal("digest: a database not opened by openDB")
	}
	ro := storetest.OpenReadOnly(t, path.(string))
	defer ro.Close()
	sum := sha256.Sum256([]byte(storetest.Digest(t, ro, nil, tables...)))
	return hex.EncodeToString(sum[:])
}

// indexTables are the chain index: what a fresh index of the same chain must reproduce.
var indexTables = []string{"events", "watcher_cursor", "reserves", "accounts"}

// pgURLs are the PostgreSQL databases that stand for file paths.
var pgURLs sync.Map

func TestMain(m *testing.M) { pgtest.Main(m) }

// dbPaths are the files of the databases openDB opened.
var dbPaths sync.Map

// eventView is what a test compares of an event.
type eventView struct {
	Address string
	Name    string
	Args    string
}

func view(e trustbot.Event) eventView {
	args := map[string]string{}
	amount := func(v *big.Int) string { return v.String() }
	switch d := e.Data.(type) {
	case *trustbot.Transfer:
		args["from"], args["to"], args["amount"] = lower(d.From), lower(d.To), amount(d.Amount)
	case *trustbot.Trusted:
		args["holder"], args["amount"] = lower(d.Holder), amount(d.Amount)
	case *trustbot.Revoked:
		args["amount"] = amount(d.Amount)
	case *trustbot.Deposited:
		args["from"], args["amount"] = lower(d.From), amount(d.Amount)
	case *trustbot.Withdrawn:
		args["to"], args["amount"] = lower(d.To), amount(d.Amount)
	case *trustbot.ReserveCreated:
		args["reserve"], args["issuer"], args["asset"] = lower(d.Reserve), lower(d.Issuer), lower(d.Asset)
	}
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + args[k]
	}
	return eventView{Address: lower(e.Address), Name: e.Name(), Args: strings.Join(parts, " ")}
}

func lower(a common.Address) string { return strings.ToLower(a.Hex()) }

// aliceReserve creates alice's native-coin reserve on dc and deposits deposit wei into it (none
// when nil), and returns its address.
func aliceReserve(t *testing.T, dc *devchain.Chain, manual bool, alice chain.Wallet, deposit *big.Int) common.Address {
	t.Helper()
	chaintest.SendOK(t, dc, manual, alice, chain.CreateReserve(dc.Factory(), common.Address{}, "Alice trust", "tALICE"))
	r, err := dc.Client().Predict(context.Background(), alice.Address(), common.Address{})
	if err != nil {
		t.Fatal(err)
	}
	if deposit != nil {
		chaintest.SendOK(t, dc, manual, alice, chain.Deposit(r, chain.NativeToken(), deposit)...)
	}
	return r
}
