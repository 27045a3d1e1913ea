package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
)

// maxLabel caps one stored label, in bytes.
const maxLabel = 200

// storedUnit is a trustbot.Token in signing_request_names.units.
type storedUnit struct {
	Address  string `json:"address"`
	Symbol   string `json:"symbol"`
	Decimals uint8  `json:"decimals"`
}

// checkNames refuses labels and units a page could not show: too many or too long labels, and
// units that are not one per call.
func checkNames(r *trustbot.SigningRequest) error {
	if len(r.Labels) > trustbot.MaxLabels {
		return trustbot.Errorf(trustbot.EInvalid, "A signing request names at most %d addresses; this one names %d.", trustbot.MaxLabels, len(r.Labels))
	}
	for a, l := range r.Labels {
		if strings.TrimSpace(l) == "" || len(l) > maxLabel {
			return trustbot.Errorf(trustbot.EInvalid, "The label of %s must be 1 to %d bytes.", a.Hex(), maxLabel)
		}
	}
	if len(r.Units) != 0 && len(r.Units) != len(r.Calls) {
		return trustbot.Errorf(trustbot.EInvalid, "A signing request with %d calls needs %d units, or none; it has %d.", len(r.Calls), len(r.Calls), len(r.Units))
	}
	return nil
}

// insertNames stores r's labels and units (and sets r's to copies, as loadNames reads them
// back); a request with neither gets no row.
func insertNames(ctx context.Context, tx *tx, r *trustbot.SigningRequest) error {
	r.Labels, r.Units = maps.Clone(r.Labels), slices.Clone(r.Units)
	if len(r.Labels) == 0 {
		r.Labels = nil
	}
	if len(r.Units) == 0 {
		r.Units = nil
	}
	if r.Labels == nil && r.Units == nil {
		return nil
	}
	labels := make(map[string]string, len(r.Labels))
	for a, l := range r.Labels {
		labels[addrText(a)] = l
	}
	units := make([]storedUnit, len(r.Units))
	for i, u := range r.Units {
		units[i] = storedUnit{Address: addrText(u.Address), Symbol: u.Symbol, Decimals: u.Decimals}
	}
	lj, err := json.Marshal(labels)
	if err != nil {
		return fmt.Errorf("store: create request %s: labels: %w", trustbot.ShortID(r.ID), err)
	}
	uj, err := json.Marshal(units)
	if err != nil {
		return fmt.Errorf("store: create request %s: units: %w", trustbot.ShortID(r.ID), err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO signing_request_names (request_id, labels, units) VALUES (?, ?, ?)`,
		r.ID, string(lj), string(uj)); err != nil {
		return fmt.Errorf("store: create request %s: names: %w", trustbot.ShortID(r.ID), err)
	}
	return nil
}

// loadNames reads r's labels and units; a request without them keeps nil ones.
func loadNames(ctx context.Context, tx *tx, r *trustbot.SigningRequest) error {
	var lj, uj string
	err := tx.QueryRowContext(ctx, `SELECT labels, units FROM signing_request_names WHERE request_id = ?`, r.ID).Scan(&lj, &uj)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("store: request %s: names: %w", trustbot.ShortID(r.ID), err)
	}
	var labels map[string]string
	if err := json.Unmarshal([]byte(lj), &labels); err != nil {
		return fmt.Errorf("store: request %s: labels: %w", trustbot.ShortID(r.ID), err)
	}
	if len(labels) > 0 {
		r.Labels = make(map[common.Address]string, len(labels))
		for a, l := range labels {
			addr, err := parseAddr(a)
			if err != nil {
				return fmt.Errorf("store: request %s: labels: %w", trustbot.ShortID(r.ID), err)
			}
			r.Labels[addr] = l
		}
	}
	var units []storedUnit
	if err := json.Unmarshal([]byte(uj), &units); err != nil {
		return fmt.Errorf("store: request %s: units: %w", trustbot.ShortID(r.ID), err)
	}
	for _, u := range units {
		addr, err := parseAddr(u.Address)
		if err != nil {
			return fmt.Errorf("store: request %s: units: %w", trustbot.ShortID(r.ID), err)
		}
		r.Units = append(r.Units, trustbot.Token{Address: addr, Symbol: u.Symbol, Decimals: u.Decimals})
	}
	return nil
}
