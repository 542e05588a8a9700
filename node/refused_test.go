package node

import (
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/consent"
	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/tally"
)

// A device certificate damaged in the store is this node failing, not the
// caller's mistake: the error says what could not be read, and is not
// ErrRefused ("sync with another member first").
func TestDamagedCertIsNotRefused(t *testing.T) {
	a, err := Init(filepath.Join(t.TempDir(), "a"), "Ana", "Riverside", pass, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	cert, err := a.deviceCert()
	if err != nil {
		t.Fatal(err)
	}
	a.markBad(cert)
	_, err = a.Propose(coop.Proposal{Title: "x", Body: ".", Method: tally.Majority, Closes: a.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
	if err == nil || errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("Propose with the certificate damaged in the store: %v (ErrRefused %v), want a store error naming the damage", err, errors.Is(err, ErrRefused))
	}
}

// Stopping one use of an item re-grants the rest from now, but never from
// before the replaced grant was to begin (a grant signed on a device whose
// clock runs ahead, or before this clock went back).
func TestRegrantKeepsLaterStart(t *testing.T) {
	a, v := soloCoop(t)
	m, err := a.AddData(strings.NewReader("one"), "one.txt", "", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	base := a.Now()
	var mu sync.Mutex
	now := base.Add(6 * time.Hour)
	a.opts.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	g, err := a.Grant(GrantInput{Version: v, Categories: []string{consent.CategoryAll}})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = base.Add(time.Hour)
	mu.Unlock()
	gs, _ := a.State().Consents().Grant(g.ID)
	recs, err := a.SetItemConsent(m.Digest, v, "ai:ModelTraining", false)
	if err != nil {
		t.Fatal(err)
	}
	regrants := 0
	for _, r := range recs {
		var b consent.Receipt
		if err := r.DecodeBody(&b); err != nil {
			t.Fatal(err)
		}
		if b.Event == consent.EventGrant {
			regrants++
			if from, _, _ := b.Window(); !from.Equal(gs.From) {
				t.Errorf("re-grant valid from %s, want the replaced grant's start %s", from, gs.From)
			}
		}
	}
	if regrants == 0 {
		t.Fatal("stopping one use re-granted nothing: the test no longer exercises a re-grant")
	}
}
