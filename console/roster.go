package console

import (
	"context"
	"strings"

	"github.com/trustbot/trustbot"
)

// Roster is the playground's guild: its dev members, found by what a split names ("@bob",
// "bob", or a mention <@dev-bob> as replies write it).
type Roster []trustbot.Member

// Member finds the dev member text names, or says who the members are.
func (r Roster) Member(_ context.Context, _ string, text string) (trustbot.Member, error) {
	name := strings.TrimSpace(text)
	id := ""
	if strings.HasPrefix(name, "<@") && strings.HasSuffix(name, ">") {
		id = strings.TrimPrefix(strings.TrimSuffix(name[2:], ">"), "!")
	}
	name = strings.TrimPrefix(name, "@")
	for _, m := range r {
		if m.ID == id || strings.EqualFold(m.Name, name) {
			return m, nil
		}
	}
	var names []string
	for _, m := range r {
		names = append(names, "@"+m.Name)
	}
	return trustbot.Member{}, trustbot.Errorf(trustbot.EInvalid, "%s is not a member here; the members are %s.", strings.TrimSpace(text), strings.Join(names, ", "))
}
