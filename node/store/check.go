package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/badger/v4/table"
	"github.com/dgraph-io/badger/v4/y"
)

// ErrDamaged: Badger cannot read the store whole (a file of it is missing,
// truncated or altered). Errors wrapping it say which.
var ErrDamaged = errors.New("the store is damaged")

func damagedf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrDamaged}, args...)...)
}

// OrphansDir is where OpenBadger keeps, beside the store's directory, the
// table files its MANIFEST does not name. Badger deletes such files when
// it opens: after a crash they are leftovers whose data is elsewhere, but
// after a damaged MANIFEST they are the data. The caller decides which,
// once it knows whether the store holds what it should.
func OrphansDir(dir string) string { return filepath.Clean(dir) + ".orphans" }

// checkDir looks at the store's files before Badger opens them, for the
// damage Badger does not report: a table file cut short panics inside
// Badger (in a goroutine of its own, where no caller can recover), and a
// table the MANIFEST no longer names is deleted. It returns where it kept
// such tables ("" if there were none).
func checkDir(dir string, opts badger.Options) (kept string, err error) {
	mf, err := os.Open(filepath.Join(dir, badger.ManifestFilename))
	if errors.Is(err, os.ErrNotExist) {
		if tables, _ := filepath.Glob(filepath.Join(dir, "*.sst")); len(tables) > 0 {
			return "", damagedf("its MANIFEST is missing, and %d table files are there", len(tables))
		}
		return "", nil // a new store
	}
	if err != nil {
		return "", damagedf("read MANIFEST: %v", err)
	}
	man, _, err := badger.ReplayManifestFile(mf, opts.ExternalMagicVersion, opts)
	mf.Close()
	if err != nil {
		return "", damagedf("its MANIFEST cannot be read: %v", err)
	}
	onDisk, err := tableIDs(dir)
	if err != nil {
		return "", damagedf("list table files: %v", err)
	}
	var orphans []uint64
	for _, id := range onDisk {
		if _, ok := man.Tables[id]; !ok {
			orphans = append(orphans, id)
		}
	}
	for id := range man.Tables {
		if !slices.Contains(onDisk, id) {
			return "", damagedf("table file %s, which its MANIFEST names, is missing", table.IDToFilename(id))
		}
		if err := checkTable(table.NewFilename(id, dir)); err != nil {
			return "", err
		}
	}
	return keepOrphans(dir, orphans)
}

func tableIDs(dir string) ([]uint64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var ids []uint64
	for _, e := range ents {
		if id, ok := table.ParseFileID(e.Name()); ok {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// checkTable checks a table file's footer and index as Badger reads them
// when it opens the table (table.initIndex), with bounds checked: the
// index's own checksum covers it, encrypted or not.
func checkTable(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return damagedf("read table file %s: %v", filepath.Base(path), err)
	}
	bad := func(why string) error {
		return damagedf("table file %s (%d bytes) is truncated or altered: %s", filepath.Base(path), len(b), why)
	}
	end := len(b) - 4
	if end < 0 {
		return bad("too short for a footer")
	}
	n := int64(binary.BigEndian.Uint32(b[end:]))
	if n > int64(end) {
		return bad("its footer points outside the file")
	}
	algo, sum, ok := parseChecksum(b[end-int(n) : end])
	end -= int(n) + 4
	if !ok || end < 0 {
		return bad("its index checksum cannot be read")
	}
	n = int64(binary.BigEndian.Uint32(b[end : end+4]))
	if n > int64(end) {
		return bad("its index length points outside the file")
	}
	if y.CalculateChecksum(b[end-int(n):end], algo) != sum {
		return bad("its index fails its checksum")
	}
	return nil
}

// parseChecksum decodes a pb.Checksum (algo = 1, sum = 2, both varints)
// without a protobuf library.
func parseChecksum(b []byte) (algo pb.Checksum_Algorithm, sum uint64, ok bool) {
	for len(b) > 0 {
		tag, k := binary.Uvarint(b)
		if k <= 0 || tag&7 != 0 {
			return 0, 0, false
		}
		v, m := binary.Uvarint(b[k:])
		if m <= 0 {
			return 0, 0, false
		}
		switch tag >> 3 {
		case 1:
			algo = pb.Checksum_Algorithm(v)
		case 2:
			sum, ok = v, true
		}
		b = b[k+m:]
	}
	return algo, sum, ok
}

// keepOrphans hard-links (or copies) the table files the MANIFEST does not
// name into OrphansDir, so that Badger's deleting them loses nothing.
func keepOrphans(dir string, ids []uint64) (string, error) {
	if len(ids) == 0 {
		return "", nil
	}
	kept := filepath.Join(OrphansDir(dir), time.Now().UTC().Format("20060102T150405.000000000Z"))
	if err := os.MkdirAll(kept, 0o700); err != nil {
		return "", damagedf("keep table files the MANIFEST does not name: %v", err)
	}
	for _, id := range ids {
		src, dst := table.NewFilename(id, dir), filepath.Join(kept, table.IDToFilename(id))
		if err := os.Link(src, dst); err != nil {
			if err := copyFile(src, dst); err != nil {
				return "", damagedf("keep table file %s, which the MANIFEST does not name: %v", filepath.Base(src), err)
			}
		}
	}
	// Badger's MANIFEST is changed in place when it opens: keep it as it was.
	if err := copyFile(filepath.Join(dir, badger.ManifestFilename), filepath.Join(kept, badger.ManifestFilename)); err != nil {
		return "", damagedf("keep the MANIFEST: %v", err)
	}
	return kept, nil
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o600)
}
