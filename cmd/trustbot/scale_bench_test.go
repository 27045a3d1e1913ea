package main

import (
	"database/sql"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/bindings"
	"github.com/trustbot/trustbot/index"
	"github.com/trustbot/trustbot/internal/pgtest"
	"github.com/trustbot/trustbot/store"
)

// applyChunk is one chunk of indexed logs as a node returns them, with its cursor.
type applyChunk struct {
	logs   []types.Log
	cursor trustbot.Block
}

// reserveLogs makes total real reserve events (Trusted, Transfer, Deposited, Withdrawn),
// ABI-encoded as a node returns them, perBlock to a block, in chunks of index.DefaultChunk
// blocks: the load of index's BenchmarkWatcherApply. seed makes the block hashes of one run.
func reserveLogs(tb testing.TB, total, perBlock int, seed byte) []applyChunk {
	tb.Helper()
	blocks := total / perBlock
	reserve := common.HexToAddress("0x00000000000000000000000000000000000000e2")
	reserveABI := bindings.NewTrustReserve().GetABI()
	events := []abi.Event{reserveABI.Events["Trusted"], reserveABI.Events["Transfer"],
		reserveABI.Events["Deposited"], reserveABI.Events["Withdrawn"]}
	who := func(i int) common.Address { return common.BigToAddress(big.NewInt(int64(0xa000 + i%97))) }
	var chunks []applyChunk
	var cur applyChunk
	for blk := 1; blk <= blocks; blk++ {
		hash := crypto.Keccak256Hash([]byte{seed}, big.NewInt(int64(blk)).Bytes())
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
				tb.Fatal(err)
			}
			cur.logs = append(cur.logs, types.Log{Address: reserve, Topics: topics, Data: packed,
				BlockNumber: uint64(blk), BlockHash: hash, Index: uint(j),
				TxHash: crypto.Keccak256Hash(hash.Bytes(), []byte{byte(j)})})
		}
		if blk%index.DefaultChunk == 0 || blk == blocks {
			cur.cursor = trustbot.Block{Number: uint64(blk), Hash: hash}
			chunks = append(chunks, cur)
			cur = applyChunk{}
		}
	}
	return chunks
}

// BenchmarkPostgresApply is index's BenchmarkWatcherApply on PostgreSQL: 100,000 reserve logs,
// 25 a block over 4,000 blocks, decoded with chain.DecodeLog and applied with store.ApplyChunk
// a chunk of index.DefaultChunk blocks at a time, on a durable server of its own (fsync on,
// data on disk). Only the decoding and applying are timed. It reports logs/s (issue 15's floor:
// ≥ 20,000), and logs the statements that took the most time by pg_stat_statements.
func BenchmarkPostgresApply(b *testing.B) {
	const total, perBlock = 100_000, 25
	ctx := b.Context()
	srv := pgtest.New(b, pgtest.Options{Durable: true})
	statements := enableStatementStats(b, srv)
	var elapsed time.Duration
	for n := range b.N {
		b.StopTimer()
		url := srv.NewDatabase(b)
		db, err := store.Open(ctx, url, time.Now)
		if err != nil {
			b.Fatal(err)
		}
		chunks := reserveLogs(b, total, perBlock, byte(n))
		if _, err := statements.ExecContext(ctx, `SELECT pg_stat_statements_reset()`); err != nil {
			b.Fatal(err)
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
		if n == b.N-1 {
			logTopStatements(b, statements, elapsed/time.Duration(b.N))
		}
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(total*b.N)/elapsed.Seconds(), "logs/s")
}

// enableStatementStats loads pg_stat_statements into srv (it must be preloaded, so the server
// restarts) and returns a connection to its postgres database that can read and reset it.
func enableStatementStats(tb testing.TB, srv *pgtest.Server) *sql.DB {
	tb.Helper()
	admin, err := sql.Open("pgx", srv.AdminURL)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := admin.Exec(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`); err != nil {
		tb.Fatal(err)
	}
	admin.Close()
	if err := srv.Stop(); err != nil {
		tb.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		tb.Fatal(err)
	}
	admin, err = sql.Open("pgx", srv.AdminURL)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { admin.Close() })
	if _, err := admin.Exec(`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		tb.Fatal(err)
	}
	return admin
}

// logTopStatements logs the statements that took the most execution time since the last reset,
// beside the wall time of the run: what dominates, and how much of the run the server spent.
func logTopStatements(tb testing.TB, admin *sql.DB, wall time.Duration) {
	tb.Helper()
	rows, err := admin.Query(`
		SELECT calls, total_exec_time, rows, query FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 8`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "run: %.0f ms wall; statements by server execution time:\n", float64(wall.Microseconds())/1000)
	for rows.Next() {
		var (
			calls, nrows int64
			ms           float64
			query        string
		)
		if err := rows.Scan(&calls, &ms, &nrows, &query); err != nil {
			tb.Fatal(err)
		}
		query = strings.Join(strings.Fields(query), " ")
		if len(query) > 140 {
			query = query[:140] + "…"
		}
		fmt.Fprintf(&b, "  %8.1f ms %6d calls %7d rows  %s\n", ms, calls, nrows, query)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	tb.Log(b.String())
}
