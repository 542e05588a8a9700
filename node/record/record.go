package record

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/gowebpki/jcs"
)

// PayloadType is the DSSE payload type of every coopnode record.
const PayloadType = "application/vnd.coopnode.record+json"

// Limits on what a decoder accepts from outside. They are generous for a
// single fact and small enough that a hostile peer cannot make us allocate much.
const (
	MaxPayload    = 1 << 20
	MaxSignatures = 16
	MaxPrev       = 4096 // a close names every ballot it counts, so this bounds voters per proposal
)

// Sentinel errors. Decoders wrap them with detail; callers branch with errors.Is.
var (
	// ErrMalformed: the bytes are not a record at all (truncated, bad framing, bad JSON).
	ErrMalformed = errors.New("malformed record")
	// ErrNonCanonical: the payload or the binary form is not in its one canonical encoding.
	ErrNonCanonical = errors.New("non-canonical record encoding")
	// ErrBadSignature: a signature is missing, is not by the author, or does not verify.
	ErrBadSignature = errors.New("bad record signature")
	// ErrIDMismatch: the record does not hash to the ID it was stored or sent under: its bytes were changed.
	ErrIDMismatch = errors.New("record does not match its ID (tampered or corrupted)")
)

// Signer signs with one private key it never reveals (see package identity).
type Signer interface {
	PublicKey() PublicKey
	Sign(msg []byte) ([]byte, error)
}

// Header is the part of every payload that the record layer understands.
// Body is the type-specific part, interpreted by the domain packages.
type Header struct {
	Type string `json:"type"`
	// V is the schema version of Type. A reader that knows Type at a lower
	// version keeps the record as "needs a newer coopnode".
	V int `json:"v"`
	// Coop is the co-op's ID (its genesis record ID); zero only in a genesis.
	Coop ID `json:"-"`
	// Author is the key that must make the first signature.
	Author PublicKey `json:"author"`
	// Time is the author's clock when signing: a hint, never a rule.
	Time time.Time `json:"-"`
	// Prev lists the records this one relies on (its causal predecessors), sorted, no duplicates.
	Prev []ID            `json:"prev"`
	Body json.RawMessage `json:"body"`
}

// headerKeys are the payload's top-level keys; true if required.
var headerKeys = map[string]bool{"type": true, "v": true, "coop": false, "author": true, "time": true, "prev": true, "body": true}

func isPositiveInt(raw json.RawMessage) bool {
	if len(raw) == 0 || len(raw) > 9 || raw[0] < '1' || raw[0] > '9' {
		return false
	}
	for _, c := range raw {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// wireHeader is Header's JSON shape: Coop omitted when zero, time as an RFC 3339 string.
type wireHeader struct {
	Type   string          `json:"type"`
	V      json.Number     `json:"v"`
	Coop   string          `json:"coop,omitempty"`
	Author PublicKey       `json:"author"`
	Time   string          `json:"time"`
	Prev   []ID            `json:"prev"`
	Body   json.RawMessage `json:"body"`

	coop   ID // Coop parsed, if coopOK (fastHeader does it on the way)
	coopOK bool
}

// TimeFormat is how record times are written: UTC, millisecond precision.
const TimeFormat = "2006-01-02T15:04:05.000Z"

// Signature is one signature over the record's PAE.
type Signature struct {
	Key PublicKey
	Sig []byte
}

// Record is a decoded, verified record. Treat it as immutable.
type Record struct {
	ID      ID
	Payload []byte // canonical JSON
	Sigs    []Signature
	Header
}

// PAE is DSSE's pre-authentication encoding.
func PAE(payloadType string, payload []byte) []byte {
	if payloadType == PayloadType {
		return append(paePrefix(nil, len(payload)), payload...)
	}
	var b bytes.Buffer
	b.WriteString("DSSEv1 ")
	b.WriteString(strconv.Itoa(len(payloadType)))
	b.WriteByte(' ')
	b.WriteString(payloadType)
	b.WriteByte(' ')
	b.WriteString(strconv.Itoa(len(payload)))
	b.WriteByte(' ')
	b.Write(payload)
	return b.Bytes()
}

func idOf(payload []byte) ID { return sha256.Sum256(PAE(PayloadType, payload)) }

// paeHead is the start of every record's PAE, up to the payload's length.
var paeHead = "DSSEv1 " + strconv.Itoa(len(PayloadType)) + " " + PayloadType + " "

// paePrefix appends to b the PAE of a record payload of n bytes, up to the payload.
func paePrefix(b []byte, n int) []byte {
	b = append(b, paeHead...)
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, ' ')
}

// New builds and signs a record. body is marshalled with encoding/json and
// canonicalised; the author is the signer's key.
func New(s Signer, typ string, v int, coop ID, when time.Time, prev []ID, body any) (*Record, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("record %s: marshal body: %w", typ, err)
	}
	h := Header{Type: typ, V: v, Coop: coop, Author: s.PublicKey(), Time: when, Prev: SortIDs(prev), Body: raw}
	payload, err := h.marshal()
	if err != nil {
		return nil, fmt.Errorf("record %s: %w", typ, err)
	}
	sig, err := s.Sign(PAE(PayloadType, payload))
	if err != nil {
		return nil, fmt.Errorf("record %s: sign: %w", typ, err)
	}
	return verify(payload, []Signature{{Key: s.PublicKey(), Sig: sig}})
}

// CoSign returns r with one more signature, by s. The ID does not change.
func (r *Record) CoSign(s Signer) (*Record, error) {
	for _, sg := range r.Sigs {
		if sg.Key == s.PublicKey() {
			return r, nil
		}
	}
	sig, err := s.Sign(PAE(PayloadType, r.Payload))
	if err != nil {
		return nil, fmt.Errorf("co-sign: %w", err)
	}
	return verify(r.Payload, MergeSignatures(r.Sigs, []Signature{{Key: s.PublicKey(), Sig: sig}}))
}

// MergeSignatures returns a's signatures plus those of b by keys a lacks, in
// canonical order (a's first signature, the author's, stays first).
func MergeSignatures(a, b []Signature) []Signature {
	if len(a) == 0 {
		return b
	}
	have := map[PublicKey]bool{}
	out := append([]Signature(nil), a...)
	for _, s := range a {
		have[s.Key] = true
	}
	for _, s := range b {
		if !have[s.Key] {
			have[s.Key] = true
			out = append(out, s)
		}
	}
	rest := out[1:]
	slices.SortFunc(rest, func(x, y Signature) int { return bytes.Compare(x.Key[:], y.Key[:]) })
	return out
}

// SortIDs returns ids sorted with duplicates removed (a new slice).
func SortIDs(ids []ID) []ID {
	out := slices.Clone(ids)
	slices.SortFunc(out, CompareIDs)
	return slices.Compact(out)
}

// CompareIDs orders IDs bytewise.
func CompareIDs(a, b ID) int {
	// Eight bytes at a time, as big-endian numbers: folds sort and heap
	// hundreds of thousands of IDs.
	for i := 0; i < len(a); i += 8 {
		if x, y := binary.BigEndian.Uint64(a[i:]), binary.BigEndian.Uint64(b[i:]); x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

func (h *Header) marshal() ([]byte, error) {
	if h.Type == "" || h.V < 1 {
		return nil, errors.New("header needs a type and a schema version >= 1")
	}
	if h.Prev == nil {
		h.Prev = []ID{}
	}
	w := wireHeader{Type: h.Type, V: json.Number(strconv.Itoa(h.V)), Author: h.Author,
		Time: h.Time.UTC().Format(TimeFormat), Prev: h.Prev, Body: h.Body}
	if !h.Coop.IsZero() {
		w.Coop = h.Coop.String()
	}
	if len(w.Body) == 0 {
		w.Body = json.RawMessage("{}")
	}
	raw, err := json.Marshal(w)
	if err != nil {
		return nil, err
	}
	return jcs.Transform(raw)
}

// parseHeader checks that payload is canonical and has a well-formed header.
func parseHeader(payload []byte) (Header, error) {
	if len(payload) > MaxPayload {
		return Header{}, fmt.Errorf("%w: payload of %d bytes exceeds %d", ErrMalformed, len(payload), MaxPayload)
	}
	if w, ok := fastHeader(payload); ok {
		return headerOf(w)
	}
	return parseHeaderSlow(payload)
}

// parseHeaderSlow is parseHeader for any payload, by the general tools.
func parseHeaderSlow(payload []byte) (Header, error) {
	canon, err := jcs.Transform(payload) // parses strictly: json.Valid first would parse twice
	if err != nil {
		return Header{}, fmt.Errorf("%w: payload: %v", ErrMalformed, err)
	}
	if !bytes.Equal(canon, payload) {
		return Header{}, fmt.Errorf("%w: payload is not RFC 8785 canonical JSON", ErrNonCanonical)
	}
	return readHeader(payload, true)
}

// readHeader parses payload's header. strict also checks that it has
// exactly the header's keys, in their exact case (parsers in other
// languages must read the same record we do); records read back from this
// node's own store were checked so before they were stored.
func readHeader(payload []byte, strict bool) (Header, error) {
	if !strict {
		return wireHeaderOf(payload)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(payload, &fields); err != nil {
		return Header{}, fmt.Errorf("%w: header: %v", ErrMalformed, err)
	}
	// In a fixed order, so that a record with several faults is always refused for the same one.
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if _, known := headerKeys[k]; !known {
			return Header{}, fmt.Errorf("%w: unknown header field %q", ErrMalformed, k)
		}
	}
	for _, k := range headerKeyOrder {
		if _, ok := fields[k]; headerKeys[k] && !ok {
			return Header{}, fmt.Errorf("%w: header field %q is missing", ErrMalformed, k)
		}
	}
	if !isPositiveInt(fields["v"]) {
		return Header{}, fmt.Errorf("%w: schema version v must be a JSON integer >= 1, got %s", ErrMalformed, fields["v"])
	}
	return wireHeaderOf(payload)
}

func wireHeaderOf(payload []byte) (Header, error) {
	var w wireHeader
	if err := json.Unmarshal(payload, &w); err != nil {
		return Header{}, fmt.Errorf("%w: header: %v", ErrMalformed, err)
	}
	return headerOf(w)
}

// headerOf checks and converts a header as read from the payload.
func headerOf(w wireHeader) (Header, error) {
	v, err := strconv.Atoi(string(w.V))
	if err != nil || w.Type == "" {
		return Header{}, fmt.Errorf("%w: header needs a type and an integer schema version >= 1", ErrMalformed)
	}
	t, err := time.Parse(TimeFormat, w.Time)
	if err != nil {
		return Header{}, fmt.Errorf("%w: time %q is not %s", ErrMalformed, w.Time, TimeFormat)
	}
	if len(w.Prev) > MaxPrev {
		return Header{}, fmt.Errorf("%w: %d predecessors exceed %d", ErrMalformed, len(w.Prev), MaxPrev)
	}
	for i := 1; i < len(w.Prev); i++ {
		if !w.Prev[i-1].Less(w.Prev[i]) {
			return Header{}, fmt.Errorf("%w: predecessors must be sorted and distinct", ErrNonCanonical)
		}
	}
	h := Header{Type: w.Type, V: v, Author: w.Author, Time: t, Prev: w.Prev, Body: w.Body}
	if h.Prev == nil {
		return Header{}, fmt.Errorf("%w: header has no prev list", ErrMalformed)
	}
	if w.coopOK {
		h.Coop = w.coop
	} else if w.Coop != "" {
		if h.Coop, err = ParseID(w.Coop); err != nil {
			return Header{}, fmt.Errorf("%w: coop: %v", ErrMalformed, err)
		}
	}
	return h, nil
}

// verify parses the payload and checks every signature; the first must be the author's.
func verify(payload []byte, sigs []Signature) (*Record, error) {
	pae := PAE(PayloadType, payload)
	u := unverified(pae, pae[len(pae)-len(payload):], sigs)
	return u.Verify()
}

// Unverified is a record read from outside with everything checked but its
// signatures: Decode in two steps, so that a reader can check the
// signatures of many records on every core while it does other work.
type Unverified struct {
	rec  *Record
	pae  []byte // PAE(PayloadType, rec.Payload), whose tail rec.Payload is
	err  error  // Decode's error whatever the signatures
	tail error  // Decode's error if the signatures verify (the framing)
}

// unverified parses payload (the tail of pae) and checks everything about
// sigs but the signatures themselves, in verify's order.
func unverified(pae, payload []byte, sigs []Signature) Unverified {
	h, err := parseHeader(payload)
	if err != nil {
		return Unverified{err: err}
	}
	if len(sigs) == 0 {
		return Unverified{err: fmt.Errorf("%w: unsigned", ErrBadSignature)}
	}
	if len(sigs) > MaxSignatures {
		return Unverified{err: fmt.Errorf("%w: %d signatures exceed %d", ErrMalformed, len(sigs), MaxSignatures)}
	}
	if sigs[0].Key != h.Author {
		return Unverified{err: fmt.Errorf("%w: first signature is by %s, not the author %s", ErrBadSignature, sigs[0].Key, h.Author)}
	}
	// Co-signatures follow the author's in key order, so a set of signatures has one encoding.
	for i := 2; i < len(sigs); i++ {
		if bytes.Compare(sigs[i-1].Key[:], sigs[i].Key[:]) >= 0 {
			return Unverified{err: fmt.Errorf("%w: co-signatures must be sorted by key, each key once", ErrNonCanonical)}
		}
	}
	return Unverified{rec: &Record{ID: sha256.Sum256(pae), Payload: payload, Sigs: sigs, Header: h}, pae: pae}
}

// Err is the error Decode returns whatever the signatures; nil if that
// depends on them (Verify tells).
func (u *Unverified) Err() error { return u.err }

// Fails reports whether Decode fails whatever the signatures (Verify says
// why: it may be a signature all the same).
func (u *Unverified) Fails() bool { return u.err != nil || u.tail != nil }

// Record is the record, nil if Err is not. Its signatures are not checked:
// nothing may rely on it before Verify returns it without error, and work
// done with it must be thrown away if Verify fails.
func (u *Unverified) Record() *Record { return u.rec }

// Verify checks the signatures and returns what Decode returns.
func (u *Unverified) Verify() (*Record, error) {
	if u.err != nil {
		return nil, u.err
	}
	for _, s := range u.rec.Sigs {
		if err := s.Key.Check(); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadSignature, err)
		}
		if !s.Key.Verify(u.pae, s.Sig) {
			return nil, fmt.Errorf("%w: signature by %s does not verify", ErrBadSignature, s.Key)
		}
	}
	if u.tail != nil {
		return nil, u.tail
	}
	return u.rec, nil
}

// Verified re-derives r from its payload and signatures alone, so nothing a
// caller changed in r's parsed fields survives (use it where a record
// crosses a trust boundary). It fails if r's ID does not match.
func (r *Record) Verified() (*Record, error) {
	v, err := verify(r.Payload, r.Sigs)
	if err != nil {
		return nil, err
	}
	if v.ID != r.ID {
		return nil, ErrIDMismatch
	}
	return v, nil
}

// DecodeBody strictly unmarshals the record's body into v (unknown fields are an error).
func (r *Record) DecodeBody(v any) error {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && !rv.IsNil() && rv.Elem().IsZero() {
		if p := plainTypeOf(rv.Type().Elem()); p != nil {
			if decodePlain(r.Body, rv.Elem(), p) {
				return nil
			}
			rv.Elem().SetZero() // encoding/json starts afresh
		}
	}
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s body: %w", r.Type, err)
	}
	return nil
}
