package vault

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/iotest"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, keySize) }

func newStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(t.TempDir(), testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// randBytes is deterministic so a failure can be reproduced.
func randBytes(n int, seed uint64) []byte {
	var s [32]byte
	s[0], s[1] = byte(seed), byte(seed>>8)
	b := make([]byte, n)
	rand.NewChaCha8(s).Read(b)
	return b
}

func put(t testing.TB, s *Store, data []byte) Digest {
	t.Helper()
	d, n, err := s.Put(bytes.NewReader(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(data)) {
		t.Fatalf("Put size %d, want %d", n, len(data))
	}
	return d
}

// readItem opens d and reads it to the end, returning what was read before any error.
func readItem(s *Store, d Digest) ([]byte, error) {
	r, err := s.Open(d)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// dirState maps every file under dir (relative path) to its contents.
func dirState(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		m[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func itemFiles(t *testing.T, s *Store) []string {
	t.Helper()
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		if isFileName(e.Name()) {
			names = append(names, e.Name())
		}
	}
	return names
}

func tmpEntries(t *testing.T, s *Store) []string {
	t.Helper()
	ents, err := os.ReadDir(s.tmp)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		size int
		// reader wraps the source, to exercise short reads.
		reader func(io.Reader) io.Reader
	}{
		{"empty", 0, nil},
		{"one byte", 1, nil},
		{"chunk minus one", chunkSize - 1, nil},
		{"one chunk", chunkSize, nil},
		{"chunk plus one", chunkSize + 1, nil},
		{"three chunks and a bit", 3*chunkSize + 5, nil},
		{"three chunks and a bit, half reads", 3*chunkSize + 5, iotest.HalfReader},
		{"two chunks exactly, one-byte reads", 2 * chunkSize, iotest.OneByteReader},
		{"about 1 MiB", 1<<20 + 12345, nil},
		{"about 1 MiB, data then EOF", 1<<20 + 12345, iotest.DataErrReader},
	}
	s := newStore(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := randBytes(tt.size, uint64(i))
			var src io.Reader = bytes.NewReader(data)
			if tt.reader != nil {
				src = tt.reader(src)
			}
			var calls []int64
			d, n, err := s.Put(src, func(done int64) { calls = append(calls, done) })
			if err != nil {
				t.Fatal(err)
			}
			if want := Digest(sha256.Sum256(data)); d != want {
				t.Fatalf("digest %s, want %s", d, want)
			}
			if n != int64(tt.size) {
				t.Fatalf("size %d, want %d", n, tt.size)
			}
			if len(calls) == 0 || calls[len(calls)-1] != n {
				t.Fatalf("progress %v does not end at %d", calls, n)
			}
			if !slices.IsSorted(calls) || len(calls) > tt.size/chunkSize+1 {
				t.Fatalf("progress calls %v: want non-decreasing, one per chunk", calls)
			}
			fi, err := os.Stat(s.path(d))
			if err != nil {
				t.Fatal(err)
			}
			chunks := max(1, (tt.size+chunkSize-1)/chunkSize)
			if want := int64(headerSize + tt.size + chunks*tagSize); fi.Size() != want {
				t.Fatalf("file is %d bytes, want %d", fi.Size(), want)
			}

			r, err := s.Open(d)
			if err != nil {
				t.Fatal(err)
			}
			if r.Size() != n {
				t.Fatalf("Size %d, want %d", r.Size(), n)
			}
			// iotest.TestReader reads in odd sizes and checks EOF behaviour.
			if err := iotest.TestReader(r, data); err != nil {
				t.Fatal(err)
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := r.Read(make([]byte, 1)); !errors.Is(err, os.ErrClosed) {
				t.Fatalf("Read after Close: %v, want os.ErrClosed", err)
			}
			if err := s.Check(d); err != nil {
				t.Fatal(err)
			}
			if !s.Has(d) {
				t.Fatal("Has = false after Put")
			}
		})
	}
}

func TestPutIdempotent(t *testing.T) {
	s := newStore(t)
	data := randBytes(200_000, 7)
	d1 := put(t, s, data)
	before := dirState(t, s.dir)
	d2 := put(t, s, data)
	if d1 != d2 {
		t.Fatalf("second Put gave %s, first %s", d2, d1)
	}
	if after := dirState(t, s.dir); !mapsEqual(before, after) {
		t.Fatalf("second Put changed the vault: %d files before, %d after", len(before), len(after))
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestConcurrentPuts(t *testing.T) {
	s := newStore(t)
	same := randBytes(3*chunkSize+100, 8)
	want := Digest(sha256.Sum256(same))
	var others [][]byte
	for i := range 4 {
		others = append(others, randBytes(100_000+i, uint64(100+i)))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 8 {
		wg.Go(func() {
			d, _, err := s.Put(bytes.NewReader(same), nil)
			if err == nil && d != want {
				err = fmt.Errorf("digest %s, want %s", d, want)
			}
			if err == nil {
				// Read it back while other Puts of it may be finishing.
				var got []byte
				got, err = readItem(s, d)
				if err == nil && !bytes.Equal(got, same) {
					err = errors.New("read back different content")
				}
			}
			errs <- err
		})
	}
	for _, o := range others {
		wg.Go(func() {
			d, _, err := s.Put(bytes.NewReader(o), nil)
			if err == nil {
				err = s.Check(d)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := len(itemFiles(t, s)); n != 1+len(others) {
		t.Errorf("%d item files, want %d", n, 1+len(others))
	}
	if tmp := tmpEntries(t, s); len(tmp) != 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}

func flip(off int) func(b []byte) []byte {
	return func(b []byte) []byte {
		if off < 0 {
			off += len(b)
		}
		b[off] ^= 0x10
		return b
	}
}

func chunkOff(i int) int { return headerSize + i*sealedSize }

func TestTamper(t *testing.T) {
	s := newStore(t)
	const size = 3*chunkSize + 5 // chunks 0-2 full, chunk 3 holds 5 bytes
	data := randBytes(size, 9)
	d := put(t, s, data)
	path := s.path(d)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	otherData := randBytes(1000, 10)
	other, err := os.ReadFile(s.path(put(t, s, otherData)))
	if err != nil {
		t.Fatal(err)
	}
	// The same item written by a store with the same key elsewhere: a
	// valid header (right digest) under a different salt.
	s2, err := Open(t.TempDir(), testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	twin, err := os.ReadFile(s2.path(put(t, s2, data)))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(twin[:headerSize], orig[:headerSize]) {
		t.Fatal("two files of the same item share a header: salt is not random")
	}
	chunk := func(b []byte, i int) []byte { return b[chunkOff(i):min(len(b), chunkOff(i+1))] }

	tests := []struct {
		name   string
		mutate func(b []byte) []byte
		// bad is the first chunk that is damaged: no byte of it or after
		// it may be returned.
		bad int
	}{
		{"magic bit", flip(0), 0},
		{"salt bit", flip(len(magic) + 3), 0},
		{"digest slot bit", flip(prefixSize + 5), 0},
		{"digest slot tag bit", flip(headerSize - 1), 0},
		{"chunk 0 ciphertext bit", flip(chunkOff(0) + 10), 0},
		{"chunk 1 ciphertext bit", flip(chunkOff(1) + 100), 1},
		{"chunk 1 tag bit", flip(chunkOff(2) - 1), 1},
		{"final chunk ciphertext bit", flip(chunkOff(3) + 2), 3},
		{"final chunk tag bit", flip(-1), 3},
		{"swap chunks 1 and 2", func(b []byte) []byte {
			c1, c2 := bytes.Clone(chunk(b, 1)), bytes.Clone(chunk(b, 2))
			copy(b[chunkOff(1):], c2)
			copy(b[chunkOff(2):], c1)
			return b
		}, 1},
		{"drop chunk 1", func(b []byte) []byte {
			return slices.Concat(b[:chunkOff(1)], b[chunkOff(2):])
		}, 1},
		{"repeat chunk 1", func(b []byte) []byte {
			return slices.Concat(b[:chunkOff(2)], chunk(b, 1), b[chunkOff(2):])
		}, 2},
		{"truncate at chunk boundary", func(b []byte) []byte { return b[:chunkOff(3)] }, 2},
		{"truncate to the first chunk", func(b []byte) []byte { return b[:chunkOff(1)] }, 0},
		{"truncate mid-chunk", func(b []byte) []byte { return b[:chunkOff(2)+1000] }, 2},
		{"truncate final chunk by one byte", func(b []byte) []byte { return b[:len(b)-1] }, 3},
		{"truncate to the header", func(b []byte) []byte { return b[:headerSize] }, 0},
		{"truncate inside the header", func(b []byte) []byte { return b[:headerSize-1] }, 0},
		{"empty file", func(b []byte) []byte { return nil }, 0},
		{"append a byte", func(b []byte) []byte { return append(b, 0) }, 3},
		{"append a copy of the final chunk", func(b []byte) []byte { return append(b, chunk(b, 3)...) }, 3},
		{"append a whole sealed chunk", func(b []byte) []byte { return append(b, chunk(b, 0)...) }, 3},
		{"another item's file", func([]byte) []byte { return bytes.Clone(other) }, 0},
		{"header of another file of the same item", func(b []byte) []byte {
			return slices.Concat(twin[:headerSize], b[headerSize:])
		}, 0},
		{"sealed with the key but content hashing elsewhere", func(b []byte) []byte {
			forged := bytes.Clone(data)
			forged[len(forged)-1] ^= 1 // in the final chunk, so earlier chunks are the item's
			return encodeFile(testKey(1), b[len(magic):prefixSize], d, forged)
		}, 3},
	}
	check := func(t *testing.T, s *Store, bad int) {
		t.Helper()
		got, err := readItem(s, d)
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("read: %v, want ErrCorrupt", err)
		}
		if !bytes.HasPrefix(data, got) || len(got) > bad*chunkSize {
			t.Fatalf("returned %d bytes before the error; at most the %d of chunks before the damaged one may be returned", len(got), bad*chunkSize)
		}
		if err := s.Check(d); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Check: %v, want ErrCorrupt", err)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.mutate(bytes.Clone(orig))
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.WriteFile(path, orig, 0o600) })
			check(t, s, tt.bad)
		})
	}
	t.Run("wrong key", func(t *testing.T) {
		// The file copied into a vault with another key, under the name that vault would give it.
		w, err := Open(t.TempDir(), testKey(2))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(w.path(d), orig, 0o600); err != nil {
			t.Fatal(err)
		}
		check(t, w, 0)
	})
	t.Run("untouched file still reads", func(t *testing.T) {
		// Guards the cases above: they must fail because of the damage.
		if got, err := readItem(s, d); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read %d bytes, %v", len(got), err)
		}
	})
}

var errSource = errors.New("the source went away")

// failingReader returns errSource once n bytes have been read.
type failingReader struct {
	r io.Reader
	n int
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errSource
	}
	if len(p) > f.n {
		p = p[:f.n]
	}
	n, err := f.r.Read(p)
	f.n -= n
	return n, err
}

// failingFile stands in for a temporary file on a disk that fills after
// limit bytes, or whose Sync fails.
type failingFile struct {
	*os.File
	limit   int
	syncErr error
}

func (f *failingFile) Write(p []byte) (int, error) {
	if len(p) > f.limit {
		n, _ := f.File.Write(p[:f.limit])
		f.limit = 0
		return n, &fs.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	f.limit -= len(p)
	return f.File.Write(p)
}

func (f *failingFile) Sync() error {
	if f.syncErr != nil {
		return f.syncErr
	}
	return f.File.Sync()
}

func TestPutFailureLeavesNothing(t *testing.T) {
	s := newStore(t)
	kept := [][]byte{randBytes(5, 11), randBytes(2*chunkSize+1, 12)}
	var keptDigests []Digest
	for _, b := range kept {
		keptDigests = append(keptDigests, put(t, s, b))
	}
	before := dirState(t, s.dir)

	data := randBytes(3*chunkSize+5, 13)
	errSync := errors.New("input/output error")
	tests := []struct {
		name   string
		reader func() io.Reader
		file   func(*os.File) tempFile // nil: the real file
		want   error                   // errors.Is target
		say    string                  // in the message
	}{
		{"reader fails at once", func() io.Reader { return &failingReader{bytes.NewReader(data), 0} }, nil, errSource, "after 0 bytes"},
		{"reader fails mid-chunk", func() io.Reader { return &failingReader{bytes.NewReader(data), 1000} }, nil, errSource, "after 1000 bytes"},
		{"reader fails at a chunk boundary", func() io.Reader { return &failingReader{bytes.NewReader(data), chunkSize} }, nil, errSource, "after 65536 bytes"},
		{"reader fails in the last chunk", func() io.Reader { return &failingReader{bytes.NewReader(data), 3*chunkSize + 4} }, nil, errSource, "add it again"},
		{"disk full in the header", func() io.Reader { return bytes.NewReader(data) },
			func(f *os.File) tempFile { return &failingFile{File: f, limit: 10} }, syscall.ENOSPC, "the disk is full: free space and add it again"},
		{"disk full mid-item", func() io.Reader { return bytes.NewReader(data) },
			func(f *os.File) tempFile { return &failingFile{File: f, limit: 150_000} }, syscall.ENOSPC, "the disk is full"},
		{"sync fails", func() io.Reader { return bytes.NewReader(data) },
			func(f *os.File) tempFile { return &failingFile{File: f, limit: 1 << 30, syncErr: errSync} }, errSync, "nothing was stored"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.file != nil {
				s.createTemp = func(dir string) (tempFile, error) {
					f, err := os.CreateTemp(dir, "put-*")
					if err != nil {
						return nil, err
					}
					return tt.file(f), nil
				}
				defer func() { s.createTemp = createTemp }()
			}
			d, _, err := s.Put(tt.reader(), nil)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Put: %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.say) {
				t.Errorf("error %q does not say %q", err, tt.say)
			}
			if !d.IsZero() {
				t.Errorf("failed Put returned digest %s", d)
			}
			if after := dirState(t, s.dir); !mapsEqual(before, after) {
				t.Errorf("vault changed: %d files before, %d after", len(before), len(after))
			}
			if tmp := tmpEntries(t, s); len(tmp) != 0 {
				t.Errorf("temporary files left: %v", tmp)
			}
			if s.Has(Digest(sha256.Sum256(data))) {
				t.Error("the failed item is in the vault")
			}
			for _, kd := range keptDigests {
				if err := s.Check(kd); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func TestEncryptedAtRest(t *testing.T) {
	s := newStore(t)
	marker := randBytes(64, 14)
	data := slices.Concat(randBytes(1000, 15), bytes.Repeat(marker, 3000), randBytes(777, 16))
	d := put(t, s, data)

	// Every 32-byte window of the repeated marker, wherever it starts.
	double := slices.Concat(marker, marker)
	var windows [][]byte
	for i := range len(marker) {
		windows = append(windows, double[i:i+32])
	}
	files := 0
	err := filepath.WalkDir(s.dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.Contains(e.Name(), d.String()) || strings.Contains(e.Name(), d.Short()) {
			t.Errorf("file name %s reveals the digest %s", e.Name(), d)
		}
		if e.IsDir() {
			return nil
		}
		files++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for i, w := range windows {
			if bytes.Contains(b, w) {
				t.Errorf("%s holds plaintext (marker window at %d)", p, i)
				break
			}
		}
		if bytes.Contains(b, d[:16]) || bytes.Contains(b, []byte(d.String()[:32])) {
			t.Errorf("%s holds the digest in the clear", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 2 { // the item and keycheck
		t.Fatalf("walked %d files; the test is not looking at the vault", files)
	}
}

func TestOpenRemovesStaleTemp(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	d := put(t, s, []byte("kept"))
	for _, name := range []string{"put-123", "keycheck-9", "junk"} {
		if err := os.WriteFile(filepath.Join(s.tmp, name), []byte("half an item"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(s.tmp, "sub", "dir"), 0o700); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	if tmp := tmpEntries(t, s); len(tmp) != 0 {
		t.Fatalf("Open left %v in tmp", tmp)
	}
	if err := s.Check(d); err != nil {
		t.Fatal(err)
	}
}

func TestOpenKeys(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	d := put(t, s, []byte("x"))
	// A directory Open creates is private to the member.
	fresh := filepath.Join(t.TempDir(), "a", "vault")
	if _, err := Open(fresh, testKey(1)); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(fresh); err != nil || fi.Mode().Perm() != 0o700 && runtime.GOOS != "windows" {
		t.Fatalf("new vault dir: %v, mode %v; want 0700", err, fi.Mode())
	}

	tests := []struct {
		name string
		key  []byte
		want error
	}{
		{"nil key", nil, ErrBadKey},
		{"short key", testKey(1)[:16], ErrBadKey},
		{"long key", append(testKey(1), 0), ErrBadKey},
		{"wrong key", testKey(2), ErrWrongKey},
		{"right key", testKey(1), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(dir, tt.key)
			if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				t.Fatalf("Open: %v, want %v", err, tt.want)
			}
			if err == nil {
				if err := s.Check(d); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	t.Run("damaged keycheck", func(t *testing.T) {
		p := filepath.Join(dir, checkFileName)
		if err := os.WriteFile(p, []byte("garbage"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(dir, testKey(1)); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Open: %v, want ErrCorrupt", err)
		}
	})
	// A bit flipped in the check itself: the file has the right form, but
	// the vault's items open with the key, so it is the file.
	t.Run("bit-flipped keycheck", func(t *testing.T) {
		p := filepath.Join(dir, checkFileName)
		os.Remove(p)
		if _, err := Open(dir, testKey(1)); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(p)
		b[len(b)-1] ^= 1
		os.WriteFile(p, b, 0o600)
		_, err := Open(dir, testKey(1))
		if !errors.Is(err, ErrCorrupt) || errors.Is(err, ErrWrongKey) || !strings.Contains(err.Error(), "is damaged") {
			t.Fatalf("Open: %v, want the keycheck named damaged, not a different key", err)
		}
		if _, err := Open(dir, testKey(2)); !errors.Is(err, ErrWrongKey) {
			t.Fatalf("Open with another key: %v, want ErrWrongKey", err)
		}
	})
}

func TestRemove(t *testing.T) {
	s := newStore(t)
	d := put(t, s, []byte("to be removed"))
	keep := put(t, s, []byte("to be kept"))
	if err := s.Remove(d); err != nil {
		t.Fatal(err)
	}
	if s.Has(d) {
		t.Fatal("Has after Remove")
	}
	if err := s.Remove(d); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second Remove: %v, want ErrNotFound", err)
	}
	if _, err := s.Open(d); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Open after Remove: %v, want ErrNotFound", err)
	}
	if err := s.Check(d); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Check after Remove: %v, want ErrNotFound", err)
	}
	if err := s.Check(keep); err != nil {
		t.Fatal(err)
	}
	// Put again after Remove stores it again.
	if d2 := put(t, s, []byte("to be removed")); d2 != d || !s.Has(d) {
		t.Fatal("Put after Remove did not store the item")
	}
}

func TestList(t *testing.T) {
	s := newStore(t)
	if ds, err := s.List(); err != nil || len(ds) != 0 {
		t.Fatalf("empty vault lists %v, %v", ds, err)
	}
	var want []Digest
	for i := range 5 {
		want = append(want, put(t, s, randBytes(i*40000, uint64(20+i))))
	}
	slices.SortFunc(want, func(a, b Digest) int { return bytes.Compare(a[:], b[:]) })
	got, err := s.List()
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("List = %v, %v; want %v", got, err, want)
	}

	// A damaged header and a file renamed to another item's name are
	// reported, and the rest still listed.
	b, err := os.ReadFile(s.path(want[0]))
	if err != nil {
		t.Fatal(err)
	}
	b[prefixSize] ^= 1
	if err := os.WriteFile(s.path(want[0]), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(s.path(want[1]), filepath.Join(s.dir, strings.Repeat("ab", 32))); err != nil {
		t.Fatal(err)
	}
	got, err = s.List()
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("List error %v, want ErrCorrupt", err)
	}
	if !slices.Equal(got, want[2:]) {
		t.Fatalf("List = %v, want %v", got, want[2:])
	}
}

func TestParseDigest(t *testing.T) {
	sum := sha256.Sum256([]byte("abc"))
	good := hex.EncodeToString(sum[:])
	tests := []struct {
		in string
		ok bool
	}{
		{good, true},
		{strings.Repeat("0", 64), true},
		{strings.ToUpper(good), false},
		{good[:63], false},
		{good + "0", false},
		{"", false},
		{good[:62] + "zz", false},
		{strings.Repeat("é", 32), false},
		{strings.Repeat("a", 1000), false},
	}
	for _, tt := range tests {
		d, err := ParseDigest(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseDigest(%q): %v, want ok=%v", clip(tt.in), err, tt.ok)
			continue
		}
		if tt.ok && d.String() != tt.in {
			t.Errorf("ParseDigest(%q).String() = %q", tt.in, d)
		}
		if !tt.ok && len(err.Error()) > 300 {
			t.Errorf("error too long: %d characters", len(err.Error()))
		}
	}
	d := Digest(sum)
	if d.Short() != good[:12] || d.IsZero() || !(Digest{}).IsZero() {
		t.Fatalf("Short %q, IsZero %v", d.Short(), d.IsZero())
	}
	type doc struct{ Item Digest }
	j, err := json.Marshal(doc{d})
	if err != nil || string(j) != `{"Item":"`+good+`"}` {
		t.Fatalf("json %s, %v", j, err)
	}
	var back doc
	if err := json.Unmarshal(j, &back); err != nil || back.Item != d {
		t.Fatalf("round trip %v, %v", back.Item, err)
	}
	if err := json.Unmarshal([]byte(`{"Item":"abc"}`), &back); err == nil {
		t.Fatal("short digest unmarshalled")
	}
}

func TestLayout(t *testing.T) {
	for _, size := range []int64{0, 1, chunkSize - 1, chunkSize, chunkSize + 1, 5*chunkSize + 3, 1 << 40} {
		chunks := max(1, (size+chunkSize-1)/chunkSize)
		fileSize := int64(headerSize) + size + chunks*tagSize
		got, gotChunks, last, ok := layout(fileSize)
		if !ok || got != size || gotChunks != chunks {
			t.Errorf("layout(%d) = %d, %d, %d, %v; want size %d in %d chunks", fileSize, got, gotChunks, last, ok, size, chunks)
		}
		if wantLast := fileSize - int64(headerSize) - (chunks-1)*sealedSize; int64(last) != wantLast {
			t.Errorf("layout(%d): final chunk %d bytes, want %d", fileSize, last, wantLast)
		}
	}
	// Lengths no valid file has.
	for _, fileSize := range []int{0, headerSize, headerSize + tagSize - 1, headerSize + sealedSize + tagSize, headerSize + sealedSize + 5} {
		fileSize := int64(fileSize)
		if _, _, _, ok := layout(fileSize); ok {
			t.Errorf("layout(%d) accepted", fileSize)
		}
	}
}

// encodeFile writes an item file as the package doc describes, independently
// of Put, so TestFormat can pin the format.
func encodeFile(key, salt []byte, d Digest, content []byte) []byte {
	aead := fileAEAD(key, salt)
	ad := slices.Concat([]byte("coopnode-vault/1\n"), salt)
	var slotN [12]byte
	slotN[11] = 2
	out := slices.Concat(ad, aead.Seal(nil, slotN[:], d[:], ad))
	for i := 0; ; i++ {
		n := min(len(content), 64<<10)
		last := n == len(content)
		var nonce [12]byte
		binary.BigEndian.PutUint64(nonce[3:11], uint64(i))
		if last {
			nonce[11] = 1
		}
		out = aead.Seal(out, nonce[:], content[:n], ad)
		content = content[n:]
		if last {
			return out
		}
	}
}

func TestFormat(t *testing.T) {
	s := newStore(t)
	for i, size := range []int{0, 1, chunkSize, 2*chunkSize + 3} {
		data := randBytes(size, uint64(30+i))
		d := put(t, s, data)
		b, err := os.ReadFile(s.path(d))
		if err != nil {
			t.Fatal(err)
		}
		m := hmac.New(sha256.New, testKey(1))
		m.Write([]byte("coopnode vault name v1"))
		m.Write(d[:])
		if name := hex.EncodeToString(m.Sum(nil)); filepath.Base(s.path(d)) != name {
			t.Fatalf("file name %s, want %s", filepath.Base(s.path(d)), name)
		}
		if len(b) < 49 {
			t.Fatalf("%d-byte file", len(b))
		}
		if want := encodeFile(testKey(1), b[17:49], d, data); !bytes.Equal(b, want) {
			t.Fatalf("size %d: file differs from the documented format", size)
		}
		// And a file made by the documented format reads back.
		salt := randBytes(32, uint64(40+i))
		if err := os.WriteFile(s.path(d), encodeFile(testKey(1), salt, d, data), 0o600); err != nil {
			t.Fatal(err)
		}
		if got, err := readItem(s, d); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("size %d: reading an encoded file: %v", size, err)
		}
	}
}
