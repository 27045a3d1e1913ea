package render

import (
	"context"
	"errors"

	"github.com/trustbot/trustbot/commands"
)

// RenderTrip draws a trip's chart.
func (r *Renderer) RenderTrip(ctx context.Context, c commands.TripChart) ([]byte, error) {
	return nil, errors.New("render: the trip chart is not drawn yet")
}
