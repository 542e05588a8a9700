package node

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/record"
	"github.com/coopnode/coopnode/node/store"
)

// A node does not keep its records in memory, and does not fold them all
// when it opens: it keeps the folded state and what it needs to extend it
// (a coop.Folder), and writes that down from time to time (a snapshot,
// SnapshotFile in the home, sealed with a key of the identity). Opening
// reads the snapshot, lists the record keys in the store, and applies the
// records the snapshot does not cover. Like every index, the snapshot is
// derived: if it is missing, damaged, or names a record the store lacks,
// the node reads and folds every record, as it always could.
//
// Each record was verified before it was stored. A node that opened from a
// snapshot lists only the records stored after the snapshot was written
// (store.KV.KeysSince), so it touches nothing else in the store.
//
// Each record was verified before it was stored, and its ID is checked
// whenever it is read. The node also checks its whole store in the
// background (VerifyStored): every signature and ID again, and that every
// record the state names is there. It does so some minutes after it
// starts, then daily, rather than at once, so that opening a large co-op
// does not also read all of it.

// SnapshotFile is the state snapshot in a home.
const SnapshotFile = "state.snap"

// A snapshot is written when this many records were stored since the last
// one, or when any were and snapshotAge has passed; Close writes one if
// any were.
const (
	snapshotEvery = 5000
	snapshotAge   = 5 * time.Minute
)

// The background check of the whole store (VerifyStored) runs this long
// after the node starts, then at this interval.
var (
	verifyAfter = 10 * time.Minute
	verifyEvery = 24 * time.Hour
)

var snapshotMagic = []byte("coopnode sealed snapshot v3\x00")

// readAll reads and decodes every record in the store, on all cores; damaged
// records are left out, described in problems and listed in damagedIDs. Signatures are not
// checked again here (see record.ReadStored and VerifyStored); with
// skipBad, records VerifyStored found damaged are left out too.
func (n *Node) readAll(skipBad bool) (recs []*record.Record, problems []string, damagedIDs []record.ID, err error) {
	var ids []record.ID
	var raws [][]byte
	var bad map[record.ID]bool
	if skipBad {
		bad = n.damagedIDs()
	}
	// Decoded a batch at a time: the raw bytes of the whole store are never
	// held beside the records made from them.
	flush := func() {
		decoded, errs := record.ReadStoredAll(raws, ids)
		for i, r := range decoded {
			if errs[i] != nil {
				problems = append(problems, damaged(ids[i], errs[i]))
				damagedIDs = append(damagedIDs, ids[i])
				continue
			}
			recs = append(recs, r)
		}
		ids, raws = ids[:0], raws[:0]
	}
	err = n.kv.Scan(prefixRecord, func(k, v []byte) error {
		id, ok := recordID(k)
		if !ok {
			problems = append(problems, fmt.Sprintf("store key %q is not a record key; it was left as it is", k))
			return nil
		}
		if !bad[id] {
			ids, raws = append(ids, id), append(raws, bytes.Clone(v))
			if len(raws) == 4096 {
				flush()
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read records: %w", err)
	}
	flush()
	return recs, problems, damagedIDs, nil
}

// isBad reports whether VerifyStored found record id damaged.
func (n *Node) isBad(id record.ID) bool {
	n.badMu.RLock()
	defer n.badMu.RUnlock()
	return n.bad[id]
}

// repaired: an intact copy of id was stored over a damaged or missing one
// (from a peer or a bundle). Called with mu held.
func (n *Node) repaired(id record.ID) {
	n.badMu.Lock()
	was := n.bad[id]
	delete(n.bad, id)
	n.badMu.Unlock()
	damaged, missing := fmt.Sprintf("record %s in the store is damaged", id.Short()), missingNote(id)
	if was || len(n.corrupt) > 0 {
		n.corrupt = slices.DeleteFunc(n.corrupt, func(p string) bool {
			return (was && strings.HasPrefix(p, damaged)) || strings.HasPrefix(p, missing)
		})
	}
}

func missingNote(id record.ID) string {
	return fmt.Sprintf("record %s is part of the state but missing from the store", id.Short())
}

// markBad records ids as damaged (never read, replaced by an intact copy).
func (n *Node) markBad(ids ...record.ID) {
	n.badMu.Lock()
	defer n.badMu.Unlock()
	if n.bad == nil {
		n.bad = map[record.ID]bool{}
	}
	for _, id := range ids {
		n.bad[id] = true
	}
}

// damagedIDs are the records VerifyStored found damaged.
func (n *Node) damagedIDs() map[record.ID]bool {
	n.badMu.RLock()
	defer n.badMu.RUnlock()
	return maps.Clone(n.bad)
}

func damaged(id record.ID, err error) string {
	return fmt.Sprintf("record %s in the store is damaged (%v); it is kept as it is and ignored. Restore it from another member's node or a bundle.", id.Short(), err)
}

func recordID(k []byte) (record.ID, bool) {
	var id record.ID
	if len(k) != len(prefixRecord)+len(id) || !bytes.HasPrefix(k, prefixRecord) {
		return id, false
	}
	copy(id[:], k[len(prefixRecord):])
	return id, true
}

// source is the Folder's Source: every record in the store whose payload
// is intact, including those whose signatures were damaged on disk since
// they were verified on arrival. The state is the co-op's, which such a
// record is part of (peers hold intact copies with the same ID); so state
// does not depend on when the background check ran. Such records are not
// sent or exported (see Get, Records).
//
// Records held until their dates are left out (see hold.go). The Folder
// calls source with mu held, which guards early.
func (n *Node) source() ([]*record.Record, error) {
	recs, _, _, err := n.readAll(false)
	if len(n.early) > 0 {
		recs = slices.DeleteFunc(recs, func(r *record.Record) bool { return n.isHeldLocked(r.ID) })
	}
	return recs, err
}

// readSnapshot restores the Folder from the snapshot file, and lists the
// records held: those the snapshot covers, and those stored after it was
// written, which it returns apart (extra) to be added. It reads no record
// and lists no other key, so opening touches nothing in the store that the
// snapshot already covers.
func (n *Node) readSnapshot() (*coop.Folder, map[record.ID]struct{}, []record.ID, error) {
	file, err := os.Open(filepath.Join(n.home, SnapshotFile))
	if err != nil {
		return nil, nil, nil, err
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		return nil, nil, nil, err
	}
	sr, size, err := openSealReader(file, info.Size(), n.keys.StorageKey("snapshot"), snapshotMagic, n.coop[:])
	if err != nil {
		return nil, nil, nil, err
	}
	// The store names the last snapshot it wrote: any other (an older
	// one beside a store restored from a backup, or one written for a
	// store since replaced) does not describe it.
	if bound, err := n.kv.Get(keySnapshot); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil, err
	} else if !bytes.Equal(bound, sr.salt) {
		return nil, nil, nil, errors.New("the snapshot is not the one this store last wrote")
	}
	var vb [8]byte
	if _, err := io.ReadFull(sr, vb[:]); err != nil {
		return nil, nil, nil, err
	}
	version := binary.BigEndian.Uint64(vb[:])
	if now, err := n.kv.Version(); err != nil {
		return nil, nil, nil, err
	} else if version > now {
		return nil, nil, nil, fmt.Errorf("the snapshot is of a later store (version %d, the store's is %d): was the store restored from a backup?", version, now)
	}
	f, err := coop.ReadFolderFrom(n.coop, sr, size-int64(len(vb)), n.source)
	if err == nil {
		err = sr.End()
	}
	if err != nil {
		return nil, nil, nil, err
	}
	covers, err := f.Covers()
	if err != nil {
		return nil, nil, nil, err
	}
	held := make(map[record.ID]struct{}, len(covers))
	for _, id := range covers {
		held[id] = struct{}{}
	}
	var extra []record.ID
	err = n.kv.KeysSince(prefixRecord, version, func(k []byte) error {
		if id, ok := recordID(k); ok {
			if _, ok := held[id]; !ok {
				held[id] = struct{}{}
				extra = append(extra, id)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("list records stored after the snapshot: %w", err)
	}
	return f, held, extra, nil
}

// writeSnapshot writes the state down, if it is current (a full fold due
// waits for the next time). It streams: the state is encoded, sealed and
// written a piece at a time, holding the read lock (stores wait, and so do
// reads that come after a waiting store); syncing and renaming the file
// happen after, then the store records which snapshot it has.
func (n *Node) writeSnapshot() error {
	n.snapMu.Lock() // one writer, and not while Reindex replaces the state
	defer n.snapMu.Unlock()
	path := filepath.Join(n.home, SnapshotFile)
	tmp, err := os.CreateTemp(n.home, "."+SnapshotFile+".tmp*")
	if err != nil {
		return fmt.Errorf("write the state snapshot: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a rename, nothing is there
	defer tmp.Close()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	n.mu.RLock()
	if _, ok := n.folder.Current(); !ok || n.closedStore {
		n.mu.RUnlock()
		return nil
	}
	since := n.sinceSnapshot
	// The store's version, before the state: no record is being stored
	// (that takes the write lock), so the state covers every record stored
	// up to it, and opening lists only those stored after (readSnapshot).
	version, err := n.kv.Version()
	var sw *sealWriter
	if err == nil {
		sw, err = newSealWriter(bw, n.keys.StorageKey("snapshot"), snapshotMagic, n.coop[:])
	}
	if err == nil {
		_, err = sw.Write(binary.BigEndian.AppendUint64(nil, version))
	}
	if err == nil {
		err = n.folder.WriteSnapshot(sw)
	}
	n.mu.RUnlock()
	if err == nil {
		err = sw.Close()
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = commitFile(tmp, path, 0o600)
	}
	if err == nil {
		err = n.kv.Update(func(tx store.Tx) error { return tx.Set(keySnapshot, sw.salt) })
	}
	if err != nil {
		return fmt.Errorf("write the state snapshot: %w", err)
	}
	if err := n.writeStoreCount(); err != nil {
		return err
	}
	n.mu.Lock()
	n.sinceSnapshot -= since
	n.snapshotAt = time.Now()
	n.snapshotDue = false
	n.mu.Unlock()
	return nil
}

// maintain writes snapshots while the node runs, and checks the whole
// store in the background (VerifyStored; see verifyAfter).
func (n *Node) maintain(ctx context.Context) error {
	n.StateDigest() // the first status asks for it: have it ready
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	check := time.NewTimer(verifyAfter)
	defer check.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-check.C:
			n.VerifyStored(ctx) // what it finds, it reports (Problems)
			check.Reset(verifyEvery)
			continue
		case <-t.C:
		}
		n.mu.RLock()
		due := n.snapshotDue || n.sinceSnapshot >= snapshotEvery || (n.sinceSnapshot > 0 && time.Since(n.snapshotAt) >= snapshotAge)
		n.mu.RUnlock()
		if due {
			n.State() // a full fold that is due happens now, so a snapshot can be written
			if err := n.writeSnapshot(); err != nil {
				n.noteProblem("snapshot", err.Error()+"; the node goes on, and will fold every record when it next opens")
			}
		}
	}
}

// noteProblem keeps one problem per topic, for Problems.
func (n *Node) noteProblem(topic, text string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.notes == nil {
		n.notes = map[string]string{}
	}
	n.notes[topic] = text
}

// VerifyStored decodes every stored record again, checking its ID and
// signatures, and reports those damaged since they were stored (Problems
// names them). A record the state names that the store lacks (a store
// restored from an older backup, say) is reported too, and no longer
// counted as held, so peers send it again. It returns how many records it
// checked. A running node calls it in the background (see verifyAfter), on
// one core.
func (n *Node) VerifyStored(ctx context.Context) (checked int, err error) {
	var found []string
	var foundIDs []record.ID
	var ids, seen []record.ID
	var raws [][]byte
	flush := func() {
		// One core: it runs in the background of a node that is in use.
		for i, raw := range raws {
			if _, e := record.DecodeStored(raw, ids[i]); e != nil {
				found, foundIDs = append(found, damaged(ids[i], e)), append(foundIDs, ids[i])
			}
		}
		checked += len(raws)
		ids, raws = ids[:0], raws[:0]
	}
	err = n.kv.Scan(prefixRecord, func(k, v []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		id, ok := recordID(k)
		if !ok {
			return nil // load reported it
		}
		seen = append(seen, id)
		ids, raws = append(ids, id), append(raws, bytes.Clone(v))
		if len(raws) == 1024 {
			flush()
		}
		return nil
	})
	flush()
	n.markBad(foundIDs...)
	if err != nil {
		return checked, fmt.Errorf("check stored records: %w", err)
	}
	slices.SortFunc(seen, record.CompareIDs)
	var missing []record.ID
	n.mu.RLock() // the search takes a while: readers need not wait
	for id := range n.held {
		if _, ok := slices.BinarySearchFunc(seen, id, record.CompareIDs); !ok {
			missing = append(missing, id)
		}
	}
	n.mu.RUnlock()
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, p := range found {
		if !slices.Contains(n.corrupt, p) {
			n.corrupt = append(n.corrupt, p)
		}
	}
	var marked []record.ID
	for _, id := range missing {
		// Still named by the state (a Reindex may have run meanwhile), and
		// not stored while the scan ran?
		if _, held := n.held[id]; !held {
			continue
		}
		if _, err := n.kv.Get(recordKey(id)); errors.Is(err, store.ErrNotFound) {
			marked = append(marked, id)
		}
	}
	// Marked in the store too: the next snapshot still names them, and
	// after a restart they must not count as held either.
	for i := 0; i < len(marked); i += 1000 {
		chunk := marked[i:min(i+1000, len(marked))]
		if err := n.kv.Update(func(tx store.Tx) error {
			for _, id := range chunk {
				if err := tx.Set(missingKey(id), nil); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return checked, fmt.Errorf("note records missing from the store: %w", err)
		}
	}
	if n.missing == nil {
		n.missing = map[record.ID]bool{}
	}
	for _, id := range marked {
		delete(n.held, id)
		n.missing[id] = true
		n.corrupt = append(n.corrupt, missingNoteLong(id))
	}
	return checked, nil
}

func missingNoteLong(id record.ID) string {
	return missingNote(id) + " (restored from an older backup?): peers will send it again; `coopnode reindex` folds only what the store holds"
}

// loadMissing reads the records VerifyStored found missing (prefixMissing)
// and takes them out of held. Only a state restored from a snapshot can
// name them: after a fold of the stored records the marks are dropped. So
// is a mark whose record is in the store again.
func (n *Node) loadMissing(held map[record.ID]struct{}, fromSnapshot bool) (map[record.ID]bool, []string, error) {
	missing := map[record.ID]bool{}
	var notes []string
	var drop [][]byte
	err := n.kv.Keys(prefixMissing, func(k []byte) error {
		var id record.ID
		if len(k) != len(prefixMissing)+len(id) {
			drop = append(drop, bytes.Clone(k))
			return nil
		}
		copy(id[:], k[len(prefixMissing):])
		_, err := n.kv.Get(recordKey(id))
		switch {
		case err == nil || !fromSnapshot:
			drop = append(drop, bytes.Clone(k))
		case errors.Is(err, store.ErrNotFound):
			if _, ok := held[id]; ok {
				delete(held, id)
				missing[id] = true
				notes = append(notes, missingNoteLong(id))
			} else {
				drop = append(drop, bytes.Clone(k))
			}
		default:
			return err
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list records missing from the store: %w", err)
	}
	for i := 0; i < len(drop); i += 1000 {
		chunk := drop[i:min(i+1000, len(drop))]
		if err := n.kv.Update(func(tx store.Tx) error {
			for _, k := range chunk {
				if err := tx.Delete(k); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return nil, nil, fmt.Errorf("clear marks of records missing from the store: %w", err)
		}
	}
	return missing, notes, nil
}
