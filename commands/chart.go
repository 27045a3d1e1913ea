package commands

import "math/big"

// TripChart is the picture /trip end posts: for each member, what they paid and what they
// consumed, and the settle plan's transfers as arrows between them. All in one asset.
type TripChart struct {
	Title  string // the trip's name
	Asset  string // the symbol the figures count in
	Bars   []TripBar
	Arrows []TripArrow
}

// TripBar is one member's pair of bars. The figures are exact: Units in the asset's smallest
// units (for the bars' lengths), Text as the reply writes them ("12.5").
type TripBar struct {
	Member       string // "@bob"
	Paid         *big.Int
	Consumed     *big.Int
	PaidText     string
	ConsumedText string
	NetText      string // "+12.5", "-3", "0"
}

// TripArrow is one transfer of the settle plan: From pays To.
type TripArrow struct {
	From, To string // as in Bars
	Text     string // "15 tUSD"
}
