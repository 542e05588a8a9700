package record

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
)

// Binary form, version 1:
//
//	"CNR" 0x01
//	uvarint len(payloadType) || payloadType
//	uvarint len(payload)     || payload
//	uvarint n                 (1..MaxSignatures)
//	n × (32-byte Ed25519 key || 64-byte signature)
//
// Varints must be minimal; Decode enforces that by re-encoding.
var magic = []byte{'C', 'N', 'R', 0x01}

const sigLen = 64

// MarshalBinary returns the compact binary form.
func (r *Record) MarshalBinary() ([]byte, error) { return r.appendBinary(nil), nil }

// Bytes is MarshalBinary without the error, which it never returns.
func (r *Record) Bytes() []byte { return r.appendBinary(nil) }

func (r *Record) appendBinary(b []byte) []byte {
	b = append(b, magic...)
	b = binary.AppendUvarint(b, uint64(len(PayloadType)))
	b = append(b, PayloadType...)
	b = binary.AppendUvarint(b, uint64(len(r.Payload)))
	b = append(b, r.Payload...)
	b = binary.AppendUvarint(b, uint64(len(r.Sigs)))
	for _, s := range r.Sigs {
		b = append(b, s.Key[:]...)
		b = append(b, s.Sig...)
	}
	return b
}

// Decode parses and verifies the binary form. Errors wrap ErrMalformed,
// ErrNonCanonical or ErrBadSignature.
func Decode(b []byte) (*Record, error) {
	u := DecodeUnverified(b)
	return u.Verify()
}

// DecodeUnverified is Decode up to the signatures: Verify on the result
// checks them and returns what Decode returns. It does not keep b.
func DecodeUnverified(b []byte) Unverified {
	payload, sigs, minimal, err := frame(b)
	if err != nil {
		return Unverified{err: err}
	}
	pae, payload := own(payload, sigs)
	u := unverified(pae, payload, sigs)
	if u.err == nil && !minimal {
		// Decode re-encoding the record would give other bytes. It says so
		// only once the signatures check out, as it always has.
		u.tail = fmt.Errorf("%w: binary framing (non-minimal length)", ErrNonCanonical)
	}
	return u
}

// own copies a framed payload and signatures (which point into the
// record's binary form) into one new buffer, which also holds the payload's
// PAE: the ID and the signatures are computed over it without another copy.
// It returns the PAE and the payload, its tail; sigs are changed in place.
func own(payload []byte, sigs []Signature) (pae, p []byte) {
	buf := make([]byte, 0, len(paeHead)+24+len(payload)+len(sigs)*sigLen)
	buf = paePrefix(buf, len(payload))
	buf = append(buf, payload...)
	pae = buf[:len(buf):len(buf)]
	for i := range sigs {
		buf = append(buf, sigs[i].Sig...)
		sigs[i].Sig = buf[len(buf)-sigLen : len(buf) : len(buf)]
	}
	return pae, pae[len(pae)-len(payload):]
}

// DecodeStored decodes bytes that were verified (Decode, or Verified)
// before they were stored under id, as a node reads its own store back:
// the ID is checked against the payload and every signature is checked
// again (damage on disk must not be passed on to peers), but the payload's
// canonical form and exact header keys, which the ID now pins, are not
// re-derived. Use Decode for anything from outside.
func DecodeStored(b []byte, id ID) (*Record, error) { return decodeStored(b, id, true) }

// ReadStored is DecodeStored without checking the signatures again, only
// the ID: for a node's reads of records whose signatures it checks apart
// (a node checks its whole store in the background after it opens, and
// peers check everything they receive). It is several times faster.
func ReadStored(b []byte, id ID) (*Record, error) { return decodeStored(b, id, false) }

func decodeStored(b []byte, id ID, sigsToo bool) (*Record, error) {
	payload, sigs, _, err := frame(b)
	if err != nil {
		return nil, err
	}
	if len(sigs) == 0 {
		return nil, fmt.Errorf("%w: unsigned", ErrBadSignature)
	}
	pae, payload := own(payload, sigs)
	if got := ID(sha256.Sum256(pae)); got != id {
		return nil, fmt.Errorf("%w: stored as %s, hashes to %s", ErrIDMismatch, id.Short(), got.Short())
	}
	h, err := readHeader(payload, false)
	if err != nil {
		return nil, err
	}
	if sigs[0].Key != h.Author {
		return nil, fmt.Errorf("%w: first signature is by %s, not the author %s", ErrBadSignature, sigs[0].Key, h.Author)
	}
	for _, s := range sigs {
		if sigsToo && !s.Key.Verify(pae, s.Sig) {
			return nil, fmt.Errorf("%w: signature by %s does not verify", ErrBadSignature, s.Key)
		}
	}
	return &Record{ID: id, Payload: payload, Sigs: sigs, Header: h}, nil
}

// frame splits a record's binary form into payload and signatures, both
// pointing into b, and reports whether its lengths are minimal varints
// (the one way the same record could be framed in other bytes).
func frame(b []byte) (payload []byte, sigs []Signature, minimal bool, err error) {
	rd := reader{b: b, minimal: true}
	if !bytes.HasPrefix(b, magic) {
		return nil, nil, false, fmt.Errorf("%w: not a coopnode record (bad magic)", ErrMalformed)
	}
	rd.b = b[len(magic):]
	pt, err := rd.chunk(64, "payload type")
	if err != nil {
		return nil, nil, false, err
	}
	if string(pt) != PayloadType {
		return nil, nil, false, fmt.Errorf("%w: payload type %q, want %q", ErrMalformed, pt, PayloadType)
	}
	payload, err = rd.chunk(MaxPayload, "payload")
	if err != nil {
		return nil, nil, false, err
	}
	n, err := rd.uvarint("signature count")
	if err != nil {
		return nil, nil, false, err
	}
	if n > MaxSignatures {
		return nil, nil, false, fmt.Errorf("%w: %d signatures exceed %d", ErrMalformed, n, MaxSignatures)
	}
	sigs = make([]Signature, n)
	for i := range sigs {
		if len(rd.b) < len(PublicKey{})+sigLen {
			return nil, nil, false, fmt.Errorf("%w: truncated in signature %d", ErrMalformed, i+1)
		}
		copy(sigs[i].Key[:], rd.b)
		sigs[i].Sig = rd.b[32 : 32+sigLen : 32+sigLen]
		rd.b = rd.b[32+sigLen:]
	}
	if len(rd.b) != 0 {
		return nil, nil, false, fmt.Errorf("%w: %d bytes after the last signature", ErrMalformed, len(rd.b))
	}
	return payload, sigs, rd.minimal, nil
}

// DecodeWithID is Decode for bytes stored or sent under a known ID; it adds ErrIDMismatch.
func DecodeWithID(b []byte, want ID) (*Record, error) {
	r, err := Decode(b)
	if err != nil {
		return nil, err
	}
	if r.ID != want {
		return nil, fmt.Errorf("%w: stored as %s, hashes to %s", ErrIDMismatch, want.Short(), r.ID.Short())
	}
	return r, nil
}

type reader struct {
	b       []byte
	minimal bool // every varint so far was in its shortest form
}

func (r *reader) uvarint(what string) (uint64, error) {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		return 0, fmt.Errorf("%w: truncated or overlong %s", ErrMalformed, what)
	}
	// A longer form ends in a zero byte: the shortest has no trailing zero group.
	if n > 1 && r.b[n-1] == 0 {
		r.minimal = false
	}
	r.b = r.b[n:]
	return v, nil
}

func (r *reader) chunk(max uint64, what string) ([]byte, error) {
	n, err := r.uvarint(what + " length")
	if err != nil {
		return nil, err
	}
	if n > max {
		return nil, fmt.Errorf("%w: %s of %d bytes exceeds %d", ErrMalformed, what, n, max)
	}
	if uint64(len(r.b)) < n {
		return nil, fmt.Errorf("%w: truncated in %s (%d of %d bytes)", ErrMalformed, what, len(r.b), n)
	}
	c := r.b[:n]
	r.b = r.b[n:]
	return c, nil
}

// Envelope is a DSSE JSON envelope (https://github.com/secure-systems-lab/dsse).
type Envelope struct {
	PayloadType string         `json:"payloadType"`
	Payload     string         `json:"payload"`
	Signatures  []EnvelopeSign `json:"signatures"`
}

// EnvelopeSign is one DSSE signature; keyid is the hex Ed25519 public key.
type EnvelopeSign struct {
	KeyID string `json:"keyid"`
	Sig   string `json:"sig"`
}

// DSSE returns the record as a DSSE JSON envelope, with the same signatures as the binary form.
func (r *Record) DSSE() ([]byte, error) {
	e := Envelope{PayloadType: PayloadType, Payload: base64.StdEncoding.EncodeToString(r.Payload)}
	for _, s := range r.Sigs {
		e.Signatures = append(e.Signatures, EnvelopeSign{KeyID: s.Key.String(), Sig: base64.StdEncoding.EncodeToString(s.Sig)})
	}
	return json.MarshalIndent(e, "", "  ")
}

// DecodeDSSE parses and verifies a DSSE JSON envelope.
func DecodeDSSE(b []byte) (*Record, error) {
	var e Envelope
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return nil, fmt.Errorf("%w: DSSE envelope: %v", ErrMalformed, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the DSSE envelope", ErrMalformed)
	}
	if e.PayloadType != PayloadType {
		return nil, fmt.Errorf("%w: payload type %q, want %q", ErrMalformed, e.PayloadType, PayloadType)
	}
	payload, err := base64.StdEncoding.DecodeString(e.Payload)
	if err != nil {
		return nil, fmt.Errorf("%w: DSSE payload is not base64: %v", ErrMalformed, err)
	}
	if len(e.Signatures) > MaxSignatures {
		return nil, fmt.Errorf("%w: %d signatures exceed %d", ErrMalformed, len(e.Signatures), MaxSignatures)
	}
	sigs := make([]Signature, len(e.Signatures))
	for i, s := range e.Signatures {
		k, err := ParsePublicKey(s.KeyID)
		if err != nil {
			return nil, fmt.Errorf("%w: signature %d keyid: %v", ErrMalformed, i+1, err)
		}
		sig, err := base64.StdEncoding.DecodeString(s.Sig)
		if err != nil || len(sig) != sigLen {
			return nil, fmt.Errorf("%w: signature %d is not 64 bytes of base64", ErrBadSignature, i+1)
		}
		sigs[i] = Signature{Key: k, Sig: sig}
	}
	return verify(payload, sigs)
}

// DecodeAll decodes and verifies many records on every core: signature
// checks are most of the cost of receiving or reading records. errs[i] is
// Decode's error for raw[i].
func DecodeAll(raw [][]byte) (recs []*Record, errs []error) {
	recs, errs = make([]*Record, len(raw)), make([]error, len(raw))
	forEach(len(raw), func(i int) { recs[i], errs[i] = Decode(raw[i]) })
	return recs, errs
}

// ReadStoredAll is ReadStored of raw[i] stored under ids[i], on every core.
func ReadStoredAll(raw [][]byte, ids []ID) (recs []*Record, errs []error) {
	recs, errs = make([]*Record, len(raw)), make([]error, len(raw))
	forEach(len(raw), func(i int) { recs[i], errs[i] = ReadStored(raw[i], ids[i]) })
	return recs, errs
}

// forEach calls f(0..n-1) on every core (on this goroutine if n is small).
func forEach(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), (n+63)/64)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	var next atomic.Int64
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				f(i)
			}
		}()
	}
	wg.Wait()
}

// Identify tells what it can of a record's binary form that fails to
// decode, to name it in a message: the ID its payload would have, if the
// bytes hold a framed payload (ok), and the payload's type, if it has a
// plausible one. Nothing it returns is verified; it is for messages only.
func Identify(b []byte) (id ID, typ string, ok bool) {
	if !bytes.HasPrefix(b, magic) {
		return ID{}, "", false
	}
	rd := reader{b: b[len(magic):]}
	if pt, err := rd.chunk(64, "payload type"); err != nil || string(pt) != PayloadType {
		return ID{}, "", false
	}
	payload, err := rd.chunk(MaxPayload, "payload")
	if err != nil {
		return ID{}, "", false
	}
	var h struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(payload, &h) == nil && len(h.Type) <= 64 && typeName(h.Type) {
		typ = h.Type
	}
	return idOf(payload), typ, true
}

// typeName: s looks like a record type ("coop.genesis"), fit to print.
func typeName(s string) bool {
	for i := range len(s) {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
