package index_test

import (
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/bindings"
	"github.com/trustbot/trustbot/index"
	"github.com/trustbot/trustbot/internal/pgtest"
	"github.com/trustbot/trustbot/store"
)

// BenchmarkWatcherApply applies 100,000 indexed logs through the real store (a SQLite file, or with
// TRUSTBOT_STORE=postgres a database on a PostgreSQL server that syncs its commits to disk) the
// way the watcher's chunkOnce does: each raw log is decoded with decodeLog into a store.Event,
// and each chunk of DefaultChunk blocks goes to store.ApplyEvents with its cursor. The logs are
// real reserve events (Trusted, Transfer, Deposited, Withdrawn) ABI-encoded as a node returns
// them, 25 per block over 4,000 blocks. Only the decoding and applying are timed; no RPC.
// It reports logs/s (issue 7's floor: ≥ 20,000).
func BenchmarkWatcherApply(b *testing.B) {
	const total, perBlock = 100_000, 25
	const blocks = total / perBlock
	ctx := b.Context()
	reserve := common.HexToAddress("0x00000000000000000000000000000000000000e2")
	reserveABI := bindings.NewTrustReserve().GetABI()
	events := []abi.Event{reserveABI.Events["Trusted"], reserveABI.Events["Transfer"],
		reserveABI.Events["Deposited"], reserveABI.Events["Withdrawn"]}
	who := func(i int) common.Address { return common.BigToAddress(big.NewInt(int64(0xa000 + i%97))) }

	var elapsed time.Duration
	for n := range b.N {
		b.StopTimer()
		dsn := filepath.Join(b.TempDir(), "trustbot.db")
		if os.Getenv("TRUSTBOT_STORE") == "postgres" {
			dsn = durablePostgres(b).NewDatabase(b)
		}
		db, err := store.Open(ctx, dsn, time.Now)
		if err != nil {
			b.Fatal(err)
		}
		type chunk struct {
			logs   []types.Log
			cursor trustbot.Block
		}
		var chunks []chunk
		var cur chunk
		for blk := 1; blk <= blocks; blk++ {
			hash := crypto.Keccak256Hash([]byte{byte(n)}, big.NewInt(int64(blk)).Bytes())
			for j := range perBlock {
				i := blk*perBlock + j
				ev := events[i%len(events)]
				topics := []common.Hash{ev.ID}
				var data []any
				addrs := 0
				for _, in := range ev.Inputs {
					var v any
					if in.Type.T == abi.AddressTy {
						v = who(i + addrs)
						addrs++
					} else {
						v = new(big.Int).Mul(big.NewInt(int64(i+1)), big.NewInt(1_000_000))
					}
					if in.Indexed {
						topics = append(topics, common.BytesToHash(common.LeftPadBytes(v.(common.Address).Bytes(), 32)))
					} else {
						data = append(data, v)
					}
				}
				packed, err := ev.Inputs.NonIndexed().Pack(data...)
				if err != nil {
					b.Fatal(err)
				}
				cur.logs = append(cur.logs, types.Log{Address: reserve, Topics: topics, Data: packed,
					BlockNumber: uint64(blk), BlockHash: hash, Index: uint(j),
					TxHash: crypto.Keccak256Hash(hash.Bytes(), []byte{byte(j)})})
			}
			if blk%index.DefaultChunk == 0 || blk == blocks {
				cur.cursor = trustbot.Block{Number: uint64(blk), Hash: hash}
				chunks = append(chunks, cur)
				cur = chunk{}
			}
		}
		b.StartTimer()
		t0 := time.Now()
		applied := 0
		for _, c := range chunks {
			evs := make([]trustbot.Event, 0, len(c.logs))
			for _, l := range c.logs {
				e, err := chain.DecodeLog(l)
				if err != nil {
					b.Fatal(err)
				}
				evs = append(evs, e)
			}
			got, err := db.ApplyChunk(ctx, store.Chunk{Cursor: c.cursor, Events: evs})
			if err != nil {
				b.Fatal(err)
			}
			applied += got
		}
		elapsed += time.Since(t0)
		b.StopTimer()
		if applied != total {
			b.Fatalf("applied %d events, want %d", applied, total)
		}
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(total*b.N)/elapsed.Seconds(), "logs/s")
}

// durablePostgres is one PostgreSQL server for the benchmarks, with fsync on as in production.
func durablePostgres(b *testing.B) *pgtest.Server {
	durableOnce.Do(func() {
		srv, err := pgtest.Start(pgtest.Options{Durable: true})
		if err != nil {
			b.Fatal(err)
		}
		durable = srv
	})
	return durable
}

var (
	durableOnce sync.Once
	durable     *pgtest.Server
)
