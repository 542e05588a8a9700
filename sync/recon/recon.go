// Package recon finds the difference between two sets of record IDs held by
// two parties, in a few round trips and with bytes close to the size of the
// difference: range-based set reconciliation (Meyer, "Range-Based Set
// Reconciliation", 2023; the scheme of Negentropy and Willow).
//
// Both sides keep their IDs sorted. A message is a sequence of ranges that
// together cover the whole ID space, each closed by an upper bound and
// carrying one of: Skip (nothing to do), Fingerprint (of the sender's IDs in
// the range) or IDs (all of the sender's IDs in the range). A side that
// receives a fingerprint unlike its own either lists its IDs (few) or splits
// the range into Branch parts with a fingerprint each (many). The initiator,
// on receiving a list, learns exactly what it has that the other lacks and
// what it lacks; the responder answers a list with its own list.
//
// The package is pure: no I/O, no clocks. Package sync moves its messages.
package recon

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"sort"

	"github.com/coopnode/coopnode/node/record"
)

// Tuning. Branch is the fan-out of a split; a range with at most ListMax of
// the sender's IDs is sent as a list rather than split further.
const (
	Branch  = 16
	ListMax = 2 * Branch
	fpSize  = 16
)

const (
	modeSkip byte = iota
	modeFingerprint
	modeIDs
	modeWant
)

// ErrProtocol: a message that does not follow the protocol.
var ErrProtocol = errors.New("set reconciliation protocol error")

// bound is an exclusive upper bound: a prefix of an ID, or infinity.
type bound struct {
	inf    bool
	prefix []byte
}

var infinity = bound{inf: true}

// below reports whether id sorts before b.
func (b bound) below(id record.ID) bool {
	return b.inf || bytes.Compare(id[:len(b.prefix)], b.prefix) < 0
}

// before reports whether b sorts strictly before o (as range ends).
func (b bound) before(o bound) bool {
	switch {
	case b.inf:
		return false
	case o.inf:
		return true
	}
	return bytes.Compare(b.prefix, o.prefix) < 0
}

// Session is one side of a reconciliation over a fixed, sorted set.
type Session struct {
	ids       []record.ID
	initiator bool
	// Have grows with each Step by the IDs this side has that the other
	// lacks: the records to send. Need grows by the IDs this side lacks and
	// must ask for (the initiator's only: the responder is sent what it
	// wanted). Together, over both sides, they are the exact difference.
	// Callers may take and reset them between steps.
	Have, Need []record.ID
}

// New starts a session over ids (any order; duplicates are removed).
func New(ids []record.ID, initiator bool) *Session {
	s := append([]record.ID(nil), ids...)
	sort.Slice(s, func(i, j int) bool { return s[i].Less(s[j]) })
	out := s[:0]
	for i, id := range s {
		if i == 0 || id != s[i-1] {
			out = append(out, id)
		}
	}
	return &Session{ids: out, initiator: initiator}
}

// Initiate is the initiator's first message.
func (s *Session) Initiate() []byte {
	var w writer
	s.split(&w, 0, len(s.ids), infinity)
	return w.finish()
}

// Step processes the other side's message and returns the reply, or nil when
// the reconciliation is complete (only the initiator ever finishes; the
// responder always answers).
func (s *Session) Step(msg []byte) ([]byte, error) {
	r := reader{b: msg}
	var w writer
	lo := 0         // index of the first of our IDs in the current range
	var prev *bound // the range's lower bound (inclusive); nil at the start
	for !r.done() {
		b, err := r.bound()
		if err != nil {
			return nil, err
		}
		if prev != nil && !prev.before(b) {
			return nil, fmt.Errorf("%w: range bounds must ascend", ErrProtocol)
		}
		hi := lo
		for hi < len(s.ids) && b.below(s.ids[hi]) {
			hi++
		}
		mode, err := r.byte()
		if err != nil {
			return nil, err
		}
		switch mode {
		case modeSkip:
			w.skip(b)
		case modeFingerprint:
			fp, err := r.take(fpSize)
			if err != nil {
				return nil, err
			}
			if mine := fingerprint(s.ids[lo:hi]); bytes.Equal(fp, mine[:]) {
				w.skip(b)
			} else {
				s.split(&w, lo, hi, b)
			}
		case modeIDs:
			n, err := r.uvarint()
			if err != nil {
				return nil, err
			}
			if n > uint64(len(r.b))/32 {
				return nil, fmt.Errorf("%w: %d IDs announced, not that many bytes", ErrProtocol, n)
			}
			theirs := make(map[record.ID]bool, n)
			for range n {
				raw, _ := r.take(32)
				var id record.ID
				copy(id[:], raw)
				if !b.below(id) || (prev != nil && prev.below(id)) {
					return nil, fmt.Errorf("%w: an ID outside its range", ErrProtocol)
				}
				theirs[id] = true
			}
			for _, id := range s.ids[lo:hi] {
				if !theirs[id] {
					s.Have = append(s.Have, id)
				}
				delete(theirs, id)
			}
			if s.initiator {
				for id := range theirs {
					s.Need = append(s.Need, id)
				}
				w.skip(b)
			} else if len(theirs) > 0 {
				want := make([]record.ID, 0, len(theirs))
				for id := range theirs {
					want = append(want, id)
				}
				sortIDs(want)
				w.want(b, want)
			} else {
				w.skip(b)
			}
		case modeWant:
			if !s.initiator {
				return nil, fmt.Errorf("%w: only the responder says what it wants", ErrProtocol)
			}
			n, err := r.uvarint()
			if err != nil {
				return nil, err
			}
			if n > uint64(len(r.b))/32 || n > uint64(hi-lo) {
				return nil, fmt.Errorf("%w: %d IDs wanted, more than the range holds", ErrProtocol, n)
			}
			mine := s.ids[lo:hi]
			for range n {
				raw, _ := r.take(32)
				var id record.ID
				copy(id[:], raw)
				if _, ok := sort.Find(len(mine), func(i int) int { return record.CompareIDs(id, mine[i]) }); !ok {
					return nil, fmt.Errorf("%w: wanted an ID this side did not list", ErrProtocol)
				}
				s.Have = append(s.Have, id)
			}
			w.skip(b)
		default:
			return nil, fmt.Errorf("%w: unknown mode %d", ErrProtocol, mode)
		}
		if b.inf && !r.done() {
			return nil, fmt.Errorf("%w: ranges after the last one", ErrProtocol)
		}
		lo, prev = hi, &b
	}
	out := w.finish()
	if s.initiator && len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// split writes our IDs in [lo, hi) up to bound b: as a list if few, else as
// Branch sub-ranges with fingerprints.
func (s *Session) split(w *writer, lo, hi int, b bound) {
	n := hi - lo
	if n <= ListMax {
		w.ids(b, s.ids[lo:hi])
		return
	}
	per, extra := n/Branch, n%Branch
	at := lo
	for i := range Branch {
		end := at + per
		if i < extra {
			end++
		}
		ub := b
		if i < Branch-1 {
			ub = between(s.ids[end-1], s.ids[end])
		}
		fp := fingerprint(s.ids[at:end])
		w.fingerprint(ub, fp[:])
		at = end
	}
}

// between is the shortest prefix of next that sorts after prev.
func between(prev, next record.ID) bound {
	i := 0
	for i < len(next) && prev[i] == next[i] {
		i++
	}
	return bound{prefix: append([]byte(nil), next[:i+1]...)}
}

// fingerprint is SHA-256 of (the sum of the IDs mod 2^256, the count),
// truncated: order-independent and cheap to recompute for any range.
func fingerprint(ids []record.ID) [fpSize]byte {
	var sum [4]uint64 // little-endian 256-bit accumulator
	for _, id := range ids {
		var c uint64
		for k := range 4 {
			w := binary.LittleEndian.Uint64(id[8*k:])
			sum[k], c = bits.Add64(sum[k], w, c)
		}
	}
	var buf [32 + binary.MaxVarintLen64]byte
	for k := range 4 {
		binary.LittleEndian.PutUint64(buf[8*k:], sum[k])
	}
	n := binary.PutUvarint(buf[32:], uint64(len(ids)))
	h := sha256.Sum256(buf[:32+n])
	var fp [fpSize]byte
	copy(fp[:], h[:])
	return fp
}

func sortIDs(ids []record.ID) { sort.Slice(ids, func(i, j int) bool { return ids[i].Less(ids[j]) }) }

// writer builds a message, merging runs of Skip and dropping trailing ones.
type writer struct {
	b           []byte
	pendingSkip *bound
}

func (w *writer) flushSkip() {
	if w.pendingSkip != nil {
		w.bound(*w.pendingSkip)
		w.b = append(w.b, modeSkip)
		w.pendingSkip = nil
	}
}

func (w *writer) skip(b bound) { w.pendingSkip = &b }

func (w *writer) bound(b bound) {
	if b.inf {
		w.b = append(w.b, 0xff)
		return
	}
	w.b = append(w.b, byte(len(b.prefix)))
	w.b = append(w.b, b.prefix...)
}

func (w *writer) fingerprint(b bound, fp []byte) {
	w.flushSkip()
	w.bound(b)
	w.b = append(w.b, modeFingerprint)
	w.b = append(w.b, fp...)
}

func (w *writer) ids(b bound, ids []record.ID)  { w.list(b, modeIDs, ids) }
func (w *writer) want(b bound, ids []record.ID) { w.list(b, modeWant, ids) }

func (w *writer) list(b bound, mode byte, ids []record.ID) {
	w.flushSkip()
	w.bound(b)
	w.b = append(w.b, mode)
	w.b = binary.AppendUvarint(w.b, uint64(len(ids)))
	for _, id := range ids {
		w.b = append(w.b, id[:]...)
	}
}

// finish returns the message; trailing skips are implied and not sent.
func (w *writer) finish() []byte { return w.b }

type reader struct{ b []byte }

func (r *reader) done() bool { return len(r.b) == 0 }

func (r *reader) byte() (byte, error) {
	if len(r.b) == 0 {
		return 0, fmt.Errorf("%w: truncated", ErrProtocol)
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c, nil
}

func (r *reader) take(n int) ([]byte, error) {
	if len(r.b) < n {
		return nil, fmt.Errorf("%w: truncated", ErrProtocol)
	}
	c := r.b[:n]
	r.b = r.b[n:]
	return c, nil
}

func (r *reader) uvarint() (uint64, error) {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		return 0, fmt.Errorf("%w: bad varint", ErrProtocol)
	}
	r.b = r.b[n:]
	return v, nil
}

func (r *reader) bound() (bound, error) {
	l, err := r.byte()
	if err != nil {
		return bound{}, err
	}
	if l == 0xff {
		return infinity, nil
	}
	if l == 0 || l > 32 {
		return bound{}, fmt.Errorf("%w: bound of length %d", ErrProtocol, l)
	}
	p, err := r.take(int(l))
	if err != nil {
		return bound{}, err
	}
	return bound{prefix: append([]byte(nil), p...)}, nil
}
