package app

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/coopnode/coopnode/node/bundle"
	"github.com/coopnode/coopnode/node/record"
)

// ExportBundle writes this node's records to a bundle file at path (absolute),
// leaving out those in the bundle at since, if given. The file appears only
// once complete.
func (a *App) ExportBundle(path, since string) (ExportView, error) {
	n, err := a.ready()
	if err != nil {
		return ExportView{}, err
	}
	if !filepath.IsAbs(path) || (since != "" && !filepath.IsAbs(since)) {
		return ExportView{}, invalid("give absolute paths (got %q, %q)", path, since)
	}
	skip := map[record.ID]bool{}
	if since != "" {
		f, err := os.Open(since)
		if err != nil {
			return ExportView{}, fmt.Errorf("--since: %w", err)
		}
		hdr, recs, err := bundle.ReadAll(f)
		f.Close()
		if err != nil {
			return ExportView{}, fmt.Errorf("--since %s: %w", since, err)
		}
		if hdr.Coop != n.CoopID() {
			return ExportView{}, fmt.Errorf("--since %s is a bundle of another co-op (%s)", since, hdr.Coop.Short())
		}
		for _, r := range recs {
			skip[r.ID] = true
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".part*")
	if err != nil {
		return ExportView{}, fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name())
	k, err := n.Export(tmp, skip)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return ExportView{}, fmt.Errorf("export to %s: %w", path, err)
	}
	st, _ := os.Stat(path)
	v := ExportView{Path: path, Records: k, Skipped: len(skip)}
	if st != nil {
		v.Bytes = st.Size()
	}
	return v, nil
}

// ImportBundle verifies the bundle at path (absolute) and stores the records this node lacks.
func (a *App) ImportBundle(path string) (ImportView, error) {
	n, err := a.ready()
	if err != nil {
		return ImportView{}, err
	}
	if !filepath.IsAbs(path) {
		return ImportView{}, invalid("give an absolute path (got %q)", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return ImportView{}, fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	rep, err := n.Import(f)
	v := ImportView{Path: path, Read: rep.Read, Added: rep.Added, Had: rep.Had, Pending: rep.Pending, Invalid: rep.Invalid}
	if err != nil {
		return v, fmt.Errorf("import %s: %w", path, err)
	}
	return v, nil
}
