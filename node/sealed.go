package node

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// A sealed file (the state snapshot) is written and read as a stream, so a
// large co-op's snapshot is never in memory whole: a header (magic, then a
// random 32-byte salt), then the content in chunks of sealChunk bytes, each
// sealed with AES-256-GCM under a key derived from the identity's key and
// the salt. A chunk's nonce is its number and whether it is the last (the
// STREAM construction), so chunks cannot be reordered, dropped, or the
// file cut at a chunk boundary without it showing. The associated data
// binds the file to the co-op.

const (
	sealChunk = 1 << 20
	sealTag   = 16
	sealSalt  = 32
)

var errSealed = errors.New("the sealed file does not open (damaged, cut short, or of another identity or co-op)")

type sealer struct {
	aead cipher.AEAD
	aad  []byte
	i    uint64
}

func newSealer(secret, salt, aad []byte) *sealer {
	key, err := hkdf.Key(sha256.New, secret, salt, "coopnode sealed stream", 32)
	if err != nil {
		panic(err) // only for lengths sha256 cannot give
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		panic(err) // a 32-byte key always makes a cipher
	}
	a, err := cipher.NewGCM(b)
	if err != nil {
		panic(err)
	}
	return &sealer{aead: a, aad: aad}
}

func (s *sealer) nonce(last bool) []byte {
	n := make([]byte, 12)
	binary.BigEndian.PutUint64(n, s.i)
	if last {
		n[11] = 1
	}
	return n
}

// sealWriter seals what is written to it onto w; Close seals the last
// chunk (and must be called).
type sealWriter struct {
	w    io.Writer
	s    *sealer
	salt []byte
	buf  []byte // plaintext not yet sealed: less than sealChunk
	out  []byte
	err  error
}

func newSealWriter(w io.Writer, secret, magic, aad []byte) (*sealWriter, error) {
	salt := make([]byte, sealSalt)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	if _, err := w.Write(append(append([]byte{}, magic...), salt...)); err != nil {
		return nil, err
	}
	return &sealWriter{w: w, s: newSealer(secret, salt, aad), salt: salt, buf: make([]byte, 0, sealChunk)}, nil
}

func (w *sealWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 && w.err == nil {
		k := min(len(p), sealChunk-len(w.buf))
		w.buf, p = append(w.buf, p[:k]...), p[k:]
		if len(w.buf) == sealChunk {
			w.seal(false)
		}
	}
	if w.err != nil {
		return 0, w.err
	}
	return n, nil
}

func (w *sealWriter) seal(last bool) {
	w.out = w.s.aead.Seal(w.out[:0], w.s.nonce(last), w.buf, w.s.aad)
	w.s.i++
	w.buf = w.buf[:0]
	if _, err := w.w.Write(w.out); err != nil && w.err == nil {
		w.err = err
	}
}

// Close seals the last chunk: always shorter than sealChunk, possibly empty.
func (w *sealWriter) Close() error {
	if w.err == nil {
		w.seal(true)
	}
	return w.err
}

// sealReader opens a sealed stream of size bytes (header included).
type sealReader struct {
	r     io.Reader
	s     *sealer
	salt  []byte
	plain []byte // opened, not yet read
	ct    []byte
	left  int64 // sealed bytes not yet read
	done  bool
}

// openSealReader reads the header and returns the reader and the size of
// the content.
func openSealReader(r io.Reader, size int64, secret, magic, aad []byte) (*sealReader, int64, error) {
	head := make([]byte, len(magic)+sealSalt)
	if size < int64(len(head))+sealTag {
		return nil, 0, errSealed
	}
	if _, err := io.ReadFull(r, head); err != nil {
		return nil, 0, fmt.Errorf("read the sealed file: %w", err)
	}
	if string(head[:len(magic)]) != string(magic) {
		return nil, 0, errSealed
	}
	body := size - int64(len(head))
	full, rem := body/(sealChunk+sealTag), body%(sealChunk+sealTag)
	if rem < sealTag { // the last chunk is never full, and has its tag
		return nil, 0, errSealed
	}
	sr := &sealReader{r: r, s: newSealer(secret, head[len(magic):], aad), salt: head[len(magic):], ct: make([]byte, sealChunk+sealTag), left: body}
	return sr, full*sealChunk + rem - sealTag, nil
}

// End checks that the stream ends here: the last chunk, flagged as
// such, has been opened. A reader that stops at the content's size must
// call it, or a stream cut at a chunk boundary (with a tag's worth of
// bytes after it) would go unnoticed.
func (r *sealReader) End() error {
	var b [1]byte
	if n, err := r.Read(b[:]); n != 0 || err != io.EOF {
		if err != nil && err != io.EOF {
			return err
		}
		return errSealed
	}
	return nil
}

func (r *sealReader) Read(p []byte) (int, error) {
	for len(r.plain) == 0 {
		if r.done {
			return 0, io.EOF
		}
		k := min(r.left, sealChunk+sealTag)
		last := k < sealChunk+sealTag
		ct := r.ct[:k]
		if _, err := io.ReadFull(r.r, ct); err != nil {
			return 0, fmt.Errorf("read the sealed file: %w", err)
		}
		r.left -= k
		plain, err := r.s.aead.Open(ct[:0], r.s.nonce(last), ct, r.s.aad)
		if err != nil {
			return 0, errSealed
		}
		r.s.i++
		r.plain, r.done = plain, last
	}
	n := copy(p, r.plain)
	r.plain = r.plain[n:]
	return n, nil
}
