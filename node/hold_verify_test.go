package node

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/tally"
	"github.com/coopnode/coopnode/node/verify"
)

// TestVerifyFutureAndEarlyRecords: an auditor judging Bo's bundle (with
// his early close) at Ana's time finds the close dated in the future,
// naming it and the rule, and the records relying on it waiting; judged
// after its date the bundle passes, and the digest is the one Ana's node
// reaches then. A ballot dated before the genesis fails by the rules.
func TestVerifyFutureAndEarlyRecords(t *testing.T) {
	e := newEarlyClose(t)
	var buf bytes.Buffer
	if _, err := e.b.Export(&buf, nil); err != nil {
		t.Fatal(err)
	}
	rep, err := verify.BundleAt(bytes.NewReader(buf.Bytes()), holdStart)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK || !hasFinding(rep, e.cl.ID, "dated in the future: "+e.cl.Time.UTC().Format(record.TimeFormat)) {
		t.Fatalf("judged now, the early close is not named: %+v", rep.Failures)
	}
	if len(rep.Decisions) != 0 || rep.Open != 1 {
		t.Fatalf("judged now, the proposal was decided: %+v", rep.Decisions)
	}
	due := e.cl.Time.Add(-coop.DefaultMaxSkew)
	rep, err = verify.BundleAt(bytes.NewReader(buf.Bytes()), due)
	if err != nil {
		t.Fatal(err)
	}
	// Once due the close is judged: valid by itself, awaiting its tellers.
	if !rep.OK || len(rep.Decisions) != 0 || rep.AwaitingTellers != 1 {
		t.Fatalf("judged once due: %+v %+v, awaiting %d", rep.Failures, rep.Decisions, rep.AwaitingTellers)
	}
	if rep, _ := verify.BundleAt(bytes.NewReader(buf.Bytes()), due.Add(-time.Millisecond)); rep.OK {
		t.Fatal("judged a millisecond before it is due, the close passes")
	}
	_, dB := e.b.StateDigest()
	if rep.Digest != fmt.Sprintf("%x", dB) {
		t.Fatal("the auditor's digest is not Bo's node's")
	}

	// A ballot of Cy's dated before the genesis, stored by Ana's node and exported.
	p, _ := e.c.State().ProposalByID(e.prop.ID)
	cert, err := e.c.deviceCert()
	if err != nil {
		t.Fatal(err)
	}
	early, err := coop.Cast(e.c.Device(), e.c.CoopID(), coop.Ballot{Proposal: e.prop.ID, Roll: p.Roll.Hash, Vote: tally.Ballot{Position: tally.Yes}},
		holdStart.Add(-time.Minute), cert)
	if err != nil {
		t.Fatal(err)
	}
	put(t, e.a, early)
	buf.Reset()
	if _, err := e.a.Export(&buf, nil); err != nil {
		t.Fatal(err)
	}
	rep, err = verify.BundleAt(&buf, holdStart)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK || !hasFinding(rep, early.ID, coop.ReasonBeforeFounding) {
		t.Fatalf("a ballot dated before the genesis: %+v", rep.Failures)
	}
}

func hasFinding(rep verify.Report, id record.ID, reason string) bool {
	for _, f := range rep.Failures {
		if f.Record == id.String() && strings.Contains(f.Reason, reason) {
			return true
		}
	}
	return false
}
