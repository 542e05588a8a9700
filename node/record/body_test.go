package record_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/gowebpki/jcs"

	"github.com/coopnode/coopnode/node/consent"
	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/exact"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
)

// kinds exercises the kinds the fast path fills, and some it must not.
type kinds struct {
	S       string            `json:"s"`
	I8      int8              `json:"i8"`
	U       uint              `json:"u"`
	B       bool              `json:"b"`
	P       *exact.Ratio      `json:"p,omitempty"`
	IDs     []record.ID       `json:"ids"`
	Nested  [][]int           `json:"nested"`
	Key     *record.PublicKey `json:"key"`
	NoTag   string
	Skipped string `json:"-"`
	hidden  string //nolint:unused // unexported fields are not read
}

type withString struct {
	N int `json:"n,string"`
}

type withFloat struct {
	F float64 `json:"f"`
}

type withBytes struct {
	B []byte `json:"b"`
}

type withMap struct {
	M map[string]int `json:"m"`
}

// bodyTypes are the record bodies the fast path must read as encoding/json does.
var bodyTypes = []func() any{
	func() any { return new(coop.Ballot) }, func() any { return new(consent.Receipt) }, func() any { return new(coop.Proposal) },
	func() any { return new(coop.Closing) }, func() any { return new(coop.Profile) }, func() any { return new(coop.JoinRequest) },
	func() any { return new(coop.Device) }, func() any { return new(coop.ConsentKey) }, func() any { return new(coop.Genesis) },
	func() any { return new(coop.Revocation) }, func() any { return new(coop.Removal) }, func() any { return new(coop.Delegation) },
	func() any { return new(coop.DelegationEnded) }, func() any { return new(kinds) }, func() any { return new(withString) },
	func() any { return new(withFloat) }, func() any { return new(withBytes) }, func() any { return new(withMap) },
}

func canonical(t testing.TB, v any) []byte {
	b, err := json.Marshal(v)
	if err == nil {
		b, err = jcs.Transform(b)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func bodySeeds(t testing.TB) [][]byte {
	id := record.ID{1, 2, 3}
	ratio := exact.R(2, 3)
	seeds := [][]byte{
		canonical(t, coop.Ballot{Proposal: id, Roll: "abc", Vote: tally.Ballot{Position: tally.Yes}}),
		canonical(t, coop.Ballot{Proposal: id, Roll: "abc", Vote: tally.Ballot{Choices: []int{2, 0, 1}, Points: []int{}}}),
		canonical(t, consent.Receipt{Schema: consent.SchemaVersion, Event: consent.EventGrant, Key: id, Agreement: id, Version: id,
			Notice: "00ff", Purposes: []consent.Purpose{"a", "b"}, Items: []consent.Item{{9}}, Recipients: []string{"x"}, ValidFrom: "2026-01-01T00:00:00Z"}),
		canonical(t, coop.Proposal{Title: "T", Kind: coop.KindGeneral, Method: tally.Majority, Quorum: &ratio, Options: []string{"a"}, Roll: coop.Roll{Count: 3, Hash: "ab"},
			Bylaws: &coop.Bylaws{Quorum: ratio}, Agreement: &coop.AgreementTerms{Title: "A", Royalty: coop.Royalty{Standard: ratio}}}),
		canonical(t, coop.Closing{Proposal: id, Counted: []record.ID{id}, Proxies: []coop.Proxy{{Ballot: id, Via: []record.ID{id}}},
			Result: tally.Result{Method: tally.Majority, Eligible: 3, Positions: []tally.PositionCount{{Position: "yes", Count: 1}}, Support: &ratio}}),
		canonical(t, coop.Profile{Name: "Ana", Roles: nil}),
		canonical(t, coop.Genesis{Name: "G", Bylaws: coop.DefaultBylaws("G")}),
		canonical(t, coop.ConsentKey{Proof: []byte{1, 2}}),
		canonical(t, kinds{S: "s", I8: -128, U: 7, B: true, P: &ratio, IDs: []record.ID{id}, Nested: [][]int{{1}, {}}, NoTag: "n"}),
		[]byte(`{"i8":128}`), []byte(`{"i8":-129}`), []byte(`{"u":-1}`), []byte(`{"b":false,"s":null}`), []byte(`{"ids":null,"key":null}`),
		[]byte(`{"ids":[null]}`), []byte(`{"key":"` + record.PublicKey{}.String() + `"}`), []byte(`{"key":"00"}`), []byte(`{"Skipped":"x"}`),
		[]byte(`{"-":"x"}`), []byte(`{"NoTag":"x"}`), []byte(`{"notag":"x"}`), []byte(`{"S":"x"}`), []byte(`{"s":"x","s":"y"}`),
		[]byte(`{"u":1,"b":true}`), []byte(`{"n":"1"}`), []byte(`{"n":1}`), []byte(`{"f":1}`), []byte(`{"b":"AQI="}`), []byte(`{"m":{}}`),
		[]byte(`null`), []byte(`{}`), []byte(`[]`), []byte(`"x"`), []byte(`{"s":"\u0041"}`), []byte(`{"s":"é"}`), []byte(`{"nested":[[1,2],[3]]}`),
		[]byte(`{"position":"yes"}`), []byte(`{"vote":{"choices":[1.5]}}`), []byte(`{"vote":{"choices":[1e2]}}`), []byte(`{"hidden":"x"}`),
	}
	return seeds
}

// checkBody: DecodeBody gives what encoding/json gives, value and error.
func checkBody(t *testing.T, newV func() any, body []byte) {
	r := &record.Record{Header: record.Header{Type: "test.body", Body: body}}
	v1, v2 := newV(), newV()
	err1 := r.DecodeBody(v1)
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err2 := dec.Decode(v2)
	if err2 != nil {
		err2 = fmt.Errorf("test.body body: %w", err2)
	}
	if fmt.Sprint(err1) != fmt.Sprint(err2) || !reflect.DeepEqual(v1, v2) {
		t.Fatalf("%T from %s:\nDecodeBody %+v, %v\nencoding/json %+v, %v", v1, body, v1, err1, v2, err2)
	}
}

func TestDecodeBodyAsJSON(t *testing.T) {
	for _, newV := range bodyTypes {
		for _, b := range bodySeeds(t) {
			checkBody(t, newV, b)
		}
	}
	// The domain's bodies take the fast path, or this tests little.
	for i, b := range bodySeeds(t)[:6] {
		for _, newV := range bodyTypes {
			v := newV()
			if reflect.TypeOf(v) == reflect.TypeOf(new(coop.Ballot)) && i < 2 || reflect.TypeOf(v) == reflect.TypeOf(new(consent.Receipt)) && i == 2 ||
				reflect.TypeOf(v) == reflect.TypeOf(new(coop.Proposal)) && i == 3 || reflect.TypeOf(v) == reflect.TypeOf(new(coop.Closing)) && i == 4 ||
				reflect.TypeOf(v) == reflect.TypeOf(new(coop.Profile)) && i == 5 {
				if !record.DecodesPlain(b, v) {
					t.Errorf("%T from %s took the slow path", v, b)
				}
			}
		}
	}
	// Types encoding/json reads its own way never take the fast path.
	for _, v := range []any{new(withString), new(withFloat), new(withBytes), new(withMap), new(coop.ConsentKey)} {
		if record.DecodesPlain([]byte(`{}`), v) {
			t.Errorf("%T took the fast path", v)
		}
	}
}

func FuzzDecodeBody(f *testing.F) {
	for i := range bodyTypes {
		for _, b := range bodySeeds(f) {
			f.Add(uint8(i), b)
		}
	}
	f.Fuzz(func(t *testing.T, typ uint8, body []byte) {
		checkBody(t, bodyTypes[int(typ)%len(bodyTypes)], body)
	})
}
