package coop

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/coopnode/coopnode/node/record"
)

// wenc and wdec are the snapshot's binary encoding: varints, length-prefixed
// bytes, fixed 32-byte IDs and keys. Lengths carry nil apart from empty
// (0 is nil, n+1 is n elements), so a restored state is the same Go value.
//
// Either may work on a stream (w, r): a large co-op's snapshot is hundreds
// of MB, which need not be in memory at once.
type wenc struct {
	b     []byte
	w     io.Writer // if set, b is written to it in pieces of about piece bytes
	piece int
	err   error // the first error writing to w
}

// wencPiece is how much wenc gathers before writing it to w.
const wencPiece = 256 << 10

// spill writes what is gathered to w, once there is enough of it.
func (e *wenc) spill() {
	if e.w != nil && len(e.b) >= e.piece {
		e.flush()
	}
}

func (e *wenc) flush() {
	if e.w == nil || len(e.b) == 0 {
		return
	}
	if e.err == nil {
		_, e.err = e.w.Write(e.b)
	}
	e.b = e.b[:0]
}

func (e *wenc) u(v uint64) { e.spill(); e.b = binary.AppendUvarint(e.b, v) }
func (e *wenc) i(v int64)  { e.spill(); e.b = binary.AppendVarint(e.b, v) }
func (e *wenc) n(l int)    { e.u(uint64(l)) }
func (e *wenc) id(v [32]byte) {
	e.spill()
	e.b = append(e.b, v[:]...)
}
func (e *wenc) str(s string) {
	e.n(len(s))
	e.b = append(e.b, s...)
}
func (e *wenc) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

// count writes a slice's or map's length, nil apart from empty.
func (e *wenc) count(l int, isNil bool) {
	if isNil {
		e.u(0)
	} else {
		e.u(uint64(l) + 1)
	}
}

func (e *wenc) time(t time.Time) {
	b, err := t.MarshalBinary()
	if err != nil { // years outside what MarshalBinary takes: the fold never makes them
		panic(fmt.Sprintf("snapshot: time %v: %v", t, err))
	}
	e.n(len(b))
	e.b = append(e.b, b...)
}

// The 32-byte lists (IDs, member IDs, keys) share one writer and reader.
func (e *wenc) ids(v []record.ID)         { put32(e, v) }
func (e *wenc) members(v []MemberID)      { put32(e, v) }
func (e *wenc) keys(v []record.PublicKey) { put32(e, v) }
func (d *wdec) ids() []record.ID          { return get32[record.ID](d) }
func (d *wdec) members() []MemberID       { return get32[MemberID](d) }
func (d *wdec) keys() []record.PublicKey  { return get32[record.PublicKey](d) }

func put32[T ~[32]byte](e *wenc, v []T) {
	e.count(len(v), v == nil)
	for _, x := range v {
		e.id(x)
	}
}

func get32[T ~[32]byte](d *wdec) []T {
	k := d.count(32)
	if k < 0 {
		return nil
	}
	v := make([]T, k)
	for j := range v {
		v[j] = d.id()
	}
	return v
}

func (e *wenc) strs(v []string) {
	e.count(len(v), v == nil)
	for _, x := range v {
		e.str(x)
	}
}

func (e *wenc) ints(v []int) {
	e.count(len(v), v == nil)
	for _, x := range v {
		e.i(int64(x))
	}
}

// json writes v as JSON: for the few, small values that are record bodies
// (bylaws, proposals, results), whose JSON form round-trips by design.
func (e *wenc) json(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("snapshot: %T: %v", v, err))
	}
	e.n(len(b))
	e.b = append(e.b, b...)
}

// ErrSnapshot: a snapshot does not decode (damaged, or written by another
// version). It is derived data: throw it away and fold the records.
var ErrSnapshot = errors.New("snapshot is damaged or of another version")

type wdec struct {
	b []byte // read, not yet decoded
	// r is the rest of the input (nil: b is all of it); left is how many
	// bytes it still has, which bounds every length read.
	r     io.Reader
	left  int64
	buf   []byte // b's storage when reading r
	piece int    // buf's size: at least 32
	err   error
	// intern shares the strings that repeat across hundreds of thousands
	// of receipts and ballots (statuses, purposes, digests of one text).
	intern map[string]string
	rolls  map[string][]MemberID // see decodeProposal
}

// istr reads a string that is likely to repeat, and shares it.
func (d *wdec) istr() string {
	b := d.take(d.n(1))
	if len(b) > 128 || len(d.intern) >= 1<<12 {
		return string(b)
	}
	if s, ok := d.intern[string(b)]; ok {
		return s
	}
	if d.intern == nil {
		d.intern = map[string]string{}
	}
	s := string(b)
	d.intern[s] = s
	return s
}

func (d *wdec) istrs() []string {
	k := d.count(1)
	if k < 0 {
		return nil
	}
	v := make([]string, k)
	for j := range v {
		v[j] = d.istr()
	}
	return v
}

func (d *wdec) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: bad %s", ErrSnapshot, what)
	}
	d.b, d.r, d.left = nil, nil, 0
}

// wdecPiece is how much wdec reads from r at a time.
const wdecPiece = 256 << 10

// remaining is how many bytes are left to decode.
func (d *wdec) remaining() int64 { return int64(len(d.b)) + d.left }

// more reads from r until k bytes are in b, or r is done; k is at most
// piece.
func (d *wdec) more(k int) {
	if len(d.b) >= k || d.r == nil || d.left == 0 {
		return
	}
	if d.buf == nil {
		d.buf = make([]byte, d.piece)
	}
	kept := copy(d.buf, d.b)
	m, err := io.ReadFull(d.r, d.buf[kept:kept+int(min(int64(len(d.buf)-kept), d.left))])
	d.b, d.left = d.buf[:kept+m], d.left-int64(m)
	if err != nil {
		d.fail(err.Error())
	}
}

func (d *wdec) u() uint64 {
	d.more(binary.MaxVarintLen64)
	v, k := binary.Uvarint(d.b)
	if k <= 0 {
		d.fail("number")
		return 0
	}
	d.b = d.b[k:]
	return v
}

func (d *wdec) i() int64 {
	d.more(binary.MaxVarintLen64)
	v, k := binary.Varint(d.b)
	if k <= 0 {
		d.fail("number")
		return 0
	}
	d.b = d.b[k:]
	return v
}

func (d *wdec) int() int {
	v := d.i()
	if v < math.MinInt32 || v > math.MaxInt32 {
		d.fail("integer")
		return 0
	}
	return int(v)
}

// n reads a length, which must fit in what is left (at least min bytes each).
func (d *wdec) n(min int) int {
	v := d.u()
	if min < 1 {
		min = 1
	}
	if v > uint64(d.remaining()/int64(min)) {
		d.fail("length")
		return 0
	}
	return int(v)
}

// count reads a length written by wenc.count: -1 for nil.
func (d *wdec) count(min int) int {
	v := d.u()
	if v == 0 {
		return -1
	}
	if min < 1 {
		min = 1
	}
	if v-1 > uint64(d.remaining()/int64(min)) {
		d.fail("length")
		return -1
	}
	return int(v - 1)
}

// take reads k bytes. What it returns is valid until the next read.
func (d *wdec) take(k int) []byte {
	if k < 0 || int64(k) > d.remaining() {
		d.fail("field")
		return make([]byte, max(k, 0))
	}
	if k > len(d.b) && k > d.piece { // rare: a long text
		b := append(make([]byte, 0, k), d.b...)
		m, err := io.ReadFull(d.r, b[len(b):k])
		d.b, d.left = nil, d.left-int64(m)
		if err != nil {
			d.fail(err.Error())
			return make([]byte, k)
		}
		return b[:k]
	}
	d.more(k)
	if k > len(d.b) {
		d.fail("field")
		return make([]byte, k)
	}
	b := d.b[:k]
	d.b = d.b[k:]
	return b
}

func (d *wdec) id() (v [32]byte) {
	copy(v[:], d.take(32))
	return v
}

func (d *wdec) str() string { return string(d.take(d.n(1))) }

func (d *wdec) bool() bool {
	b := d.take(1)
	if b[0] > 1 {
		d.fail("flag")
	}
	return b[0] == 1
}

func (d *wdec) time() time.Time {
	var t time.Time
	if err := t.UnmarshalBinary(d.take(d.n(1))); err != nil {
		d.fail("time")
	} else if _, err := t.MarshalBinary(); err != nil {
		d.fail("time") // read, but could not be written again
	}
	return t
}

func (d *wdec) strs() []string {
	k := d.count(1)
	if k < 0 {
		return nil
	}
	v := make([]string, k)
	for j := range v {
		v[j] = d.str()
	}
	return v
}

func (d *wdec) ints() []int {
	k := d.count(1)
	if k < 0 {
		return nil
	}
	v := make([]int, k)
	for j := range v {
		v[j] = d.int()
	}
	return v
}

func (d *wdec) json(v any) {
	b := d.take(d.n(1))
	if d.err == nil {
		if err := json.Unmarshal(b, v); err != nil {
			d.fail(fmt.Sprintf("%T", v))
		}
	}
}
