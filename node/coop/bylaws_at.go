package coop

import (
	"errors"
	"fmt"

	"github.com/coopnode/coopnode/node/record"
)

// ErrNotFolded: the record is not among those folded into the state.
var ErrNotFolded = errors.New("record not folded")

// BylawsAt returns the bylaws in force in the causal past of the folded
// record id, the ones a proposal is judged by, and the record that adopted
// them: the genesis or the close of a passed bylaws proposal. It reads
// nothing the fold does not already decide; it only answers the question
// the fold asks of each proposal for a record folded earlier.
//
// It walks the causal graph, which Add and With extend, so like them it is
// not safe for concurrent use; States need not be locked for it.
func (f *Folder) BylawsAt(id record.ID) (Bylaws, record.ID, error) {
	s, err := f.State()
	if err != nil {
		return Bylaws{}, record.ID{}, err
	}
	from, ok := f.g.pos[id]
	if !ok {
		return Bylaws{}, record.ID{}, fmt.Errorf("bylaws in force at %s: %w", id.Short(), ErrNotFolded)
	}
	// As State.bylawsAt: the last amendment in fold order in id's past.
	for i := len(s.amendments) - 1; i >= 0; i-- {
		if to, ok := f.g.pos[s.amendments[i].id]; ok && f.g.reaches(from, to) {
			return s.amendments[i].bylaws, s.amendments[i].id, nil
		}
	}
	return s.genesisBylaws, f.coop, nil
}
