package bot

import "time"

// SetClock makes the member lookup read the time from now, so that tests can let its cache
// expire.
func (m *Members) SetClock(now func() time.Time) { m.now = now }
