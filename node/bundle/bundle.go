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
// bundle is only good once Next has returned io.EOF.
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
)

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
	n, err := binary.ReadUvarint(r.br)
	if err != nil {
		return nil, streamErr(err, what)
	}
	if n > max {
		return nil, fmt.Errorf("%w: %s of %d bytes is over the limit", ErrTampered, what, n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r.br, b); err != nil {
		return nil, streamErr(err, what)
	}
	r.h.Write(binary.AppendUvarint(nil, n))
	r.h.Write(b)
	return b, nil
}

// Next returns the next verified record, or io.EOF after the last one once
// the trailer has checked out. Any other error means the bundle is bad.
func (r *Reader) Next() (*record.Record, error) {
	if r.done {
		return nil, io.EOF
	}
	if r.seen == r.hdr.Records {
		sum := make([]byte, sha256.Size)
		if _, err := io.ReadFull(r.br, sum); err != nil {
			return nil, streamErr(err, "trailer")
		}
		if string(sum) != string(r.h.Sum(nil)) {
			return nil, fmt.Errorf("%w: the checksum over its records does not match", ErrTampered)
		}
		if _, err := r.br.ReadByte(); err != io.EOF {
			return nil, fmt.Errorf("%w: data after the trailer", ErrTampered)
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
		return nil, fmt.Errorf("%w: record %d of %d: %v", ErrTampered, r.seen, r.hdr.Records, err)
	}
	return rec, nil
}

// nextRaw returns the next record's bytes, unverified.
func (r *Reader) nextRaw() ([]byte, error) {
	b, err := r.chunk(maxRecord, fmt.Sprintf("record %d of %d", r.seen+1, r.hdr.Records))
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
	first := r.seen
	recs := make([]*record.Record, 0, min(r.hdr.Records-r.seen, 1<<20))
	// Read in batches and verify each batch on every core.
	const batch = 4096
	raw := make([][]byte, 0, batch)
	verify := func() error {
		got, errs := record.DecodeAll(raw)
		for i, err := range errs {
			if err != nil {
				return fmt.Errorf("%w: record %d of %d: %v", ErrTampered, first+len(recs)+i+1, r.hdr.Records, err)
			}
		}
		recs = append(recs, got...)
		raw = raw[:0]
		return nil
	}
	for r.seen < r.hdr.Records {
		b, err := r.nextRaw()
		if err != nil {
			return nil, err
		}
		if raw = append(raw, b); len(raw) == batch {
			if err := verify(); err != nil {
				return nil, err
			}
		}
	}
	if err := verify(); err != nil {
		return nil, err
	}
	if _, err := r.Next(); err != io.EOF { // the trailer
		return nil, err
	}
	return recs, nil
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
