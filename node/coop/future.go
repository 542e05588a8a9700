package coop

import (
	"time"

	"github.com/coopnode/coopnode/node/record"
)

// A signer picks its record's time, and a record dated in the future can
// claim what has not happened yet: a closing time reached, a grace period
// over. So a record dated more than the bylaws' skew (Bylaws.Skew) ahead of
// a node's clock is not applied until that clock comes within the skew of
// it (DESIGN, "Clocks are hints, and claimed times are bounded"). Which
// records are due depends on a clock, so the fold never asks: the node and
// the verifier read their clock and split the records with SplitAt before
// folding, and the result is a pure function of the records and that time.

// minSkew is the smallest skew bylaws can set (one minute): no record dated
// within it of at is ever held, whatever the bylaws say.
const minSkew = time.Minute

// SplitAt splits recs into those due at time at (dated no later than at
// plus the skew of the bylaws in force) and those dated later (future),
// each in the order given. The bylaws in force are those of the due
// records' fold, starting from the genesis's: a record dated in the future
// cannot widen the skew it is judged by. It folds only when some record is
// dated more than a minute after at.
func SplitAt(coopID record.ID, recs []*record.Record, at time.Time) (due, future []*record.Record) {
	late := false
	for _, r := range recs {
		late = late || r.Time.After(at.Add(minSkew))
	}
	if !late {
		return recs, nil
	}
	skew := genesisSkew(coopID, recs)
	// Each round folds with the skew the last one's bylaws set; bylaws
	// that change the skew are rare, and a few rounds settle them.
	for range 4 {
		due, future = splitBy(recs, at.Add(skew))
		next := Fold(coopID, due).Bylaws.Skew()
		if next == skew {
			break
		}
		skew = next
	}
	return due, future
}

// Future reports whether r is dated beyond at plus skew: a record a node
// whose clock reads at holds, and the verifier refuses.
func Future(r *record.Record, at time.Time, skew time.Duration) bool {
	return r.Time.After(at.Add(skew))
}

func splitBy(recs []*record.Record, limit time.Time) (due, future []*record.Record) {
	due = make([]*record.Record, 0, len(recs))
	for _, r := range recs {
		if r.Time.After(limit) {
			future = append(future, r)
		} else {
			due = append(due, r)
		}
	}
	return due, future
}

// genesisSkew is the skew of the genesis's bylaws among recs (the default
// if it is not there or does not decode).
func genesisSkew(coopID record.ID, recs []*record.Record) time.Duration {
	for _, r := range recs {
		if r.ID == coopID && r.Type == TypeGenesis {
			var g Genesis
			if r.DecodeBody(&g) == nil {
				return g.Bylaws.Skew()
			}
		}
	}
	return DefaultMaxSkew
}
