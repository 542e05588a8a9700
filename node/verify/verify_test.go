package verify

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/coopnode/coopnode/node/bundle"
	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/record"
)

type key struct{ k ed25519.PrivateKey }

func newKey(b byte) key                       { return key{ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, 32))} }
func (k key) PublicKey() (p record.PublicKey) { copy(p[:], k.k.Public().(ed25519.PublicKey)); return }
func (k key) Sign(m []byte) ([]byte, error)   { return ed25519.Sign(k.k, m), nil }

var t0 = time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)

func TestVerify(t *testing.T) {
	g, cert, _ := coop.Found(newKey(1), newKey(2), "Riverside Data Co-op", "Ana Costa", "laptop", coop.DefaultBylaws("Riverside Data Co-op"), t0)
	bo, _ := coop.Admit(newKey(2), g.ID, coop.Profile{Name: "Bo", MemberKey: newKey(3).PublicKey(), Class: "member"}, t0, cert.ID)
	boDev, _ := coop.CertifyDevice(newKey(3), newKey(4), g.ID, coop.MemberID(bo.ID), "phone", t0, bo.ID)
	// Bo has no admitting role: this admission must be named.
	byBo, _ := coop.Admit(newKey(4), g.ID, coop.Profile{Name: "Cy", MemberKey: newKey(5).PublicKey(), Class: "member"}, t0, boDev.ID)
	orphan, _ := coop.Admit(newKey(2), g.ID, coop.Profile{Name: "Di", MemberKey: newKey(6).PublicKey(), Class: "member"}, t0, cert.ID, record.ID{7})
	future, _ := record.New(newKey(2), "ledger.transaction", 1, g.ID, t0, []record.ID{cert.ID}, map[string]string{"amount": "1.00"})
	good := []*record.Record{g, cert, bo, boDev, future}

	write := func(recs []*record.Record) []byte {
		var b bytes.Buffer
		if err := bundle.Write(&b, g.ID, t0, recs); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	goodBytes := write(good)
	want := coop.Fold(g.ID, good).Digest()
	tampered := bytes.Clone(goodBytes)
	tampered[len(tampered)-40] ^= 1
	// Bo's admission with its signature broken by the bundle's writer (the
	// checksum over it holds); then with a byte flipped after the bundle
	// was written (the checksum fails).
	badBo := *bo
	badBo.Sigs = []record.Signature{{Key: bo.Sigs[0].Key, Sig: bytes.Clone(bo.Sigs[0].Sig)}}
	badBo.Sigs[0].Sig[7] ^= 1
	raw := make([][]byte, len(good))
	for i, r := range good {
		raw[i] = r.Bytes()
	}
	flipped := slices.Clone(raw)
	flipped[2] = bytes.Clone(raw[2])
	flipped[2][len(flipped[2])/2] ^= 1

	for _, tc := range []struct {
		name   string
		b      []byte
		ok     bool
		record record.ID
		reason string
		not    string // what no failure may say
	}{
		{"good", goodBytes, true, record.ID{}, "", ""},
		{"unauthorised admission", write(append(good, byBo)), false, byBo.ID, "roles that may admit", ""},
		{"incomplete", write(append(good, orphan)), false, orphan.ID, "not in the bundle", ""},
		{"no genesis", write(good[1:]), false, g.ID, "genesis", ""},
		{"tampered", tampered, false, record.ID{}, "altered", ""},
		{"bad signature, checksum holds", write([]*record.Record{g, cert, &badBo, boDev, future}), false, bo.ID,
			"record 3 of 5 (" + bo.ID.Short() + ", " + bo.Type + "): bad record signature: signature by " + bo.Sigs[0].Key.String() + " does not verify; the bundle is as it was written (its checksum holds): ask whoever made it for a fresh export", "altered"},
		{"record flipped, checksum fails", handBundle(t, g.ID, flipped, raw), false, record.ID{}, "altered after it was written: the checksum over its records does not match", bo.ID.Short()},
		{"truncated", goodBytes[:len(goodBytes)-10], false, record.ID{}, "truncated", ""},
		{"not a bundle", []byte("hello"), false, record.ID{}, "not a coopnode bundle", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Bundle(bytes.NewReader(tc.b))
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK != tc.ok {
				t.Fatalf("OK = %v: %+v", rep.OK, rep.Failures)
			}
			if tc.ok {
				if rep.Digest != hex.EncodeToString(want[:]) || rep.Records != 5 || rep.Valid != 4 || rep.NeedsNewer != 1 || rep.Members != 2 || rep.CoopName != "Riverside Data Co-op" {
					t.Fatalf("report %+v", rep)
				}
				return
			}
			found := false
			for _, f := range rep.Failures {
				if strings.Contains(f.Reason, tc.reason) && (tc.record.IsZero() || f.Record == tc.record.String()) {
					found = true
				}
				if tc.not != "" && strings.Contains(f.Reason, tc.not) {
					t.Fatalf("failure %+v says %q", f, tc.not)
				}
			}
			if !found {
				t.Fatalf("failures %+v lack %q for %s", rep.Failures, tc.reason, tc.record.Short())
			}
		})
	}
}

func TestVerifyRevocationsAndRemovals(t *testing.T) {
	g, cert, _ := coop.Found(newKey(1), newKey(2), "Riverside Data Co-op", "Ana Costa", "laptop", coop.DefaultBylaws("Riverside Data Co-op"), t0)
	bo, _ := coop.Admit(newKey(2), g.ID, coop.Profile{Name: "Bo", MemberKey: newKey(3).PublicKey(), Class: "member"}, t0, cert.ID)
	boDev, _ := coop.CertifyDevice(newKey(3), newKey(4), g.ID, coop.MemberID(bo.ID), "phone", t0, bo.ID)
	cy, _ := coop.Admit(newKey(2), g.ID, coop.Profile{Name: "Cy", MemberKey: newKey(5).PublicKey(), Class: "member"}, t0, cert.ID)
	// Ana's laptop is lost: her member key revokes it, keeping what it signed so far.
	revoke, _ := coop.RevokeDevice(newKey(1), g.ID, coop.MemberID(g.ID), newKey(2).PublicKey(), "lost", t0.Add(time.Hour),
		coop.KeyHeads([]*record.Record{g, cert, bo, boDev, cy}, newKey(2).PublicKey())...)
	// Bo resigns from his phone.
	resign, _ := coop.Resign(newKey(4), g.ID, coop.MemberID(bo.ID), "moving away", t0.Add(time.Hour), boDev.ID)
	good := []*record.Record{g, cert, bo, boDev, cy, revoke, resign}
	// Whoever found the laptop admits a friend, claiming the revocation's predecessors.
	late, _ := coop.Admit(newKey(2), g.ID, coop.Profile{Name: "Eve", MemberKey: newKey(6).PublicKey(), Class: "member"}, t0.Add(2*time.Hour), revoke.Prev...)
	// Ana tries to remove Cy: not possible without a decision of the members.
	removeCy, _ := coop.Resign(newKey(1), g.ID, coop.MemberID(cy.ID), "", t0, cy.ID)

	for _, tc := range []struct {
		name   string
		recs   []*record.Record
		record record.ID
		cut    record.ID
		reason string // "" = the bundle verifies
	}{
		{"revocation and resignation", good, record.ID{}, record.ID{}, ""},
		{"revoked device used after", append(good, late), late.ID, revoke.ID, "after its revocation " + revoke.ID.Short() + "; outside the revocation's cut"},
		{"someone else removed", append(good, removeCy), removeCy.ID, record.ID{}, "propose their removal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := bundle.Write(&b, g.ID, t0, tc.recs); err != nil {
				t.Fatal(err)
			}
			rep, err := Bundle(&b)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Members != 2 || rep.Removed != 1 || rep.Revoked != 1 {
				t.Fatalf("members %d, removed %d, revoked %d", rep.Members, rep.Removed, rep.Revoked)
			}
			if tc.reason == "" {
				if !rep.OK || rep.Cut != 0 || rep.Valid != len(tc.recs) {
					t.Fatalf("report %+v", rep)
				}
				return
			}
			if rep.OK {
				t.Fatal("a bundle with an invalid record verifies")
			}
			wantCut := 0
			if !tc.cut.IsZero() {
				wantCut = 1
			}
			if rep.Cut != wantCut {
				t.Fatalf("cut %d, want %d", rep.Cut, wantCut)
			}
			for _, f := range rep.Failures {
				if f.Record == tc.record.String() {
					if !strings.Contains(f.Reason, tc.reason) || (f.Cut != "") != !tc.cut.IsZero() || !tc.cut.IsZero() && f.Cut != tc.cut.String() {
						t.Fatalf("finding %+v, want reason %q and cut %s", f, tc.reason, tc.cut.Short())
					}
					return
				}
			}
			t.Fatalf("failures %+v do not name %s", rep.Failures, tc.record.Short())
		})
	}
}

// handBundle builds a bundle of co-op coop by hand, its trailer the
// checksum over sumOf (a bundle altered after it was written, if sumOf is
// not recs).
func handBundle(t *testing.T, coop record.ID, recs, sumOf [][]byte) []byte {
	t.Helper()
	hj, err := json.Marshal(bundle.Header{Coop: coop, Created: t0, Records: len(recs)})
	if err != nil {
		t.Fatal(err)
	}
	stream := func(chunks [][]byte) []byte {
		var b []byte
		for _, c := range append([][]byte{hj}, chunks...) {
			b = binary.AppendUvarint(b, uint64(len(c)))
			b = append(b, c...)
		}
		return b
	}
	sum := sha256.Sum256(stream(sumOf))
	var out bytes.Buffer
	out.WriteString("coopnode bundle v1\n")
	zw, _ := zstd.NewWriter(&out, zstd.WithEncoderCRC(true))
	_, _ = zw.Write(stream(recs))
	_, _ = zw.Write(sum[:])
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
