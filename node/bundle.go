package node

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"slices"

	"github.com/coopnode/coopnode/node/bundle"
	"github.com/coopnode/coopnode/node/record"
)

// Bundles are written and read a batch of records at a time: neither an
// export nor an import holds every record in memory. An import still
// verifies the whole bundle before it stores anything: it reads the file
// twice, first to verify every record (keeping only their IDs and a digest
// of each batch), then to store them, storing a batch only if its bytes are
// the ones verified.

// BundleProgress says how far an export or import of a bundle is.
type BundleProgress struct {
	Phase   string // one of the Phase constants
	Records int    // records done in this phase
	Total   int    // records in this phase: the bundle's count, or those to write
	Bytes   int64  // of the bundle file read so far (PhaseReading, PhaseVerifying)
	Size    int64  // the bundle file's size (PhaseReading, PhaseVerifying; else 0)
}

// Phases of an export (PhaseReading when it has a --since bundle, then
// PhaseWriting) and of an import (PhaseVerifying, then PhaseStoring).
const (
	PhaseReading   = "reading"   // the IDs of the bundle the receiver has
	PhaseVerifying = "verifying" // every record of the bundle to import
	PhaseStoring   = "storing"   // the verified records this node lacks
	PhaseWriting   = "writing"   // the records of the new bundle
)

// Batch sizes (variables for the tests).
var (
	bundleBatch = 4096 // records read and verified (then stored) together
	exportBatch = 1000 // records read from the store together
)

// Export writes every record this node holds, except those in skip, as a
// bundle, and returns how many it wrote.
func (n *Node) Export(w io.Writer, skip []record.ID) (int, error) {
	return n.ExportWithProgress(w, skip, nil)
}

// ExportWithProgress is Export, telling progress (if not nil) how far it is
// after each batch of records, on the calling goroutine. Records are read
// from the store in one pass, in ID order, and written a batch at a time.
func (n *Node) ExportWithProgress(w io.Writer, skip []record.ID, progress func(BundleProgress)) (int, error) {
	if progress == nil {
		progress = func(BundleProgress) {}
	}
	ids := n.IDs()
	slices.SortFunc(ids, record.CompareIDs)
	skip = slices.Clone(skip)
	slices.SortFunc(skip, record.CompareIDs)
	keep, j := ids[:0], 0
	for _, id := range ids {
		for j < len(skip) && record.CompareIDs(skip[j], id) < 0 {
			j++
		}
		if j < len(skip) && skip[j] == id {
			continue
		}
		keep = append(keep, id)
	}
	bw, err := bundle.NewWriter(w, bundle.Header{Coop: n.coop, Created: n.opts.now().UTC(), Records: len(keep)})
	if err != nil {
		return 0, fmt.Errorf("write bundle: %w", err)
	}
	progress(BundleProgress{Phase: PhaseWriting, Total: len(keep)})
	// One pass over the store in ID order, decoding a batch at a time on every core.
	var (
		raws    [][]byte
		batch   []record.ID
		written int
	)
	flush := func() error {
		recs, errs := record.ReadStoredAll(raws, batch)
		for i, r := range recs {
			if errs[i] != nil {
				// Damaged since the node opened: known as such from now on
				// (as Open would have found it), so exporting again leaves it out.
				n.markBad(batch[i])
				n.mu.Lock()
				if p := damaged(batch[i], errs[i]); !slices.Contains(n.corrupt, p) {
					n.corrupt = append(n.corrupt, p)
				}
				n.mu.Unlock()
				return fmt.Errorf("record %s in the store is damaged (%w): it is left out from now on (see `coopnode status`); export again", batch[i].Short(), errs[i])
			}
			if err := bw.Add(r); err != nil {
				return err
			}
		}
		written += len(recs)
		raws, batch = raws[:0], batch[:0]
		progress(BundleProgress{Phase: PhaseWriting, Records: written, Total: len(keep)})
		return nil
	}
	next := 0 // in keep
	err = n.kv.Scan(prefixRecord, func(k, v []byte) error {
		id, ok := recordID(k)
		if !ok {
			return nil
		}
		for next < len(keep) && record.CompareIDs(keep[next], id) < 0 {
			next++ // gone from the store: said below
		}
		if next == len(keep) || keep[next] != id {
			return nil
		}
		next++
		raws, batch = append(raws, bytes.Clone(v)), append(batch, id)
		if len(raws) == exportBatch {
			return flush()
		}
		return nil
	})
	if err == nil && len(raws) > 0 {
		err = flush()
	}
	if err == nil && written != len(keep) {
		err = fmt.Errorf("%d of the records to export could no longer be read from the store (see `coopnode status`); export again", len(keep)-written)
	}
	if err != nil {
		return 0, fmt.Errorf("write bundle: %w", err)
	}
	if err := bw.Close(); err != nil {
		return 0, fmt.Errorf("write bundle: %w", err)
	}
	return len(keep), nil
}

// BundleIDs reads and verifies the whole bundle in r, a batch at a time, and
// returns its header and its records' IDs, in its order: what an export
// needs of a bundle the receiver already has, without holding its records.
// size is r's length for progress (0 if unknown); progress, if not nil, is
// told how far it is (PhaseReading) after each batch.
func BundleIDs(r io.Reader, size int64, progress func(BundleProgress)) (bundle.Header, []record.ID, error) {
	sc, err := scanBundle(r, size, PhaseReading, nil, nil, progress)
	if err != nil {
		return bundle.Header{}, nil, err
	}
	return sc.hdr, sc.ids, nil
}

// ImportReport says what an import did.
type ImportReport struct {
	Read    int `json:"read"`    // records in the bundle, all verified
	Added   int `json:"added"`   // new to this node, now stored
	Had     int `json:"had"`     // already held
	Pending int `json:"pending"` // of the bundle's records, waiting for predecessors this node lacks
	Invalid int `json:"invalid"` // of the bundle's records, breaking the co-op's rules (stored, never applied)
	// Refused are the bundle's records not stored, being signed by keys
	// the co-op does not know (coop.ErrStranger); Refusals says why, for
	// the first few.
	Refused  int      `json:"refused"`
	Refusals []string `json:"refusals,omitempty"`
}

// maxRefusals is how many refusals an ImportReport spells out.
const maxRefusals = 10

// Import verifies a whole bundle, then stores the records this node lacks.
// A bundle that is truncated, altered or of another co-op stores nothing.
// Records signed by keys the co-op does not know are refused and counted
// (ImportReport.Refused): judged with every key the whole bundle makes
// known, so the order of its records does not matter.
// Importing the same bundle again is harmless, and resumes an interrupted
// import. r is read twice (see ImportWithProgress).
func (n *Node) Import(r io.ReadSeeker) (ImportReport, error) {
	return n.ImportWithProgress(r, nil)
}

// ImportWithProgress is Import, telling progress (if not nil) how far it is
// after each batch of records, on the calling goroutine.
//
// It holds a batch of records at a time, not the bundle: it reads r once
// to verify every record, keeping their IDs and a digest of each batch's
// bytes, then seeks back and reads it again to store them, storing each
// batch only if its bytes are those verified. A bundle that changes in
// between stops the import there, with what was stored so far verified.
func (n *Node) ImportWithProgress(r io.ReadSeeker, progress func(BundleProgress)) (ImportReport, error) {
	var rep ImportReport
	if progress == nil {
		progress = func(BundleProgress) {}
	}
	start, err := r.Seek(0, io.SeekCurrent)
	var end int64
	if err == nil {
		end, err = r.Seek(0, io.SeekEnd)
	}
	if err == nil {
		_, err = r.Seek(start, io.SeekStart)
	}
	if err != nil {
		return rep, fmt.Errorf("import reads the bundle twice, and cannot seek in this one: %w; nothing was imported", err)
	}
	header := func(hdr bundle.Header) error {
		if hdr.Coop != n.coop {
			return fmt.Errorf("this bundle %w (%s); this node's co-op is %s", ErrForeignCoop, hdr.Coop.Short(), n.coop.Short())
		}
		return nil
	}
	n.mu.RLock()
	whole := n.book.Clone() // and every key the bundle introduces, as it is read
	n.mu.RUnlock()
	ours := func(rec *record.Record) error {
		if rec.ID != n.coop && rec.Coop != n.coop {
			return fmt.Errorf("record %s %w (%s)", rec.ID.Short(), ErrForeignCoop, rec.Coop.Short())
		}
		whole.Add(rec)
		return nil
	}
	sc, err := scanBundle(r, end-start, PhaseVerifying, header, ours, progress)
	if err != nil {
		return rep, fmt.Errorf("%w; nothing was imported", err)
	}
	rep.Read = len(sc.ids)

	// Everything verified: now store it, reading it again.
	changed := func(why error) error {
		return fmt.Errorf("the bundle changed while it was imported (%v): %d of its records were stored, all of them verified; import it again", why, rep.Added+rep.Had)
	}
	if _, err := r.Seek(start, io.SeekStart); err != nil {
		return rep, fmt.Errorf("import: %w; nothing was imported", err)
	}
	br, err := bundle.NewReader(r)
	if err != nil {
		return rep, changed(err)
	}
	defer br.Close()
	if hdr := br.Header(); hdr.Coop != sc.hdr.Coop || hdr.Records != sc.hdr.Records || !hdr.Created.Equal(sc.hdr.Created) {
		return rep, changed(fmt.Errorf("another header"))
	}
	progress(BundleProgress{Phase: PhaseStoring, Total: rep.Read})
	for b, done := 0, 0; ; b++ {
		raw, sum, err := readBatch(br, bundleBatch)
		if err != nil {
			return rep, changed(err)
		}
		if len(raw) == 0 {
			if done != rep.Read {
				return rep, changed(fmt.Errorf("it ends early"))
			}
			break
		}
		if b >= len(sc.sums) || sum != sc.sums[b] {
			return rep, changed(fmt.Errorf("records %d to %d are not those verified", done+1, done+len(raw)))
		}
		// The very bytes verified: reading them needs no second check of their signatures.
		recs, errs := record.ReadStoredAll(raw, sc.ids[done:done+len(raw)])
		for i, err := range errs {
			if err != nil {
				return rep, changed(fmt.Errorf("record %d: %w", done+i+1, err))
			}
		}
		added, refused, err := n.store(recs, storeBatch, "", whole)
		rep.Added += added
		rep.Refused += len(refused)
		for _, f := range refused[:min(len(refused), maxRefusals-len(rep.Refusals))] {
			rep.Refusals = append(rep.Refusals, f.Reason)
		}
		done += len(raw)
		rep.Had = done - rep.Added - rep.Refused
		if err != nil {
			return rep, err
		}
		progress(BundleProgress{Phase: PhaseStoring, Records: done, Total: rep.Read})
	}

	s := n.State()
	ids := sc.ids
	slices.SortFunc(ids, record.CompareIDs)
	in := func(id record.ID) bool {
		_, ok := slices.BinarySearchFunc(ids, id, record.CompareIDs)
		return ok
	}
	for _, id := range s.Pending {
		if in(id) {
			rep.Pending++
		}
	}
	for _, rj := range s.Rejected {
		if in(rj.ID) {
			rep.Invalid++
		}
	}
	return rep, nil
}

// scanned is what scanBundle keeps of a bundle.
type scanned struct {
	hdr  bundle.Header
	ids  []record.ID // of every record, in the bundle's order
	sums [][32]byte  // readBatch's digest of each batch of bundleBatch records
}

// scanBundle reads and verifies a whole bundle, trailer included, a batch
// at a time (the signatures of each batch on every core). header, if not
// nil, may refuse the bundle by its header before any record is read; each,
// if not nil, may refuse it by any verified record. A record that fails to
// verify is reported once the rest of the bundle has been read (none of it
// kept): as bundle.ErrTampered if the trailer's checksum fails, else as a
// *bundle.RecordError naming it.
func scanBundle(src io.Reader, size int64, phase string, header func(bundle.Header) error, each func(*record.Record) error, progress func(BundleProgress)) (*scanned, error) {
	if progress == nil {
		progress = func(BundleProgress) {}
	}
	cr := &countingReader{r: src}
	br, err := bundle.NewReader(cr)
	if err != nil {
		return nil, err
	}
	defer br.Close()
	sc := &scanned{hdr: br.Header()}
	if header != nil {
		if err := header(sc.hdr); err != nil {
			return nil, err
		}
	}
	// The header's count is not verified yet: it only sizes the list so far.
	sc.ids = make([]record.ID, 0, min(max(sc.hdr.Records, 0), 1<<16))
	report := func() {
		progress(BundleProgress{Phase: phase, Records: len(sc.ids), Total: sc.hdr.Records, Bytes: cr.n, Size: size})
	}
	report()
	for {
		raw, sum, err := readBatch(br, bundleBatch)
		if err != nil {
			return nil, err
		}
		if len(raw) == 0 {
			return sc, nil
		}
		recs, errs := record.DecodeAll(raw)
		for i, rec := range recs {
			if errs[i] != nil {
				// Read on to the trailer: altered if it fails, else written with this record.
				return nil, br.Refused(len(sc.ids)+1, raw[i], errs[i])
			}
			if each != nil {
				if err := each(rec); err != nil {
					return nil, err
				}
			}
			sc.ids = append(sc.ids, rec.ID)
		}
		sc.sums = append(sc.sums, sum)
		report()
	}
}

// readBatch reads up to max records' bytes, unverified, and a digest of
// them; none (and no error) once the trailer has checked out.
func readBatch(br *bundle.Reader, max int) (raw [][]byte, sum [32]byte, err error) {
	h := sha256.New()
	var lb [binary.MaxVarintLen64]byte
	for len(raw) < max {
		b, err := br.NextRaw()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, sum, err
		}
		h.Write(binary.AppendUvarint(lb[:0], uint64(len(b))))
		h.Write(b)
		raw = append(raw, b)
	}
	h.Sum(sum[:0])
	return raw, sum, nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += int64(k)
	return k, err
}
