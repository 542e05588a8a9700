package tally

import (
	"slices"
	"testing"
)

// checkRounds compares every round's votes, exhausted value, elected and
// eliminated options.
func checkRounds(t *testing.T, got []Round, want []Round) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d rounds, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if !slices.Equal(g.Votes, w.Votes) || g.Exhausted != w.Exhausted ||
			!slices.Equal(g.Elected, w.Elected) || !slices.Equal(g.Eliminated, w.Eliminated) {
			t.Errorf("round %d:\n got votes %v exhausted %s elected %v eliminated %v\nwant votes %v exhausted %s elected %v eliminated %v",
				i+1, g.Votes, g.Exhausted, g.Elected, g.Eliminated, w.Votes, w.Exhausted, w.Elected, w.Eliminated)
		}
	}
}

// TestIRVTennessee is the worked example of Wikipedia's "Instant-runoff
// voting" article (https://en.wikipedia.org/wiki/Instant-runoff_voting,
// the Tennessee capital election): 42 Memphis > Nashville > Chattanooga >
// Knoxville; 26 Nashville > Chattanooga > Knoxville > Memphis; 15
// Chattanooga > Knoxville > Nashville > Memphis; 17 Knoxville > Chattanooga
// > Nashville > Memphis. Nobody has a majority of 100 at first;
// Chattanooga (15) goes and its votes pass to Knoxville (32); then
// Nashville (26), whose votes pass over Chattanooga to Knoxville (58),
// which wins with 58 of 100 against Memphis's 42.
func TestIRVTennessee(t *testing.T) {
	const memphis, nashville, chattanooga, knoxville = 0, 1, 2, 3
	r := Rules{Method: Ranked, Options: []string{"Memphis", "Nashville", "Chattanooga", "Knoxville"},
		Eligible: 100, Quorum: half, Threshold: half, Seats: 1}
	res := mustCount(t, r, concat(
		rank(42, memphis, nashville, chattanooga, knoxville),
		rank(26, nashville, chattanooga, knoxville, memphis),
		rank(15, chattanooga, knoxville, nashville, memphis),
		rank(17, knoxville, chattanooga, nashville, memphis),
	))
	t.Log(jsonOf(t, res))
	if res.Outcome != OutcomeElected || !slices.Equal(res.Winners, []int{knoxville}) {
		t.Fatalf("outcome %s winners %v, want Knoxville elected", res.Outcome, res.Winners)
	}
	if !slices.Equal(res.Totals, []int{42, 26, 15, 17}) || res.Quota != 0 {
		t.Errorf("totals %v quota %d", res.Totals, res.Quota)
	}
	checkRounds(t, res.Rounds, []Round{
		{Votes: []string{"42", "26", "15", "17"}, Exhausted: "0", Eliminated: []int{chattanooga}},
		{Votes: []string{"42", "26", "15", "32"}, Exhausted: "0", Eliminated: []int{nashville}},
		{Votes: []string{"42", "26", "15", "58"}, Exhausted: "0", Elected: []int{knoxville}},
	})
}

// TestSTVWikipedia is the worked example of Wikipedia's "Single
// transferable vote" article (https://en.wikipedia.org/wiki/Single_transferable_vote,
// the food election): 20 voters, 3 seats, Droop quota floor(20/4)+1 = 6.
// Ballots: 4 Oranges; 2 Pears > Oranges; 8 Chocolate > Strawberries; 4
// Chocolate > Hamburgers; 1 Strawberries; 1 Hamburgers.
//
//	round 1: Chocolate 12 is elected; its surplus 6 moves on at 6/12 = 1/2:
//	         Strawberries +8×1/2 = 4, Hamburgers +4×1/2 = 2.
//	round 2: Oranges 4, Pears 2, Chocolate 6 (the quota it keeps),
//	         Strawberries 5, Hamburgers 3: nobody reaches 6; Pears goes.
//	round 3: Oranges 6 reaches the quota exactly (surplus 0) and is elected.
//	round 4: Strawberries 5, Hamburgers 3, two options for one seat:
//	         Hamburgers goes; its ballots have no next preference
//	         (1 at 1, 4 at 1/2): 3 exhausted.
//	round 5: Strawberries, the only option left, takes the last seat.
//
// The article's round 4 eliminates Hamburgers and elects Strawberries in
// one step; here each round does one thing, so that is rounds 4 and 5.
func TestSTVWikipedia(t *testing.T) {
	const oranges, pears, chocolate, strawberries, hamburgers = 0, 1, 2, 3, 4
	r := Rules{Method: Ranked, Options: []string{"Oranges", "Pears", "Chocolate", "Strawberries", "Hamburgers"},
		Eligible: 20, Quorum: half, Threshold: half, Seats: 3}
	res := mustCount(t, r, concat(
		rank(4, oranges),
		rank(2, pears, oranges),
		rank(8, chocolate, strawberries),
		rank(4, chocolate, hamburgers),
		rank(1, strawberries),
		rank(1, hamburgers),
	))
	t.Log(jsonOf(t, res))
	if res.Outcome != OutcomeElected || !slices.Equal(res.Winners, []int{oranges, chocolate, strawberries}) || res.Quota != 6 {
		t.Fatalf("outcome %s winners %v quota %d", res.Outcome, res.Winners, res.Quota)
	}
	checkRounds(t, res.Rounds, []Round{
		{Votes: []string{"4", "2", "12", "1", "1"}, Exhausted: "0", Elected: []int{chocolate}},
		{Votes: []string{"4", "2", "6", "5", "3"}, Exhausted: "0", Eliminated: []int{pears}},
		{Votes: []string{"6", "2", "6", "5", "3"}, Exhausted: "0", Elected: []int{oranges}},
		{Votes: []string{"6", "2", "6", "5", "3"}, Exhausted: "0", Eliminated: []int{hamburgers}},
		{Votes: []string{"6", "2", "6", "5", "3"}, Exhausted: "3", Elected: []int{strawberries}},
	})
}

// TestSTVSevenths has surpluses that do not divide evenly, and a surplus
// made partly of ballots already transferred once. 20 voters, 3 seats,
// quota floor(20/4)+1 = 6. Ballots: 9 A>B>C; 4 B>D; 3 C; 2 D; 2 E>C.
//
//	round 1: A 9, B 4, C 3, D 2, E 2. A is elected; surplus 3 moves at
//	         3/9 = 1/3: the 9 A>B>C ballots go to B at 1/3 each, B = 4+3 = 7.
//	round 2: A 6, B 7, C 3, D 2, E 2. B is elected; surplus 1 moves at 1/7:
//	         9 A>B>C ballots at 1/3×1/7 = 1/21 to C (9/21 = 3/7),
//	         4 B>D ballots at 1/7 to D (4/7).
//	round 3: C 3+3/7 = 24/7, D 2+4/7 = 18/7, E 2: nobody has 6; E goes,
//	         its 2 ballots to C at 1: C = 24/7+2 = 38/7.
//	round 4: C 38/7, D 18/7, E 2 (kept): two options for one seat, nobody
//	         at quota; D goes: its 2 D ballots (2) and 4 B>D ballots
//	         (4/7) have no next preference: exhausted 18/7.
//	round 5: C, the only option left, takes the last seat.
//
// Check: 6 + 6 + 38/7 + 18/7 exhausted = 12 + 56/7 = 20 ballots.
func TestSTVSevenths(t *testing.T) {
	const a, b, c, d, e = 0, 1, 2, 3, 4
	r := Rules{Method: Ranked, Options: []string{"A", "B", "C", "D", "E"},
		Eligible: 20, Quorum: half, Threshold: half, Seats: 3}
	res := mustCount(t, r, concat(rank(9, a, b, c), rank(4, b, d), rank(3, c), rank(2, d), rank(2, e, c)))
	t.Log(jsonOf(t, res))
	if !slices.Equal(res.Winners, []int{a, b, c}) || res.Quota != 6 {
		t.Fatalf("winners %v quota %d", res.Winners, res.Quota)
	}
	checkRounds(t, res.Rounds, []Round{
		{Votes: []string{"9", "4", "3", "2", "2"}, Exhausted: "0", Elected: []int{a}},
		{Votes: []string{"6", "7", "3", "2", "2"}, Exhausted: "0", Elected: []int{b}},
		{Votes: []string{"6", "6", "24/7", "18/7", "2"}, Exhausted: "0", Eliminated: []int{e}},
		{Votes: []string{"6", "6", "38/7", "18/7", "2"}, Exhausted: "0", Eliminated: []int{d}},
		{Votes: []string{"6", "6", "38/7", "18/7", "2"}, Exhausted: "18/7", Elected: []int{c}},
	})
}

func ranked(seats int, eligible int, options ...string) Rules {
	return Rules{Method: Ranked, Options: options, Eligible: eligible, Quorum: half, Threshold: half, Seats: seats}
}

// TestRankedCounts are hand-computed instant-runoff and STV counts: the
// elimination tie-break each way, exhausted ballots, several options
// reaching the quota at once, and abstentions.
func TestRankedCounts(t *testing.T) {
	const a, b, c, d, e, f = 0, 1, 2, 3, 4, 5
	for _, tc := range []struct {
		name    string
		rules   Rules
		ballots []Ballot
		winners []int
		quota   int
		rounds  []Round
		notes   map[int]string // round index -> exact note
		why     string
	}{
		{
			// Round 1: A 4, B 3, C 2: 4 is not more than half of 9. C goes;
			// its ballots rank nothing else and are exhausted. Round 2: A 4
			// of the 7 continuing votes wins: a majority of the continuing
			// votes, not of all ballots.
			name: "IRV, exhausted ballots", rules: ranked(1, 9, "A", "B", "C"),
			ballots: concat(rank(4, a), rank(3, b, c), rank(2, c)),
			winners: []int{a},
			rounds: []Round{
				{Votes: []string{"4", "3", "2"}, Exhausted: "0", Eliminated: []int{c}},
				{Votes: []string{"4", "3", "2"}, Exhausted: "2", Elected: []int{a}},
			},
			notes: map[int]string{1: `"A" has 4 of the 7 continuing votes, more than half, and is elected.`},
			why:   `Elected: "A" with 4 of the 7 continuing votes in round 2, more than half; 9 of 9 members took part (100%), quorum 50%.`,
		},
		{
			// Round 2: B and C tie at 5; in round 1 B had 4 and C 5, so B goes.
			name: "IRV, tie broken by the previous round", rules: ranked(1, 16, "A", "B", "C", "D"),
			ballots: concat(rank(6, a), rank(4, b, c), rank(5, c, b), rank(1, d, b, c)),
			winners: []int{c},
			rounds: []Round{
				{Votes: []string{"6", "4", "5", "1"}, Exhausted: "0", Eliminated: []int{d}},
				{Votes: []string{"6", "5", "5", "1"}, Exhausted: "0", Eliminated: []int{b}},
				{Votes: []string{"6", "5", "10", "1"}, Exhausted: "0", Elected: []int{c}},
			},
			notes: map[int]string{1: `"B" and "C" tie for the fewest votes (5); "B", the lowest looking back to round 1, is eliminated; its ballots move on at their current value.`},
		},
		{
			// Round 1: B and C tie at 2 with no earlier round: C, listed
			// last, goes, and its ballots pass to B, which then wins 4 of 7.
			// (Had B gone, A would have won.)
			name: "IRV, tie in round 1: listed last goes", rules: ranked(1, 7, "A", "B", "C"),
			ballots: concat(rank(3, a), rank(2, b, a), rank(2, c, b)),
			winners: []int{b},
			rounds: []Round{
				{Votes: []string{"3", "2", "2"}, Exhausted: "0", Eliminated: []int{c}},
				{Votes: []string{"3", "4", "2"}, Exhausted: "0", Elected: []int{b}},
			},
			notes: map[int]string{0: `"B" and "C" tie for the fewest votes (2); "C", listed last, is eliminated; its ballots move on at their current value.`},
		},
		{
			// Round 2: B and C tie at 2 and were tied in round 1 too: C,
			// listed last, goes.
			name: "IRV, tie in every round: listed last goes", rules: ranked(1, 7, "A", "B", "C", "D"),
			ballots: concat(rank(2, a), rank(2, b), rank(2, c), rank(1, d, a)),
			winners: []int{a},
			rounds: []Round{
				{Votes: []string{"2", "2", "2", "1"}, Exhausted: "0", Eliminated: []int{d}},
				{Votes: []string{"3", "2", "2", "1"}, Exhausted: "0", Eliminated: []int{c}},
				{Votes: []string{"3", "2", "2", "1"}, Exhausted: "2", Elected: []int{a}},
			},
			notes: map[int]string{1: `"B" and "C" tie for the fewest votes (2) and no earlier round separates "B" and "C"; "C", listed last, is eliminated; its ballots move on at their current value.`},
		},
		{
			// Round 3: B, C and D tie at 5. Round 2 (B 4, C 4, D 5) leaves B
			// and C; round 1 (B 3, C 4) leaves B, which goes. Round 4: C and
			// D tie at 5, and were tied in round 3; round 2 (C 4, D 5): C goes.
			// Round 5: A 10 of 15. A's 10 was never a majority of 25 or 20.
			name: "IRV, three-way tie narrowed round by round", rules: ranked(1, 25, "A", "B", "C", "D", "E", "F"),
			ballots: concat(rank(10, a), rank(3, b), rank(4, c), rank(5, d), rank(1, e, b), rank(1, f, b), rank(1, f, c)),
			winners: []int{a},
			rounds: []Round{
				{Votes: []string{"10", "3", "4", "5", "1", "2"}, Exhausted: "0", Eliminated: []int{e}},
				{Votes: []string{"10", "4", "4", "5", "1", "2"}, Exhausted: "0", Eliminated: []int{f}},
				{Votes: []string{"10", "5", "5", "5", "1", "2"}, Exhausted: "0", Eliminated: []int{b}},
				{Votes: []string{"10", "5", "5", "5", "1", "2"}, Exhausted: "5", Eliminated: []int{c}},
				{Votes: []string{"10", "5", "5", "5", "1", "2"}, Exhausted: "10", Elected: []int{a}},
			},
			notes: map[int]string{
				2: `"B", "C" and "D" tie for the fewest votes (5); "B", the lowest looking back to round 1, is eliminated; its ballots move on at their current value.`,
				3: `"C" and "D" tie for the fewest votes (5); "C", the lowest looking back to round 2, is eliminated; its ballots move on at their current value.`,
			},
		},
		{
			// A perfect two-way tie is settled by the tie-break, as the
			// rule says: B, listed last, goes; A then holds every
			// continuing vote.
			name: "IRV, two-way tie", rules: ranked(1, 4, "A", "B"),
			ballots: concat(rank(2, a), rank(2, b)),
			winners: []int{a},
			rounds: []Round{
				{Votes: []string{"2", "2"}, Exhausted: "0", Eliminated: []int{b}},
				{Votes: []string{"2", "2"}, Exhausted: "2", Elected: []int{a}},
			},
		},
		{
			// 17 ballots, 3 seats: quota floor(17/4)+1 = 5. Round 1: A 7 and
			// B 6 both reach it. A's surplus 2 moves at 2/7 (7 A>C ballots:
			// C + 2); B's surplus 1 at 1/6 (6 B>D ballots: D + 1). Round 2:
			// C 4, D 2, E 1: E goes (exhausted 1). Round 3: D goes: 1 D
			// ballot and 6 B>D ballots at 1/6 exhaust: 1 + 1 + 1 = 3.
			// Round 4: C takes the last seat. 5 + 5 + 4 + 3 = 17.
			name: "STV, two reach the quota at once", rules: ranked(3, 17, "A", "B", "C", "D", "E"),
			ballots: concat(rank(7, a, c), rank(6, b, d), rank(2, c), rank(1, d), rank(1, e)),
			winners: []int{a, b, c}, quota: 5,
			rounds: []Round{
				{Votes: []string{"7", "6", "2", "1", "1"}, Exhausted: "0", Elected: []int{a, b}},
				{Votes: []string{"5", "5", "4", "2", "1"}, Exhausted: "0", Eliminated: []int{e}},
				{Votes: []string{"5", "5", "4", "2", "1"}, Exhausted: "1", Eliminated: []int{d}},
				{Votes: []string{"5", "5", "4", "2", "1"}, Exhausted: "3", Elected: []int{c}},
			},
			notes: map[int]string{
				0: `"A" (7) and "B" (6) reach the quota of 5; "A" passes on its surplus of 2, each of its ballots moving to the next preference at 2/7 of its value; "B" passes on its surplus of 1, each of its ballots moving to the next preference at 1/6 of its value.`,
				3: `"C" is the only option continuing and takes the last seat.`,
			},
			why: `Elected: "A", "B" and "C" to the 3 seats in 4 rounds, with a quota of 5 votes; 17 of 17 members took part (100%), quorum 50%.`,
		},
		{
			// 12 ballots, 2 seats: quota 5. A 5 and B 5 both reach it and
			// fill the seats: no transfer.
			name: "STV, the quota fills every seat", rules: ranked(2, 12, "A", "B", "C", "D"),
			ballots: concat(rank(5, a, c), rank(5, b, d), rank(1, c), rank(1, d)),
			winners: []int{a, b}, quota: 5,
			rounds: []Round{
				{Votes: []string{"5", "5", "1", "1"}, Exhausted: "0", Elected: []int{a, b}},
			},
			notes: map[int]string{0: `"A" (5) and "B" (5) reach the quota of 5; every seat is filled.`},
		},
		{
			// Abstentions count toward participation but not toward the
			// quota: 3 ranked ballots, 2 seats, quota floor(3/3)+1 = 2.
			// Round 1: A 2 is elected, surplus 0. Round 2: B 1, C 0, D 0
			// continue for 1 seat; D and C tie at 0 in both rounds: D,
			// listed last, goes; then C. Round 4: B alone takes the seat.
			name: "STV, abstentions and a seat filled below the quota", rules: ranked(2, 6, "A", "B", "C", "D"),
			ballots: concat(rank(2, a, b), rank(1, b), repeat(2, Ballot{Position: Abstain})),
			winners: []int{a, b}, quota: 2,
			rounds: []Round{
				{Votes: []string{"2", "1", "0", "0"}, Exhausted: "0", Elected: []int{a}},
				{Votes: []string{"2", "1", "0", "0"}, Exhausted: "0", Eliminated: []int{d}},
				{Votes: []string{"2", "1", "0", "0"}, Exhausted: "0", Eliminated: []int{c}},
				{Votes: []string{"2", "1", "0", "0"}, Exhausted: "0", Elected: []int{b}},
			},
			notes: map[int]string{0: `"A" (2) reaches the quota of 2; it has no surplus.`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := mustCount(t, tc.rules, tc.ballots)
			if res.Outcome != OutcomeElected || !slices.Equal(res.Winners, tc.winners) || res.Quota != tc.quota {
				t.Fatalf("got %s", jsonOf(t, res))
			}
			checkRounds(t, res.Rounds, tc.rounds)
			for i, want := range tc.notes {
				if got := res.Rounds[i].Note; got != want {
					t.Errorf("round %d note\n got %s\nwant %s", i+1, got, want)
				}
			}
			if tc.why != "" && res.Why != tc.why {
				t.Errorf("why\n got %s\nwant %s", res.Why, tc.why)
			}
		})
	}
}
