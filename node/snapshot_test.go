package node

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/store"
	"github.com/coopnode/coopnode/node/tally"
)

// propose opens a proposal and has the founder vote on it: two records.
func propose(t *testing.T, n *Node, title string) {
	t.Helper()
	p, err := n.Propose(coop.Proposal{Title: title, Method: tally.Majority,
		Closes: testOpts.now().Add(10 * time.Hour).Format(record.TimeFormat)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Vote(p.ID, tally.Ballot{Position: tally.Yes}); err != nil {
		t.Fatal(err)
	}
}

// fullDigest folds every record n holds, as a node without a snapshot would.
func fullDigest(t *testing.T, n *Node) [32]byte {
	return coop.Fold(n.CoopID(), recordsOf(t, n)).Digest()
}

// A node opens from its snapshot without folding, applies the records the
// snapshot does not cover, and reaches the state a full fold gives; a
// snapshot it cannot use (damaged, or covering a record the store lacks)
// is set aside for a full fold, and no problem is reported for it.
func TestOpenFromSnapshot(t *testing.T) {
	home := initHome(t)
	n, err := Open(home, pass, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	propose(t, n, "One")
	propose(t, n, "Two")
	if err := n.Close(); err != nil { // writes the snapshot
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(home, SnapshotFile)); err != nil {
		t.Fatalf("no snapshot after Close: %v", err)
	}
	// What a write cut short by a crash leaves: swept at the next open.
	leftover := filepath.Join(home, "."+SnapshotFile+".tmp123")
	if err := os.WriteFile(leftover, []byte("half a snapshot"), 0o600); err != nil {
		t.Fatal(err)
	}

	reopen := func(name string, wantFull int) *Node {
		t.Helper()
		n, err := Open(home, pass, testOpts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := n.State().Digest()
		if full, _ := n.FoldCounts(); full != wantFull {
			t.Errorf("%s: %d full folds, want %d", name, full, wantFull)
		}
		if want := fullDigest(t, n); got != want {
			t.Errorf("%s: digest %x, a full fold gives %x", name, got, want)
		}
		if p := n.Problems(); len(p) != 0 {
			t.Errorf("%s: problems %v", name, p)
		}
		return n
	}

	n = reopen("from the snapshot", 0)
	if _, err := os.Stat(leftover); !os.IsNotExist(err) {
		t.Errorf("a half-written snapshot was left in the home: %v", err)
	}
	// Records stored after the last snapshot, and no snapshot at the end
	// (as after kill -9): the next Open applies them to the older snapshot.
	propose(t, n, "Three")
	n.mu.Lock()
	n.sinceSnapshot, n.snapshotDue = 0, false
	n.mu.Unlock()
	n.Close()
	n = reopen("snapshot and newer records", 0)
	if s := n.State(); len(s.Proposals()) != 3 {
		t.Fatalf("%d proposals, want 3", len(s.Proposals()))
	}
	n.Close()

	// A damaged snapshot: fold everything.
	path := filepath.Join(home, SnapshotFile)
	b, _ := os.ReadFile(path)
	b[len(b)/2] ^= 1
	os.WriteFile(path, b, 0o600)
	n = reopen("damaged snapshot", 1)
	n.Close()

	// The store restored from a backup older than the snapshot: its
	// version is behind the snapshot's, so the snapshot is not used.
	backup := filepath.Join(t.TempDir(), "db")
	if err := os.CopyFS(backup, os.DirFS(filepath.Join(home, DBDir))); err != nil {
		t.Fatal(err)
	}
	n = reopen("before the backup is restored", 0)
	propose(t, n, "Four")
	propose(t, n, "Five")
	n.Close()
	if err := os.RemoveAll(filepath.Join(home, DBDir)); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(home, DBDir), os.DirFS(backup)); err != nil {
		t.Fatal(err)
	}
	// The store alone restored holds fewer records than the node last
	// knew: Open refuses it, naming the way out; reindex accepts it.
	if _, err := Open(home, pass, testOpts); !errors.Is(err, store.ErrDamaged) || !strings.Contains(err.Error(), "coopnode reindex") {
		t.Fatalf("store restored from an older backup: %v; want store.ErrDamaged naming reindex", err)
	}
	accept := testOpts
	accept.AcceptStore = true
	if n, err = Open(home, pass, accept); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Reindex(); err != nil {
		t.Fatal(err)
	}
	n.Close()
	n = reopen("store restored from an older backup, reindexed", 0)
	if s := n.State(); len(s.Proposals()) != 3 {
		t.Fatalf("%d proposals after restoring the backup, want the 3 it holds", len(s.Proposals()))
	}
	// Records stored after the restore, and no snapshot at the end (as
	// after kill -9): the reindex's snapshot and the records after it.
	propose(t, n, "Six")
	propose(t, n, "Seven")
	propose(t, n, "Eight")
	n.mu.Lock()
	n.sinceSnapshot, n.snapshotDue = 0, false
	n.mu.Unlock()
	n.Close()
	n = reopen("records after the restore, no new snapshot", 0)
	if s := n.State(); len(s.Proposals()) != 6 {
		t.Fatalf("%d proposals, want the 3 restored and 3 since", len(s.Proposals()))
	}
	n.Close()

	// A snapshot naming a record the store lost (restored from an older
	// backup, say). Opening does not read the store to find out; the
	// background check does, says so, and stops counting it as held, so
	// that a peer sends it again, which repairs it.
	n = reopen("snapshot written again", 0)
	p, err := n.IDsOfType(coop.TypeBallot)
	if err != nil || len(p) != 6 {
		t.Fatalf("ballots %v %v", p, err)
	}
	lost, err := n.getLocked(p[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := n.kv.Update(func(tx store.Tx) error { return tx.Delete(recordKey(p[0])) }); err != nil {
		t.Fatal(err)
	}
	n.mu.Lock()
	n.sinceSnapshot, n.snapshotDue = 0, false // keep the snapshot that names it
	n.mu.Unlock()
	n.Close()
	// With the count of records it last held, the node refuses the store
	// (TestDamagedStoreIsLoud); a home from before that count was kept
	// has only the background check to find the loss.
	if err := os.Remove(filepath.Join(home, StoreCountFile)); err != nil {
		t.Fatal(err)
	}
	n, err = Open(home, pass, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if !n.Has(p[0]) {
		t.Fatal("before the check, the record the snapshot names counts as held")
	}
	if _, err := n.VerifyStored(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n.Has(p[0]) {
		t.Error("after the check, the lost record still counts as held: no peer would send it")
	}
	if probs := n.Problems(); len(probs) != 1 || !strings.Contains(probs[0], p[0].Short()+" is part of the state but missing from the store") {
		t.Errorf("problems %q, want the lost record named", probs)
	}
	// A restart (with a snapshot written meanwhile, which still names the
	// record) does not count it as held again before the next check.
	n.mu.Lock()
	n.snapshotDue = true
	n.mu.Unlock()
	n.Close()
	if n, err = Open(home, pass, testOpts); err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if n.Has(p[0]) {
		t.Error("after a restart, the lost record counts as held again: no peer would send it")
	}
	if probs := n.Problems(); len(probs) != 1 || !strings.Contains(probs[0], p[0].Short()+" is part of the state but missing from the store") {
		t.Errorf("after a restart: problems %q, want the lost record named", probs)
	}
	if err := n.Put(lost); err != nil { // as a peer sends it
		t.Fatal(err)
	}
	if !n.Has(p[0]) || len(n.Problems()) != 0 {
		t.Errorf("after a peer sent it again: held %v, problems %q", n.Has(p[0]), n.Problems())
	}
	marks := 0
	if err := n.kv.Keys(prefixMissing, func([]byte) error { marks++; return nil }); err != nil || marks != 0 {
		t.Errorf("after the repair: %d marks of missing records left (%v)", marks, err)
	}
	if got, want := n.State().Digest(), fullDigest(t, n); got != want {
		t.Errorf("after the repair: digest %x, a full fold gives %x", got, want)
	}
}

// The digest is kept per state: it follows every new record, and a state
// already seen is not hashed again.
func TestStateDigestFollowsState(t *testing.T) {
	home := initHome(t)
	n, err := Open(home, pass, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	for i := range 3 {
		s, d := n.StateDigest()
		if s != n.State() || d != s.Digest() {
			t.Fatalf("step %d: digest %x is not the current state's %x", i, d, n.State().Digest())
		}
		if _, again := n.StateDigest(); again != d {
			t.Fatalf("step %d: a second call gave %x, not %x", i, again, d)
		}
		propose(t, n, "Proposal")
		if _, next := n.StateDigest(); next == d {
			t.Fatalf("step %d: the digest did not change with new records", i)
		}
	}
}
