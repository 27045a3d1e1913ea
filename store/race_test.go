package store_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trustbot/trustbot"
)

// racers is how many processes TestRaceProcesses runs at once.
const racers = 8

// TestRaceProcesses runs 8 processes (this test binary again) against one database, all at the
// same moment trying to use the same sign-in nonce, mark the same interaction, report a
// transaction for the same call of the same signing request (a later round's winner replaces the
// transaction, as a wallet's speed-up does), link the same address and take the
// same lease: exactly one process wins each, and every other is told why in a sentence.
func TestRaceProcesses(t *testing.T) {
	if os.Getenv("TRUSTBOT_RACER") != "" {
		t.Skip("the racer's own run")
	}
	ctx := t.Context()
	db, _, dsn := newDB(t)
	if _, err := db.CreateNonce(ctx, trustbot.SignInNonce{Nonce: "racenonce1", UserID: "alice", ExpiresAt: start.Add(10 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateRequest(ctx, newRequest("race-request-000001", "alice", 1)); err != nil {
		t.Fatal(err)
	}
	for round := range 3 {
		at := time.Now().Add(1500 * time.Millisecond)
		outs := make([]string, racers)
		var wg sync.WaitGroup
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestRacer$", "-test.count=1", "-test.v")
				cmd.Env = append(os.Environ(), "TRUSTBOT_RACER="+strconv.Itoa(i), "TRUSTBOT_RACE_DSN="+dsn,
					"TRUSTBOT_RACE_AT="+strconv.FormatInt(at.UnixMilli(), 10), "TRUSTBOT_RACE_ROUND="+strconv.Itoa(round))
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				if err := cmd.Run(); err != nil {
					t.Errorf("racer %d: %v\n%s", i, err, out.String())
				}
				outs[i] = out.String()
			}()
		}
		wg.Wait()
		wins := map[string]int{}
		for i, out := range outs {
			for _, line := range strings.Split(out, "\n") {
				what, result, ok := strings.Cut(strings.TrimPrefix(line, "race: "), " ")
				if !ok || !strings.HasPrefix(line, "race: ") {
					continue
				}
				switch {
				case result == "won":
					wins[what]++
				case strings.HasPrefix(result, "lost "+trustbot.EConflict+":"), what == "interaction" && result == "lost seen", what == "lease" && result == "lost held":
				default:
					t.Errorf("round %d racer %d: %s got %q, want won or a conflict in words", round, i, what, result)
				}
			}
		}
		for _, what := range []string{"nonce", "interaction", "tx", "link", "lease"} {
			want := 1
			if what == "nonce" && round > 0 {
				want = 0 // used in round 0
			}
			if wins[what] != want {
				t.Errorf("round %d: %d processes won the %s, want %d", round, wins[what], what, want)
			}
		}
	}
	r, err := db.Request(ctx, "race-request-000001")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Txs) != 1 {
		t.Errorf("the request has %d transactions, want 1", len(r.Txs))
	}
}

// TestRacer is one process of TestRaceProcesses.
func TestRacer(t *testing.T) {
	id := os.Getenv("TRUSTBOT_RACER")
	if id == "" {
		t.Skip("run by TestRaceProcesses")
	}
	i, _ := strconv.Atoi(id)
	round := os.Getenv("TRUSTBOT_RACE_ROUND")
	db := openAt(t, os.Getenv("TRUSTBOT_RACE_DSN"), newClock())
	ctx := context.Background()
	// Warm the connection, then wait for the common moment.
	if _, err := db.SchemaVersion(ctx); err != nil {
		t.Fatal(err)
	}
	ms, _ := strconv.ParseInt(os.Getenv("TRUSTBOT_RACE_AT"), 10, 64)
	time.Sleep(time.Until(time.UnixMilli(ms)))
	report := func(what string, err error) {
		if err == nil {
			fmt.Printf("race: %s won\n", what)
			return
		}
		fmt.Printf("race: %s lost %s: %v\n", what, trustbot.ErrorCode(err), err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		_, err := db.UseNonce(ctx, "racenonce1", "alice")
		report("nonce", err)
	})
	wg.Go(func() {
		first, err := db.MarkInteraction(ctx, "interaction-"+round)
		if err == nil && !first {
			fmt.Println("race: interaction lost seen")
			return
		}
		report("interaction", err)
	})
	wg.Go(func() {
		_, err := db.RecordTx(ctx, "race-request-000001", 0, hash(1000+i))
		report("tx", err)
	})
	wg.Go(func() {
		_, err := db.LinkWallet(ctx, trustbot.WalletLink{UserID: fmt.Sprintf("user-%s-%d", round, i), Address: addr(5000 + mustAtoi(round)), ChainID: 1337, Method: "siwe"})
		report("link", err)
	})
	wg.Go(func() {
		held, _, err := db.Lease(ctx, "race-"+round, "racer-"+id, time.Minute)
		if err == nil && !held {
			fmt.Println("race: lease lost held")
			return
		}
		report("lease", err)
	})
	wg.Wait()
}

func mustAtoi(s string) int { n, _ := strconv.Atoi(s); return n }
