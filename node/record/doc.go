// Package record owns the co-op's unit of truth: an immutable, signed record.
//
// A record's payload is canonical JSON (RFC 8785) carrying a type and schema
// version. Every signature is Ed25519 over DSSE's pre-authentication encoding
// PAE(payloadType, payload), and the record ID is SHA-256 of that same PAE, so
// co-signing a record never changes its ID. A record travels and rests in a
// compact binary form and is exported as a DSSE JSON envelope; both carry the
// same signature bytes.
//
// Decoding is strict: the binary form must re-encode to the same bytes, the
// payload must already be canonical, and every signature must verify. Each
// failure has its own sentinel error so callers can say what was wrong.
package record
