package coop

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/record"
)

// join has by admit a newcomer through a join request; it returns the
// request and the admission, and records the newcomer's keys in w.
func (w *world) join(by MemberID, name string, roles ...string) (req, adm *record.Record) {
	mk, dk := newKey(w.n), newKey(w.n+1)
	w.n += 2
	at := t0.Add(time.Duration(w.n) * time.Minute)
	req, err := RequestJoin(mk, dk, w.coop(), name, "laptop", "invite-1", at)
	if err != nil {
		w.t.Fatal(err)
	}
	adm, err = AdmitRequest(w.dkey[by], w.coop(), req, "member", roles, at, w.cert[by])
	if err != nil {
		w.t.Fatal(err)
	}
	id := MemberID(adm.ID)
	w.mkey[id], w.dkey[id], w.cert[id] = mk, dk, adm.ID
	w.recs = append(w.recs, req, adm)
	return req, adm
}

func rejection(s *State, id record.ID) string {
	for _, rj := range s.Rejected {
		if rj.ID == id {
			return rj.Reason
		}
	}
	return ""
}

func TestJoinRequestAdmitted(t *testing.T) {
	w := newWorld(t)
	req, adm := w.join(w.founder(), "Bo")
	s := Fold(w.coop(), w.recs)
	if len(s.Rejected) != 0 || s.Applied != 4 {
		t.Fatalf("applied %d, rejected %+v", s.Applied, s.Rejected)
	}
	id := MemberID(adm.ID)
	m := s.Members[id]
	if m == nil || m.Name != "Bo" || m.Key != w.mkey[id].PublicKey() || m.AdmittedBy != w.founder() || len(m.Devices) != 1 || m.Devices[0] != w.dkey[id].PublicKey() {
		t.Fatalf("member = %+v", m)
	}
	if got, ok := s.MemberByKey(w.dkey[id].PublicKey()); !ok || got != m {
		t.Fatal("the requested device does not resolve to the new member")
	}
	var p Profile
	if err := adm.DecodeBody(&p); err != nil || p.Request != req.ID {
		t.Fatalf("profile %+v, %v", p, err)
	}
	// The newcomer's device can act at once: it signs a certificate-backed record.
	w.admit(id, "by the newcomer") // Bo has no admitting role: rejected for that reason, not for the device
	s = Fold(w.coop(), w.recs)
	if len(s.Rejected) != 2 || !strings.Contains(s.Rejected[0].Reason+s.Rejected[1].Reason, "holds none of the roles") {
		t.Fatalf("rejected %+v", s.Rejected)
	}
}

// TestProfileBytes: an admission without a request encodes as it did before
// Profile.Request existed, so existing records keep their IDs.
func TestProfileBytes(t *testing.T) {
	w := newWorld(t)
	r, err := Admit(w.dkey[w.founder()], w.coop(), Profile{Name: "Bo", MemberKey: newKey(50).PublicKey(), Class: "member"}, t0, w.cert[w.founder()])
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(r.Payload, []byte("request")) {
		t.Fatalf("payload mentions a request: %s", r.Payload)
	}
	if !bytes.Contains(w.genesis.Payload, []byte(`"founder":{"class":"member","memberKey":"`)) || bytes.Contains(w.genesis.Payload, []byte("request")) {
		t.Fatalf("genesis payload changed: %s", w.genesis.Payload)
	}
}

func TestJoinRequestRules(t *testing.T) {
	bo, boDev := newKey(60), newKey(61)
	request := func(w *world, name string, member key, device record.PublicKey, prev ...record.ID) *record.Record {
		if prev == nil {
			prev = []record.ID{w.coop()}
		}
		r, err := record.New(member, TypeJoinRequest, 1, w.coop(), t0, prev, JoinRequest{Name: name, DeviceKey: device, DeviceLabel: "phone"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	good := func(w *world) *record.Record { return request(w, "Bo", bo, boDev.PublicKey()) }
	admit := func(w *world, signer key, p Profile, prev ...record.ID) *record.Record {
		r, err := Admit(signer, w.coop(), p, t0.Add(time.Second), prev...)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	answer := func(w *world, rq *record.Record) *record.Record {
		r, err := AdmitRequest(w.dkey[w.founder()], w.coop(), rq, "member", nil, t0.Add(time.Second), w.cert[w.founder()])
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	var weak record.PublicKey
	weak[0] = 1
	for _, tc := range []struct {
		name   string
		build  func(w *world) []*record.Record // added to the world; the last one is judged
		reason string                          // substring of its rejection; "" = applied
	}{
		{"well-formed request", func(w *world) []*record.Record { return []*record.Record{good(w)} }, ""},
		{"request without a name", func(w *world) []*record.Record {
			return []*record.Record{request(w, "", bo, boDev.PublicKey())}
		}, "needs the joiner's name"},
		{"device key is the member key", func(w *world) []*record.Record {
			return []*record.Record{request(w, "Bo", bo, bo.PublicKey())}
		}, "must differ from the member key"},
		{"weak device key", func(w *world) []*record.Record {
			return []*record.Record{request(w, "Bo", bo, weak)}
		}, "device key: unusable"},
		{"request naming no predecessor", func(w *world) []*record.Record {
			return []*record.Record{request(w, "Bo", bo, boDev.PublicKey(), []record.ID{}...)}
		}, "genesis"},
		{"request after a certificate", func(w *world) []*record.Record {
			return []*record.Record{request(w, "Bo", bo, boDev.PublicKey(), w.cert[w.founder()])}
		}, ""},
		{"request by an existing member's key", func(w *world) []*record.Record {
			return []*record.Record{request(w, "Ana", w.mkey[w.founder()], boDev.PublicKey())}
		}, ""}, // asking is harmless; an admission would be refused
		{"admission answering a request", func(w *world) []*record.Record {
			rq := good(w)
			return []*record.Record{rq, answer(w, rq)}
		}, ""},
		{"admission answering a request by a non-admitter", func(w *world) []*record.Record {
			plain := w.admit(w.founder(), "Plain")
			rq := good(w)
			r, _ := AdmitRequest(w.dkey[plain], w.coop(), rq, "member", nil, t0, w.cert[plain])
			return []*record.Record{rq, r}
		}, "holds none of the roles"},
		{"request not in the admission's past", func(w *world) []*record.Record {
			rq := good(w)
			return []*record.Record{rq, admit(w, w.dkey[w.founder()], Profile{Name: "Bo", MemberKey: bo.PublicKey(), Class: "member", Request: rq.ID}, w.cert[w.founder()])}
		}, "not in this admission's causal past"},
		{"request is another kind of record", func(w *world) []*record.Record {
			return []*record.Record{admit(w, w.dkey[w.founder()], Profile{Name: "Bo", MemberKey: bo.PublicKey(), Class: "member", Request: w.genesis.ID}, w.cert[w.founder()])}
		}, "not a valid join request"},
		{"member key differs from the request's author", func(w *world) []*record.Record {
			rq := good(w)
			return []*record.Record{rq, admit(w, w.dkey[w.founder()], Profile{Name: "Bo", MemberKey: newKey(62).PublicKey(), Class: "member", Request: rq.ID}, rq.ID, w.cert[w.founder()])}
		}, "not the key that signed the join request"},
		{"answering a rejected request", func(w *world) []*record.Record {
			rq := request(w, "", bo, boDev.PublicKey())
			return []*record.Record{rq, admit(w, w.dkey[w.founder()], Profile{Name: "Bo", MemberKey: bo.PublicKey(), Class: "member", Request: rq.ID}, rq.ID, w.cert[w.founder()])}
		}, "relies on rejected record"},
		{"requested device already another member's device", func(w *world) []*record.Record {
			rq := request(w, "Bo", bo, w.dkey[w.founder()].PublicKey())
			return []*record.Record{rq, answer(w, rq)}
		}, "join request's the device key is already certified for another member"},
		{"requested device is a member key", func(w *world) []*record.Record {
			rq := request(w, "Bo", bo, w.mkey[w.founder()].PublicKey())
			return []*record.Record{rq, answer(w, rq)}
		}, "a member key cannot also be a device key"},
		{"request answered twice", func(w *world) []*record.Record {
			rq := good(w)
			first := answer(w, rq)
			second := admit(w, w.dkey[w.founder()], Profile{Name: "Bo", MemberKey: bo.PublicKey(), Class: "member", Request: rq.ID}, first.ID, w.cert[w.founder()])
			return []*record.Record{rq, first, second}
		}, "already a member"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			add := tc.build(w)
			last := add[len(add)-1]
			s := Fold(w.coop(), append(w.recs, add...))
			got := rejection(s, last.ID)
			if tc.reason == "" && got != "" || !strings.Contains(got, tc.reason) {
				t.Fatalf("reason %q, want %q", got, tc.reason)
			}
			if tc.reason == "" && last.Type == TypeJoinRequest && len(s.Members) != len(Fold(w.coop(), w.recs).Members) {
				t.Fatal("a join request alone changed the membership")
			}
		})
	}
}

func TestRequestJoinBuilder(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		name   string
		member key
		device record.Signer
		want   string
	}{
		{"", newKey(60), newKey(61), "needs the joiner's name"},
		{"Bo", newKey(60), newKey(60), "must differ"},
		{"Bo", newKey(60), pubOnly{}, "device key"},
	} {
		if _, err := RequestJoin(tc.member, tc.device, w.coop(), tc.name, "x", "", t0); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("RequestJoin(%q): %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := AdmitRequest(w.dkey[w.founder()], w.coop(), w.genesis, "member", nil, t0, w.cert[w.founder()]); err == nil || !strings.Contains(err.Error(), "not a join request") {
		t.Errorf("admitting a genesis as a request: %v", err)
	}
	rq, _ := RequestJoin(newKey(60), newKey(61), record.ID{5}, "Bo", "x", "", t0)
	if _, err := AdmitRequest(w.dkey[w.founder()], w.coop(), rq, "member", nil, t0, w.cert[w.founder()]); err == nil || !strings.Contains(err.Error(), "another co-op") {
		t.Errorf("admitting another co-op's request: %v", err)
	}
}

func TestDeviceAllowed(t *testing.T) {
	w := newWorld(t)
	f := w.founder()
	rq, _ := RequestJoin(newKey(60), newKey(61), w.coop(), "Bo", "x", "", t0)
	before := Fold(w.coop(), append(w.recs, rq))
	_, adm := w.join(f, "Cy")
	cy := MemberID(adm.ID)
	s := Fold(w.coop(), append(w.recs, rq))
	for _, tc := range []struct {
		name string
		s    *State
		k    record.PublicKey
		want bool
	}{
		{"founder's device", s, w.dkey[f].PublicKey(), true},
		{"founder's member key", s, w.mkey[f].PublicKey(), false},
		{"stranger", s, newKey(99).PublicKey(), false},
		{"requested device, not yet admitted", before, newKey(61).PublicKey(), false},
		{"requested device, still unanswered", s, newKey(61).PublicKey(), false},
		{"device certified by an admission", s, w.dkey[cy].PublicKey(), true},
	} {
		if got := tc.s.DeviceAllowed(tc.k); got != tc.want {
			t.Errorf("%s: DeviceAllowed = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestMayAdmit(t *testing.T) {
	w := newWorld(t)
	f := w.founder()
	plain := w.admit(f, "Plain")
	// One device key certified, concurrently, for two members.
	c1, _ := CertifyDevice(w.mkey[f], newKey(70), w.coop(), f, "shared", t0, w.genesis.ID)
	c2, _ := CertifyDevice(w.mkey[plain], newKey(70), w.coop(), plain, "shared", t0, record.ID(plain))
	s := Fold(w.coop(), append(w.recs, c1, c2))

	byDecision := DefaultBylaws("Decided")
	byDecision.Admission = Admission{Rule: AdmitByDecision}
	g, c, err := Found(newKey(80), newKey(81), "Decided", "Di", "laptop", byDecision, t0)
	if err != nil {
		t.Fatal(err)
	}
	decided := Fold(g.ID, []*record.Record{g, c})

	for _, tc := range []struct {
		name string
		s    *State
		k    record.PublicKey
		want string // substring of the error; "" = nil
	}{
		{"founder's device", s, w.dkey[f].PublicKey(), ""},
		{"founder's member key", s, w.mkey[f].PublicKey(), ""},
		{"member without the role", s, w.dkey[plain].PublicKey(), "holds none of the roles that may admit (founder): ask a member"},
		{"stranger", s, newKey(99).PublicKey(), "join the co-op first"},
		{"device of two members", s, newKey(70).PublicKey(), "certified for several members"},
		{"bylaws admit by decision", decided, newKey(81).PublicKey(), "propose the admission"},
	} {
		err := tc.s.MayAdmit(tc.k)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: MayAdmit = %v, want %q", tc.name, err, tc.want)
		}
	}
}
