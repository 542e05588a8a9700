// Package bundle is the file format that carries a co-op's records without a
// network: on a USB stick, by e-mail, to an auditor. It imports neither
// storage nor networking, so `coopnode verify` can read bundles with nothing
// else.
//
// Format, version 1:
//
//	"coopnode bundle v1\n"                       (plain, so `head -1` says what it is)
//	zstd stream (with checksums) of:
//	  uvarint len || header JSON {"coop","created","records"}
//	  records × (uvarint len || record in binary form)
//	  32-byte SHA-256 of everything above in the stream
//
// A reader verifies every record as it goes and the trailer at the end; a
// bundle is only good once Next has returned io.EOF. A record that fails is
// noted and the reader reads on to the trailer, so that the error says what
// happened: ErrTampered if the checksum fails (the bytes changed after they
// were written), a *RecordError (ErrBadRecord) naming the record if it
// holds (the bundle was written with that record).
package bundle

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"runtime"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/coopnode/coopnode/node/record"
)

const magic = "coopnode bundle v1\n"

var (
	// ErrNotBundle: the file is not a coopnode bundle (or of an unknown version).
	ErrNotBundle = errors.New("not a coopnode bundle")
	// ErrTruncated: the bundle ends early (an interrupted copy or download).
	ErrTruncated = errors.New("bundle is truncated")
	// ErrTampered: the bundle's bytes were changed after it was written.
	ErrTampered = errors.New("bundle was altered after it was written")
	// ErrBadRecord: the bundle is intact (its checksum holds), but it was
	// written with a record that does not verify. Its errors are *RecordError.
	ErrBadRecord = errors.New("the bundle was written with a record that does not verify")
)

// RecordError is a record refused in a bundle whose checksum holds: the
// bundle was written with it. It wraps the record's error (record.ErrMalformed,
// ErrNonCanonical, ErrBadSignature, ...) and is ErrBadRecord.
type RecordError struct {
	N, Of int       // record N (from 1) of the Of the header announces
	ID    record.ID // the ID its payload would have; zero if it has no framed payload
	Type  string    // its type as it claims it; "" if unknown
	Err   error     // why it is refused
}

func (e *RecordError) Error() string {
	name := "not readable as a record"
	if !e.ID.IsZero() {
		name = e.ID.Short()
		if e.Type != "" {
			name += ", " + e.Type
		}
	}
	return fmt.Sprintf("%v: record %d of %d (%s): %v; the bundle is as it was written (its checksum holds): ask whoever made it for a fresh export",
		ErrBadRecord, e.N, e.Of, name, e.Err)
}

// Is makes errors.Is(err, ErrBadRecord) hold.
func (e *RecordError) Is(target error) bool { return target == ErrBadRecord }

// Unwrap is the record's error.
func (e *RecordError) Unwrap() error { return e.Err }

// Refused is the error for record n (from 1) of the bundle, whose bytes b
// failed to decode with err, as a reader that decodes records itself
// (NextRaw) finds it. It reads the rest of the bundle, trailer included,
// holding none of it, and returns the bundle's error if it has one
// (truncated, or altered: then the record's failure says nothing of how the
// bundle was written), else a *RecordError. The reader is done after it.
func (r *Reader) Refused(n int, b []byte, err error) error {
	e := &RecordError{N: n, Of: r.hdr.Records, Err: err}
	e.ID, e.Type, _ = record.Identify(b)
	return r.refused(e)
}

// refused reads the rest of the bundle and returns its error, or e if it has none.
func (r *Reader) refused(e *RecordError) error {
	if r.err != nil {
		return r.err
	}
	if r.done { // the trailer checked out already
		r.err = e
		return e
	}
	for r.seen < r.hdr.Records && r.err == nil {
		r.err = r.skipRecord()
	}
	if r.err == nil {
		if r.err = r.trailer(); r.err == nil {
			r.err = e
		}
	}
	r.done = true
	return r.err
}

// Header describes a bundle.
type Header struct {
	Coop    record.ID `json:"coop"`
	Created time.Time `json:"created"`
	Records int       `json:"records"`
}

// Writer writes a bundle of a known number of records.
type Writer struct {
	zw   *zstd.Encoder
	h    hash.Hash
	out  io.Writer // zw and h
	left int
	buf  []byte
}

// NewWriter writes the magic and header; exactly hdr.Records records must follow.
func NewWriter(w io.Writer, hdr Header) (*Writer, error) {
	if _, err := io.WriteString(w, magic); err != nil {
		return nil, err
	}
	zw, err := zstd.NewWriter(w, zstd.WithEncoderCRC(true), zstd.WithEncoderLevel(zstd.SpeedDefault))
	if err != nil {
		return nil, err
	}
	bw := &Writer{zw: zw, h: sha256.New(), left: hdr.Records}
	bw.out = io.MultiWriter(zw, bw.h)
	hj, err := json.Marshal(hdr)
	if err != nil {
		return nil, err
	}
	return bw, bw.chunk(hj)
}

func (w *Writer) chunk(b []byte) error {
	w.buf = binary.AppendUvarint(w.buf[:0], uint64(len(b)))
	w.buf = append(w.buf, b...)
	_, err := w.out.Write(w.buf)
	return err
}

// Add writes one record.
func (w *Writer) Add(r *record.Record) error {
	if w.left == 0 {
		return errors.New("bundle: more records than the header announced")
	}
	w.left--
	return w.chunk(r.Bytes())
}

// Close writes the trailer and flushes. It does not close the underlying writer.
func (w *Writer) Close() error {
	if w.left != 0 {
		return fmt.Errorf("bundle: %d announced records were not written", w.left)
	}
	if _, err := w.zw.Write(w.h.Sum(nil)); err != nil {
		return err
	}
	return w.zw.Close()
}

// Limits that keep a hostile bundle from making us allocate much.
const (
	maxHeader = 64 << 10
	maxRecord = record.MaxPayload + 4096
)

// Reader reads and verifies a bundle record by record.
type Reader struct {
	hdr  Header
	zr   *zstd.Decoder
	br   *bufio.Reader
	h    hash.Hash
	seen int
	done bool
	err  error // the bundle's error, once a record failed (Refused)
	// lenBuf holds a chunk's length for the checksum.
	lenBuf [binary.MaxVarintLen64]byte
}

// NewReader checks the magic and reads the header.
func NewReader(r io.Reader) (*Reader, error) {
	m := make([]byte, len(magic))
	if _, err := io.ReadFull(r, m); err != nil || string(m) != magic {
		return nil, fmt.Errorf("%w (it does not start with %q)", ErrNotBundle, magic[:len(magic)-1])
	}
	zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(256<<20))
	if err != nil {
		return nil, err
	}
	br := &Reader{zr: zr, br: bufio.NewReaderSize(zr, 64<<10), h: sha256.New()}
	hj, err := br.chunk(maxHeader, "header")
	if err != nil {
		zr.Close()
		return nil, err
	}
	if err := json.Unmarshal(hj, &br.hdr); err != nil || br.hdr.Coop.IsZero() || br.hdr.Records < 0 {
		zr.Close()
		return nil, fmt.Errorf("%w: bad header", ErrNotBundle)
	}
	return br, nil
}

// Header is the bundle's header.
func (r *Reader) Header() Header { return r.hdr }

// streamErr classifies errors of the compressed stream.
func streamErr(err error, what string) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: it ends inside the %s", ErrTruncated, what)
	}
	return fmt.Errorf("%w: %s: %v", ErrTampered, what, err)
}

func (r *Reader) chunk(max uint64, what string) ([]byte, error) {
	return r.readChunk(max, func() string { return what })
}

// readChunk reads the next chunk; what names it in errors (made only for one).
func (r *Reader) readChunk(max uint64, what func() string) ([]byte, error) {
	n, err := binary.ReadUvarint(r.br)
	if err != nil {
		return nil, streamErr(err, what())
	}
	if n > max {
		return nil, fmt.Errorf("%w: %s of %d bytes is over the limit", ErrTampered, what(), n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r.br, b); err != nil {
		return nil, streamErr(err, what())
	}
	r.h.Write(binary.AppendUvarint(r.lenBuf[:0], n))
	r.h.Write(b)
	return b, nil
}

// Next returns the next verified record, or io.EOF after the last one once
// the trailer has checked out. Any other error means the bundle is bad.
func (r *Reader) Next() (*record.Record, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.done {
		return nil, io.EOF
	}
	if r.seen == r.hdr.Records {
		if err := r.trailer(); err != nil {
			return nil, err
		}
		r.done = true
		r.zr.Close()
		return nil, io.EOF
	}
	b, err := r.nextRaw()
	if err != nil {
		return nil, err
	}
	rec, err := record.Decode(b)
	if err != nil {
		return nil, r.Refused(r.seen, b, err)
	}
	return rec, nil
}

// trailer reads and checks the checksum, which must end the stream.
func (r *Reader) trailer() error {
	sum := make([]byte, sha256.Size)
	if _, err := io.ReadFull(r.br, sum); err != nil {
		return streamErr(err, "trailer")
	}
	if string(sum) != string(r.h.Sum(nil)) {
		return fmt.Errorf("%w: the checksum over its records does not match", ErrTampered)
	}
	if _, err := r.br.ReadByte(); err != io.EOF {
		return fmt.Errorf("%w: data after the trailer", ErrTampered)
	}
	return nil
}

func (r *Reader) recordName() string { return fmt.Sprintf("record %d of %d", r.seen+1, r.hdr.Records) }

// nextUnverified reads and decodes the next record, up to its signatures.
// Its bytes are decoded where bufio holds them when they fit, not copied
// out first. If it has no record at all (u.Err, u.Record is nil), name
// says what its bytes would be (record.Identify).
func (r *Reader) nextUnverified() (u record.Unverified, name ident, err error) {
	n, err := binary.ReadUvarint(r.br)
	if err != nil {
		return u, name, streamErr(err, r.recordName())
	}
	if n > maxRecord {
		return u, name, fmt.Errorf("%w: %s of %d bytes is over the limit", ErrTampered, r.recordName(), n)
	}
	var b []byte
	if int(n) <= r.br.Size() {
		if b, err = r.br.Peek(int(n)); err != nil {
			return u, name, streamErr(err, r.recordName())
		}
	} else {
		b = make([]byte, n)
		if _, err := io.ReadFull(r.br, b); err != nil {
			return u, name, streamErr(err, r.recordName())
		}
	}
	r.h.Write(binary.AppendUvarint(r.lenBuf[:0], n))
	r.h.Write(b)
	u = record.DecodeUnverified(b) // keeps nothing of b
	if u.Record() == nil {
		name.id, name.typ, _ = record.Identify(b)
	}
	if int(n) <= r.br.Size() {
		r.br.Discard(int(n))
	}
	r.seen++
	return u, name, nil
}

// ident is what a message can say of a record that has none (record.Identify).
type ident struct {
	id  record.ID
	typ string
}

// skipRecord reads the next record into the checksum only, a bufio's worth
// at a time: what a reader reads after a record failed.
func (r *Reader) skipRecord() error {
	n, err := binary.ReadUvarint(r.br)
	if err != nil {
		return streamErr(err, r.recordName())
	}
	if n > maxRecord {
		return fmt.Errorf("%w: %s of %d bytes is over the limit", ErrTampered, r.recordName(), n)
	}
	r.h.Write(binary.AppendUvarint(r.lenBuf[:0], n))
	for left := int(n); left > 0; {
		b, err := r.br.Peek(min(left, r.br.Size()))
		if err != nil {
			return streamErr(err, r.recordName())
		}
		r.h.Write(b)
		r.br.Discard(len(b))
		left -= len(b)
	}
	r.seen++
	return nil
}

// nextRaw returns the next record's bytes, unverified.
func (r *Reader) nextRaw() ([]byte, error) {
	b, err := r.readChunk(maxRecord, r.recordName)
	if err != nil {
		return nil, err
	}
	r.seen++
	return b, nil
}

// Close releases the decoder.
func (r *Reader) Close() { r.zr.Close() }

// ReadAll reads and verifies a whole bundle.
func ReadAll(rd io.Reader) (Header, []*record.Record, error) {
	r, err := NewReader(rd)
	if err != nil {
		return Header{}, nil, err
	}
	defer r.Close()
	recs, err := r.All()
	return r.hdr, recs, err
}

// All reads and verifies every remaining record and the trailer, verifying
// signatures on every core. Errors are as Next's.
func (r *Reader) All() ([]*record.Record, error) {
	recs, verify, err := r.AllUnverified()
	if err != nil {
		return nil, err
	}
	if err := verify(); err != nil {
		return nil, err
	}
	return recs, nil
}

// AllUnverified is All in two steps, so that a caller can work with the
// records while their signatures are checked. It reads every remaining
// record and the trailer, checking all but the signatures, and returns
// once that is done; meanwhile and afterwards the signatures are checked
// on every core but one. verify joins in, waits, and returns All's error;
// call it once, always. If err is not nil, it is All's error and verify is
// nil.
//
// Until verify returns nil the records are not verified: nothing may rely
// on them, and what is done with them must be thrown away if it fails.
//
// All's error is the bundle's own (truncated, altered) if it has one, else
// a *RecordError for the first record that fails.
func (r *Reader) AllUnverified() (recs []*record.Record, verify func() error, err error) {
	if r.err != nil {
		return nil, nil, r.err
	}
	first := r.seen
	recs = make([]*record.Record, 0, min(r.hdr.Records-r.seen, 1<<20))
	q := newSigQueue()
	for range runtime.GOMAXPROCS(0) - 1 {
		go q.work()
	}
	defer q.close() // the workers finish the queue, then end
	failed := func(b *sigBatch) *RecordError {
		return &RecordError{N: first + b.start + b.bad + 1, Of: r.hdr.Records, ID: b.name.id, Type: b.name.typ, Err: b.err}
	}
	// Read in batches, decoding each record as it is read (its bytes are
	// still in the cache); the signatures are what takes the other cores.
	for r.seen < r.hdr.Records {
		b := &sigBatch{start: len(recs), recs: make([]record.Unverified, 0, min(readBatch, r.hdr.Records-r.seen))}
		doomed := false
		for len(b.recs) < readBatch && r.seen < r.hdr.Records {
			u, name, err := r.nextUnverified()
			if err != nil {
				q.abandon() // the bundle is bad whatever its records' signatures
				return nil, nil, err
			}
			if u.Record() == nil {
				if b.names == nil {
					b.names = map[int]ident{}
				}
				b.names[len(b.recs)] = name
			}
			b.recs = append(b.recs, u)
			doomed = doomed || u.Fails()
		}
		if doomed {
			// The first record that fails is in an earlier batch, or in this one.
			q.close()
			bad := q.wait()
			if bad == nil {
				b.check() // in order: a record may fail at its signatures before another fails for its framing
				bad = b
			}
			return nil, nil, r.refused(failed(bad))
		}
		for i := range b.recs {
			recs = append(recs, b.recs[i].Record())
		}
		// Small batches to check, so that the cores finish together.
		for i := 0; i < len(b.recs); i += sigShare {
			q.add(&sigBatch{start: b.start + i, recs: b.recs[i:min(i+sigShare, len(b.recs))]})
		}
	}
	if _, err := r.Next(); err != io.EOF { // the trailer
		q.abandon()
		return nil, nil, err
	}
	q.close()
	return recs, func() error {
		if b := q.wait(); b != nil {
			return failed(b) // the trailer checked out: the bundle was written so
		}
		return nil
	}, nil
}

// Records are read (and their errors ranked) in batches of readBatch, and
// their signatures checked sigShare at a time. Variables for tests.
var readBatch, sigShare = 4096, 512

// sigBatch is a batch of records whose signatures are to be checked.
type sigBatch struct {
	start int // the index of its first record
	recs  []record.Unverified
	names map[int]ident // of its records that have none, by index in recs
	bad   int           // the first record that fails, if err is set
	err   error         // its error
	name  ident         // that record's
}

// check checks the batch's records in order, up to the first that fails.
func (b *sigBatch) check() {
	for i := range b.recs {
		if _, err := b.recs[i].Verify(); err != nil {
			b.bad, b.err = i, err
			if rec := b.recs[i].Record(); rec != nil {
				b.name = ident{rec.ID, rec.Type}
			} else {
				b.name = b.names[i]
			}
			break
		}
	}
	b.recs, b.names = nil, nil // what the caller keeps of them is in its records
}

// sigQueue hands batches to the goroutines checking their signatures, in order.
type sigQueue struct {
	mu      sync.Mutex
	cond    sync.Cond
	todo    []*sigBatch // not taken yet
	all     []*sigBatch
	closed  bool
	failed  bool // a batch failed: later ones need not be checked
	pending sync.WaitGroup
}

func newSigQueue() *sigQueue {
	q := &sigQueue{}
	q.cond.L = &q.mu
	return q
}

func (q *sigQueue) add(b *sigBatch) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.todo, q.all = append(q.todo, b), append(q.all, b)
	q.pending.Add(1)
	q.cond.Signal()
}

// close says no more batches come.
func (q *sigQueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.cond.Broadcast()
}

// abandon closes the queue and leaves the batches not taken unchecked.
func (q *sigQueue) abandon() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed, q.failed = true, true
	q.cond.Broadcast()
}

// take returns the next batch, waiting for one if wait is set; nil once
// there is none (and, if wait, none will come).
func (q *sigQueue) take(wait bool) (*sigBatch, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for wait && len(q.todo) == 0 && !q.closed {
		q.cond.Wait()
	}
	if len(q.todo) == 0 {
		return nil, false
	}
	b := q.todo[0]
	q.todo[0], q.todo = nil, q.todo[1:]
	return b, q.failed
}

func (q *sigQueue) checked(b *sigBatch) {
	if b.err != nil {
		q.mu.Lock()
		q.failed = true
		q.mu.Unlock()
	}
	q.pending.Done()
}

// work checks batches until the queue is closed and empty.
func (q *sigQueue) work() {
	for {
		b, skip := q.take(true)
		if b == nil {
			return
		}
		if !skip { // batches are taken in order: an earlier one failed
			b.check()
		}
		q.checked(b)
	}
}

// wait joins in until the queue is empty, waits for the batches being
// checked, and returns the first batch that failed (nil if none did).
// The queue must be closed.
func (q *sigQueue) wait() *sigBatch {
	for {
		b, skip := q.take(false)
		if b == nil {
			break
		}
		if !skip {
			b.check()
		}
		q.checked(b)
	}
	q.pending.Wait()
	for _, b := range q.all {
		if b.err != nil {
			return b
		}
	}
	return nil
}

// Write writes recs as a bundle of co-op coop.
func Write(w io.Writer, coop record.ID, created time.Time, recs []*record.Record) error {
	bw, err := NewWriter(w, Header{Coop: coop, Created: created.UTC(), Records: len(recs)})
	if err != nil {
		return err
	}
	for _, r := range recs {
		if err := bw.Add(r); err != nil {
			return err
		}
	}
	return bw.Close()
}
