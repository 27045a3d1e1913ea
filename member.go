package trustbot

// Member is a person in the guild: a Discord user, or a dev member in the playground.
type Member struct {
	ID   string
	Name string
}

// Mention names a member in replies and notices the way Discord does, <@ID>; the console
// shows it as @name.
func (m Member) Mention() string { return "<@" + m.ID + ">" }

// Mention names the member with a Discord user id.
func Mention(userID string) string { return Member{ID: userID}.Mention() }
