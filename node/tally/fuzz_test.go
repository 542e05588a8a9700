package tally

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/coopnode/coopnode/node/exact"
)

// decodeFuzz turns bytes into rules and ballots. The scheme covers invalid
// input too (bad ratios, blank or duplicate options, out-of-range indices,
// negative points), so Count's checks are fuzzed with its counting:
//
//	header (10 bytes): method, options, eligible, quorum num/den,
//	threshold num/den, seats, dots, max score;
//	then per ballot: a kind byte and its data (see below).
func decodeFuzz(data []byte) (Rules, []Ballot) {
	next := func() int {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return int(b)
	}
	signed := func() int { return int(int8(next())) }
	r := Rules{Method: Methods[next()%len(Methods)]}
	nopt := next()
	r.Options = names(nopt % 9)
	if nopt&0x80 != 0 && len(r.Options) > 1 {
		r.Options[1] = r.Options[0] // a duplicate
	}
	r.Eligible = next()
	r.Quorum = exact.R(int64(next()%6), int64(next()%6))
	r.Threshold = exact.R(int64(next()%6), int64(next()%6))
	r.Seats, r.Dots, r.MaxScore = next()%9, next()%9, next()%9
	all := []string{"", Agree, Abstain, ConsentP, Object, Disagree, Block, Yes, No}
	var ballots []Ballot
	for len(data) > 0 && len(ballots) < 300 {
		var b Ballot
		switch kind := next(); kind % 4 {
		case 0: // a position, with a reason if the kind's high bit is set
			b.Position = all[next()%len(all)]
			if kind&0x80 != 0 {
				b.Reason = "why"
			}
		case 1: // choices
			for range next() % 9 {
				b.Choices = append(b.Choices, signed()%10)
			}
		case 2: // points
			for range next() % 9 {
				b.Points = append(b.Points, signed()%10)
			}
		case 3:
			b.Position = Abstain
		}
		ballots = append(ballots, b)
	}
	return r, ballots
}

// FuzzCount: Count never panics; it either refuses with ErrInvalid or
// returns a Result that counting the ballots reversed reproduces exactly.
func FuzzCount(f *testing.F) {
	f.Add([]byte{3, 0, 10, 1, 2, 1, 2, 0, 0, 0, 0, 7, 0, 8, 3})                               // majority
	f.Add([]byte{1, 0, 10, 1, 2, 1, 2, 0, 0, 0, 0, 3, 128, 4, 0, 4})                          // consent, an objection
	f.Add([]byte{4, 3, 10, 1, 2, 1, 2, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 2, 3})                   // single-choice
	f.Add([]byte{5, 4, 10, 0, 1, 1, 2, 0, 0, 0, 1, 2, 0, 1, 1, 0, 3})                         // approval
	f.Add([]byte{6, 3, 10, 0, 1, 1, 2, 0, 0, 5, 2, 3, 5, 0, 2, 2, 3, 1, 1})                   // score
	f.Add([]byte{7, 3, 10, 0, 1, 1, 2, 0, 3, 0, 2, 3, 1, 1, 1, 2, 3, 3, 0, 0})                // dot
	f.Add([]byte{8, 5, 20, 1, 2, 1, 2, 1, 0, 0, 1, 3, 0, 1, 2, 1, 2, 1, 0, 1, 1, 3, 2, 3, 1}) // IRV
	f.Add([]byte{8, 5, 20, 1, 2, 1, 2, 3, 0, 0, 1, 2, 2, 3, 1, 2, 2, 4, 1, 1, 1, 1, 0, 1, 3}) // STV
	f.Fuzz(func(t *testing.T, data []byte) {
		r, ballots := decodeFuzz(data)
		res, err := Count(r, ballots)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error not ErrInvalid: %v", err)
			}
			return
		}
		want, _ := json.Marshal(res)
		reversed := slices.Clone(ballots)
		slices.Reverse(reversed)
		again, err := Count(r, reversed)
		if err != nil {
			t.Fatalf("reversed ballots refused: %v", err)
		}
		if got, _ := json.Marshal(again); !bytes.Equal(got, want) {
			t.Fatalf("recount differs\n got %s\nwant %s", got, want)
		}
	})
}
