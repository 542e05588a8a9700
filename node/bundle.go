package node

import (
	"fmt"
	"io"

	"github.com/coopnode/coopnode/node/bundle"
	"github.com/coopnode/coopnode/node/record"
)

// Export writes every record this node holds, except those in skip, as a
// bundle, and returns how many it wrote.
func (n *Node) Export(w io.Writer, skip map[record.ID]bool) (int, error) {
	all, err := n.Records()
	if err != nil {
		return 0, err
	}
	var recs []*record.Record
	for _, r := range all {
		if !skip[r.ID] {
			recs = append(recs, r)
		}
	}
	if err := bundle.Write(w, n.coop, n.opts.now(), recs); err != nil {
		return 0, fmt.Errorf("write bundle: %w", err)
	}
	return len(recs), nil
}

// ImportReport says what an import did.
type ImportReport struct {
	Read    int `json:"read"`    // records in the bundle, all verified
	Added   int `json:"added"`   // new to this node, now stored
	Had     int `json:"had"`     // already held
	Pending int `json:"pending"` // of the bundle's records, waiting for predecessors this node lacks
	Invalid int `json:"invalid"` // of the bundle's records, breaking the co-op's rules (stored, never applied)
}

// Import verifies a whole bundle, then stores the records this node lacks.
// A bundle that is truncated, altered or of another co-op stores nothing.
// Importing the same bundle again is harmless, and resumes an interrupted import.
func (n *Node) Import(r io.Reader) (ImportReport, error) {
	var rep ImportReport
	hdr, recs, err := bundle.ReadAll(r)
	if err != nil {
		return rep, fmt.Errorf("%w; nothing was imported", err)
	}
	if hdr.Coop != n.coop {
		return rep, fmt.Errorf("this bundle %w (%s); this node's co-op is %s. Nothing was imported", ErrForeignCoop, hdr.Coop.Short(), n.coop.Short())
	}
	rep.Read = len(recs)
	added, err := n.store(recs, storeBatch, "")
	rep.Added, rep.Had = added, len(recs)-added
	if err != nil {
		return rep, err
	}
	s := n.State()
	in := make(map[record.ID]bool, len(recs))
	for _, r := range recs {
		in[r.ID] = true
	}
	for _, id := range s.Pending {
		if in[id] {
			rep.Pending++
		}
	}
	for _, rj := range s.Rejected {
		if in[rj.ID] {
			rep.Invalid++
		}
	}
	return rep, nil
}
