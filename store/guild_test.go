package store_test

import (
	"testing"

	"github.com/trustbot/trustbot"
)

func TestNoticeChannel(t *testing.T) {
	ctx := t.Context()
	db, _, _ := newDB(t)
	_, err := db.NoticeChannel(ctx, "g1")
	wantCode(t, err, trustbot.ENotFound)
	for _, c := range []struct{ guild, channel string }{
		{"g1", "c1"},
		{"g2", "c9"},
		{"g1", "c2"}, // replaces c1
	} {
		if err := db.SetNoticeChannel(ctx, c.guild, c.channel); err != nil {
			t.Fatalf("SetNoticeChannel(%s, %s): %v", c.guild, c.channel, err)
		}
	}
	for guild, want := range map[string]string{"g1": "c2", "g2": "c9"} {
		if got, err := db.NoticeChannel(ctx, guild); err != nil || got != want {
			t.Errorf("NoticeChannel(%s): got %q, %v, want %q", guild, got, err, want)
		}
	}
	wantCode(t, db.SetNoticeChannel(ctx, "g1", ""), trustbot.EInvalid)
	wantCode(t, db.SetNoticeChannel(ctx, "", "c1"), trustbot.EInvalid)
}

func TestMarkInteraction(t *testing.T) {
	ctx := t.Context()
	db, _, _ := newDB(t)
	for i, c := range []struct {
		id    string
		first bool
	}{
		{"1200000000000000001", true},
		{"1200000000000000001", false},
		{"1200000000000000002", true},
		{"1200000000000000001", false},
	} {
		first, err := db.MarkInteraction(ctx, c.id)
		if err != nil || first != c.first {
			t.Errorf("delivery %d of %s: got first=%v, %v, want %v", i, c.id, first, err, c.first)
		}
	}
	_, err := db.MarkInteraction(ctx, "")
	wantCode(t, err, trustbot.EInvalid)
}
