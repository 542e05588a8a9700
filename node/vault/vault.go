// Package vault keeps a member's data items (files of any size, up to many
// GB) on their own machine, encrypted at rest. It is a content-addressed blob
// store in one directory: an item is named by the SHA-256 of its plaintext
// (its Digest), goes in and comes out as a stream in bounded memory (a few
// 64 KiB chunks whatever the item's size), and is authenticated chunk by chunk
// on the way out. Metadata such as titles and tags is the caller's to keep
// elsewhere; the vault holds only content.
//
// # Directory
//
//	dir/             mode 0700
//	dir/keycheck     "coopnode-vault-key/1\n" || HMAC-SHA256(key, "coopnode vault key check v1")
//	dir/tmp/         items being written; emptied by Open (leftovers of a crash)
//	dir/<name>       one file per item
//
// An item's file name is hex(HMAC-SHA256(key, "coopnode vault name v1" ||
// digest)), so the listing reveals nothing about the content: without the key
// a guessed file cannot be confirmed by its name. The keycheck file lets Open
// refuse a wrong key (ErrWrongKey) instead of showing an empty vault and mixing
// items under two keys in one directory.
//
// # Item file
//
//	magic   17 bytes  "coopnode-vault/1\n"
//	salt    32 bytes  random per file
//	slot    48 bytes  the digest sealed under the file key (ciphertext || tag)
//	chunks            the plaintext in 64 KiB chunks, each sealed (+16-byte tag)
//
// The file key is HKDF-SHA256(key, salt, info "coopnode vault file v1"); all
// sealing is ChaCha20-Poly1305 under it, with magic||salt (the first 49 bytes)
// as the associated data, which binds the body to its header. The body is
// age-style STREAM: the nonce of chunk i is i as an 11-byte big-endian counter
// followed by a flag byte, 0x01 on the final chunk and 0x00 on the others. Every
// chunk but the final one holds exactly 64 KiB; the final one holds 1 to 64 KiB,
// or nothing when the item is empty (then it is the only chunk). So the
// plaintext size follows from the file size, and truncation at a chunk
// boundary, reordering, dropping or appending chunks, and tampering all fail
// authentication. The slot uses the nonce of counter 0 with flag 0x02, which no
// chunk uses. Put learns the digest only at the end of the input, so it writes
// the slot last, just before the file is fsynced and renamed into place.
//
// The slot is what makes List possible (names are keyed hashes that cannot be
// reversed); Open also checks it, so a file renamed to another item's name is
// rejected before any content is read. On reading, each chunk is authenticated
// before any of its bytes are returned, and the final chunk's bytes are
// returned only once the whole plaintext hashes to the digest asked for.
//
// One Store per directory at a time: Open empties dir/tmp, which would
// break another Store's Put in progress there.
package vault

import (
	"bytes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"syscall"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/hkdf"
)

var (
	// ErrNotFound: no item with that digest in the vault.
	ErrNotFound = errors.New("no such item in the vault")
	// ErrCorrupt: a vault file fails authentication, is truncated or
	// extended, or its content does not hash to its digest.
	ErrCorrupt = errors.New("vault file is damaged")
	// ErrBadKey: the key is not 32 bytes.
	ErrBadKey = errors.New("vault key must be 32 bytes")
	// ErrWrongKey: the vault directory was created with another key.
	ErrWrongKey = errors.New("the vault was created with a different key")
)

const (
	magic      = "coopnode-vault/1\n"
	saltSize   = 32
	tagSize    = chacha20poly1305.Overhead
	slotSize   = sha256.Size + tagSize
	prefixSize = len(magic) + saltSize // associated data of every seal
	headerSize = prefixSize + slotSize

	chunkSize  = 64 << 10
	sealedSize = chunkSize + tagSize

	keySize = chacha20poly1305.KeySize

	nameLabel     = "coopnode vault name v1"
	fileInfo      = "coopnode vault file v1"
	checkLabel    = "coopnode vault key check v1"
	checkMagic    = "coopnode-vault-key/1\n"
	checkFileName = "keycheck"
	tmpDirName    = "tmp"
)

// Store is a vault directory. It is safe for concurrent use.
type Store struct {
	dir, tmp string
	key      []byte

	// mu serializes publishing and removing files, so two Puts of the same
	// content never rename over each other (which fails on Windows if the
	// file is open) and a Put never races a Remove of the same item.
	mu sync.Mutex

	// createTemp makes Put's temporary file; tests swap it to inject write
	// failures such as a full disk.
	createTemp func(dir string) (tempFile, error)
}

// tempFile is what Put needs of its temporary file.
type tempFile interface {
	io.Writer
	io.WriterAt
	Sync() error
	Close() error
	Name() string
}

func createTemp(dir string) (tempFile, error) { return os.CreateTemp(dir, "put-*") }

// Open opens the vault in dir, creating it (mode 0700) if needed, with key, a
// 32-byte secret the caller derives. It removes temporary files a crash left
// behind. A vault created with another key fails with ErrWrongKey.
func Open(dir string, key []byte) (*Store, error) {
	if len(key) != keySize {
		return nil, fmt.Errorf("open vault %s: the key is %d bytes: %w", dir, len(key), ErrBadKey)
	}
	s := &Store{
		dir:        dir,
		tmp:        filepath.Join(dir, tmpDirName),
		key:        bytes.Clone(key),
		createTemp: createTemp,
	}
	if err := os.MkdirAll(s.tmp, 0o700); err != nil {
		return nil, fmt.Errorf("open vault %s: %w", dir, err)
	}
	// Only unfinished Puts write here, and none of this Store's has begun.
	ents, err := os.ReadDir(s.tmp)
	if err != nil {
		return nil, fmt.Errorf("open vault %s: %w", dir, err)
	}
	for _, e := range ents {
		if err := os.RemoveAll(filepath.Join(s.tmp, e.Name())); err != nil {
			return nil, fmt.Errorf("open vault %s: remove a leftover temporary file: %w", dir, err)
		}
	}
	if err := s.checkKey(); err != nil {
		return nil, err
	}
	return s, nil
}

// checkKey compares key against the vault's keycheck file, writing the file if
// the vault is new.
func (s *Store) checkKey() error {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(checkLabel))
	want := append([]byte(checkMagic), m.Sum(nil)...)
	path := filepath.Join(s.dir, checkFileName)
	got, err := os.ReadFile(path)
	switch {
	case err == nil:
		if len(got) != len(want) || !bytes.HasPrefix(got, []byte(checkMagic)) {
			return fmt.Errorf("open vault %s: %s is damaged (if the key is certainly right, delete that file and open again): %w", s.dir, path, ErrCorrupt)
		}
		if !hmac.Equal(got, want) {
			return s.wrongKeyOrDamaged(path)
		}
		return nil
	case errors.Is(err, fs.ErrNotExist):
		f, err := os.CreateTemp(s.tmp, "keycheck-*")
		if err != nil {
			return fmt.Errorf("open vault %s: %w", s.dir, err)
		}
		_, err = f.Write(want)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(f.Name(), path)
		}
		if err == nil {
			err = syncDir(s.dir)
		}
		if err != nil {
			os.Remove(f.Name())
			return fmt.Errorf("open vault %s: write %s: %w", s.dir, checkFileName, err)
		}
		return nil
	default:
		return fmt.Errorf("open vault %s: %w", s.dir, err)
	}
}

// wrongKeyOrDamaged tells a wrong key from a damaged keycheck file of the
// right length: an item file that opens under the key proves it right.
func (s *Store) wrongKeyOrDamaged(path string) error {
	ents, _ := os.ReadDir(s.dir)
	items := 0
	for _, e := range ents {
		if !isFileName(e.Name()) || !e.Type().IsRegular() {
			continue
		}
		items++
		if _, err := s.digestOf(e.Name()); err == nil {
			return fmt.Errorf("open vault %s: %s is damaged, and the key is right (the vault's items open with it): delete that file and open again, and it is written anew: %w", s.dir, path, ErrCorrupt)
		}
	}
	if items == 0 {
		return fmt.Errorf("open vault %s: %w, or %s is damaged: the vault holds no items to tell which; if the key is certainly right, delete that file and open again", s.dir, ErrWrongKey, path)
	}
	return fmt.Errorf("open vault %s: %w (none of its %d items opens with this key); use the key it was created with", s.dir, ErrWrongKey, items)
}

// fileName is the keyed hash that names d's file, so names do not reveal digests.
func (s *Store) fileName(d Digest) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(nameLabel))
	m.Write(d[:])
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Store) path(d Digest) string { return filepath.Join(s.dir, s.fileName(d)) }

func fileAEAD(key, salt []byte) cipher.AEAD {
	k := make([]byte, keySize)
	if _, err := io.ReadFull(hkdf.New(sha256.New, key, salt, []byte(fileInfo)), k); err != nil {
		panic(err) // HKDF can always give 32 bytes
	}
	aead, err := chacha20poly1305.New(k)
	if err != nil {
		panic(err) // k has the right length
	}
	return aead
}

// chunkNonce is the STREAM nonce: an 11-byte big-endian counter and a flag byte.
func chunkNonce(n *[chacha20poly1305.NonceSize]byte, i uint64, last bool) []byte {
	*n = [chacha20poly1305.NonceSize]byte{}
	binary.BigEndian.PutUint64(n[3:11], i)
	if last {
		n[11] = 1
	}
	return n[:]
}

// slotNonce seals the digest slot; flag 0x02 keeps it apart from every chunk nonce.
var slotNonce = [chacha20poly1305.NonceSize]byte{11: 2}

// Put streams r into the vault and returns the content's digest and size.
// Memory use is a few chunks whatever the size. progress, if non-nil, is
// called after each chunk with the plaintext bytes read so far, ending with
// the size. Putting content already held is a no-op returning the same digest.
//
// When Put returns nil the item is durable: its file was fsynced, renamed into
// place and the directory fsynced. On any error (a failing reader, a full
// disk) nothing of the new item remains and the items already stored are
// untouched; the error says what went wrong and what to do.
func (s *Store) Put(r io.Reader, progress func(done int64)) (Digest, int64, error) {
	f, err := s.createTemp(s.tmp)
	if err != nil {
		return Digest{}, 0, putErr("create a temporary file", err)
	}
	published := false
	defer func() {
		if !published {
			f.Close()
			os.Remove(f.Name())
		}
	}()

	hdr := make([]byte, headerSize) // the slot stays zero until the digest is known
	copy(hdr, magic)
	rand.Read(hdr[len(magic):prefixSize])
	ad := hdr[:prefixSize]
	aead := fileAEAD(s.key, hdr[len(magic):prefixSize])
	if _, err := f.Write(hdr); err != nil {
		return Digest{}, 0, putErr("write the item", err)
	}

	// Reading one chunk ahead tells whether the current chunk is the final one.
	cur := make([]byte, chunkSize)
	next := make([]byte, chunkSize)
	sealed := make([]byte, 0, sealedSize)
	var nonce [chacha20poly1305.NonceSize]byte
	h := sha256.New()
	var total int64

	curN, err := readChunk(r, cur)
	for i := uint64(0); ; i++ {
		if err != nil {
			return Digest{}, 0, readErr(total+int64(curN), err)
		}
		last := curN < chunkSize
		var nextN int
		if !last {
			nextN, err = readChunk(r, next)
			if err != nil {
				return Digest{}, 0, readErr(total+int64(curN+nextN), err)
			}
			last = nextN == 0
		}
		h.Write(cur[:curN])
		sealed = aead.Seal(sealed[:0], chunkNonce(&nonce, i, last), cur[:curN], ad)
		if _, err := f.Write(sealed); err != nil {
			return Digest{}, 0, putErr("write the item", err)
		}
		total += int64(curN)
		if progress != nil {
			progress(total)
		}
		if last {
			break
		}
		cur, next, curN = next, cur, nextN
	}

	var d Digest
	h.Sum(d[:0])
	if _, err := f.WriteAt(aead.Seal(nil, slotNonce[:], d[:], ad), int64(prefixSize)); err != nil {
		return Digest{}, 0, putErr("write the item", err)
	}
	if s.holds(d) { // already stored: skip the fsync
		return d, total, nil
	}
	if err := f.Sync(); err != nil {
		return Digest{}, 0, putErr("save the item", err)
	}
	if err := f.Close(); err != nil {
		return Digest{}, 0, putErr("save the item", err)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.holds(d) { // a concurrent Put of the same content won
		return d, total, nil
	}
	dst := s.path(d)
	if err := os.Rename(f.Name(), dst); err != nil {
		return Digest{}, 0, putErr("save the item", err)
	}
	published = true
	if err := syncDir(s.dir); err != nil {
		// Not durable, so not stored: take it back out.
		os.Remove(dst)
		return Digest{}, 0, putErr("save the item", err)
	}
	return d, total, nil
}

// readChunk fills buf from r, returning a short count only at the end of r.
func readChunk(r io.Reader, buf []byte) (int, error) {
	n, err := io.ReadFull(r, buf)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		err = nil
	}
	return n, err
}

func readErr(done int64, err error) error {
	return fmt.Errorf("add to vault: reading the content failed after %d bytes: %w; nothing was stored: add it again once it can be read", done, err)
}

func putErr(what string, err error) error {
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return fmt.Errorf("add to vault: the disk is full: free space and add it again (%s: %w)", what, err)
	case errors.Is(err, syscall.EDQUOT):
		return fmt.Errorf("add to vault: the disk quota is used up: free space and add it again (%s: %w)", what, err)
	}
	return fmt.Errorf("add to vault: %s: %w; nothing was stored: add it again", what, err)
}

// holds reports whether the vault has a file for d whose header authenticates,
// so Put may skip storing d again (and replaces a file damaged there).
func (s *Store) holds(d Digest) bool {
	f, err := os.Open(s.path(d))
	if err != nil {
		return false
	}
	defer f.Close()
	_, _, got, err := s.readHeader(f)
	return err == nil && got == d
}

// readHeader reads and authenticates a file's header, returning the file's
// AEAD, the associated data and the digest in the slot.
func (s *Store) readHeader(f io.Reader) (cipher.AEAD, []byte, Digest, error) {
	hdr := make([]byte, headerSize)
	if _, err := io.ReadFull(f, hdr); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, nil, Digest{}, fmt.Errorf("the header is cut short: %w", ErrCorrupt)
		}
		return nil, nil, Digest{}, err
	}
	if string(hdr[:len(magic)]) != magic {
		return nil, nil, Digest{}, fmt.Errorf("it does not start as a vault file does: %w", ErrCorrupt)
	}
	ad := hdr[:prefixSize]
	aead := fileAEAD(s.key, hdr[len(magic):prefixSize])
	var d Digest
	if _, err := aead.Open(d[:0], slotNonce[:], hdr[prefixSize:], ad); err != nil {
		return nil, nil, Digest{}, fmt.Errorf("the header fails authentication (altered, or written under another key): %w", ErrCorrupt)
	}
	return aead, ad, d, nil
}

// layout gives the plaintext size, the number of chunks and the sealed length
// of the final chunk of a valid file of fileSize bytes; ok is false if no
// valid file has that length.
func layout(fileSize int64) (size, chunks int64, lastLen int, ok bool) {
	body := fileSize - int64(headerSize)
	if body < tagSize {
		return 0, 0, 0, false
	}
	chunks = (body + sealedSize - 1) / sealedSize
	last := body - (chunks-1)*sealedSize
	// Only an empty item ends in an empty chunk.
	if last < tagSize || last == tagSize && chunks > 1 {
		return 0, 0, 0, false
	}
	return body - chunks*tagSize, chunks, int(last), true
}

func corrupt(d Digest, err error) error {
	return fmt.Errorf("vault item %s: %w; remove it and add it again from another copy", d.Short(), err)
}

// Open returns a reader of the item's plaintext, or ErrNotFound. Each chunk
// is authenticated before its bytes are returned: Read fails with an error
// wrapping ErrCorrupt on tampering, reordering or truncation, and the final
// chunk's bytes are returned only if the plaintext hashes to d.
func (s *Store) Open(d Digest) (*Reader, error) {
	f, err := os.Open(s.path(d))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("vault item %s: %w", d.Short(), ErrNotFound)
		}
		return nil, fmt.Errorf("open vault item %s: %w", d.Short(), err)
	}
	r, err := s.newReader(f, d)
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

func (s *Store) newReader(f *os.File, d Digest) (*Reader, error) {
	aead, ad, got, err := s.readHeader(f)
	if err != nil {
		if errors.Is(err, ErrCorrupt) {
			return nil, corrupt(d, err)
		}
		return nil, fmt.Errorf("open vault item %s: %w", d.Short(), err)
	}
	if got != d {
		return nil, corrupt(d, fmt.Errorf("its file holds another item: %w", ErrCorrupt))
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("open vault item %s: %w", d.Short(), err)
	}
	size, chunks, lastLen, ok := layout(fi.Size())
	if !ok {
		return nil, corrupt(d, fmt.Errorf("its length (%d bytes) is not that of a whole vault file: truncated or extended: %w", fi.Size(), ErrCorrupt))
	}
	return &Reader{
		f: f, aead: aead, ad: ad, want: d,
		size: size, chunks: chunks, lastLen: lastLen,
		buf: make([]byte, sealedSize), h: sha256.New(),
	}, nil
}

// Reader reads an item's plaintext, authenticating as it goes. It is not safe
// for concurrent use; open one Reader per goroutine.
type Reader struct {
	f       *os.File
	aead    cipher.AEAD
	ad      []byte
	want    Digest
	size    int64
	chunks  int64 // in the file
	lastLen int   // sealed length of the final chunk
	next    int64 // index of the next chunk to read
	buf     []byte
	plain   []byte // authenticated bytes not yet returned
	h       hash.Hash
	err     error // sticky: io.EOF, or why reading stopped
}

var _ io.ReadCloser = (*Reader)(nil)

// Size returns the item's plaintext size (known from the file's length).
func (r *Reader) Size() int64 { return r.size }

// Read reads plaintext. Bytes it returns have been authenticated.
func (r *Reader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for len(r.plain) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		r.err = r.fill()
	}
	n := copy(p, r.plain)
	r.plain = r.plain[n:]
	return n, nil
}

// fill reads, authenticates and (on the final chunk) hash-checks the next chunk.
func (r *Reader) fill() error {
	if r.next == r.chunks {
		return io.EOF
	}
	last := r.next == r.chunks-1
	n := sealedSize
	if last {
		n = r.lastLen
	}
	if _, err := io.ReadFull(r.f, r.buf[:n]); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return corrupt(r.want, fmt.Errorf("the file was cut short while reading: %w", ErrCorrupt))
		}
		return fmt.Errorf("read vault item %s: %w", r.want.Short(), err)
	}
	var nonce [chacha20poly1305.NonceSize]byte
	pt, err := r.aead.Open(r.buf[:0], chunkNonce(&nonce, uint64(r.next), last), r.buf[:n], r.ad)
	if err != nil {
		return corrupt(r.want, fmt.Errorf("chunk %d of %d fails authentication (altered, reordered or truncated): %w", r.next, r.chunks, ErrCorrupt))
	}
	r.h.Write(pt)
	if last {
		var got Digest
		r.h.Sum(got[:0])
		if got != r.want {
			return corrupt(r.want, fmt.Errorf("its content hashes to %s: %w", got.Short(), ErrCorrupt))
		}
	}
	r.next++
	r.plain = pt
	return nil
}

var errReaderClosed = fmt.Errorf("vault reader: %w", os.ErrClosed)

// Close closes the item's file.
func (r *Reader) Close() error {
	if r.err == errReaderClosed {
		return nil
	}
	r.err, r.plain = errReaderClosed, nil
	return r.f.Close()
}

// Has reports whether the vault has a file for d. It does not read it; Check does.
func (s *Store) Has(d Digest) bool {
	fi, err := os.Stat(s.path(d))
	return err == nil && fi.Mode().IsRegular()
}

// Remove deletes d's file durably (the directory is fsynced), or returns ErrNotFound.
func (s *Store) Remove(d Digest) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.Remove(s.path(d)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove vault item %s: %w", d.Short(), ErrNotFound)
		}
		return fmt.Errorf("remove vault item %s: %w", d.Short(), err)
	}
	if err := syncDir(s.dir); err != nil {
		return fmt.Errorf("remove vault item %s: %w", d.Short(), err)
	}
	return nil
}

// MoveAside moves d's file, unread, into the directory to (created if
// needed): for content a caller no longer lists but must not delete.
// Moved back into the vault's directory, it is an item again.
func (s *Store) MoveAside(d Digest, to string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.MkdirAll(to, 0o700); err != nil {
		return fmt.Errorf("move vault item %s aside: %w", d.Short(), err)
	}
	name := s.fileName(d)
	if err := os.Rename(s.path(d), filepath.Join(to, name)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("move vault item %s aside: %w", d.Short(), ErrNotFound)
		}
		return fmt.Errorf("move vault item %s aside: %w", d.Short(), err)
	}
	if err := syncDir(to); err != nil {
		return fmt.Errorf("move vault item %s aside: %w", d.Short(), err)
	}
	return syncDir(s.dir)
}

// Check reads d's whole file and verifies it: nil, ErrNotFound, or an error
// wrapping ErrCorrupt (or an I/O error).
func (s *Store) Check(d Digest) error {
	r, err := s.Open(d)
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = io.Copy(io.Discard, r)
	return err
}

// List returns the digests of the vault's items in ascending order, read from
// the authenticated header slot of each file. Files whose header fails are
// left out and reported together in an error wrapping ErrCorrupt, returned
// alongside the digests that could be read. List does not check bodies.
func (s *Store) List() ([]Digest, error) {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("list vault %s: %w", s.dir, err)
	}
	var ds []Digest
	var errs []error
	for _, e := range ents {
		if !isFileName(e.Name()) || !e.Type().IsRegular() {
			continue
		}
		d, err := s.digestOf(e.Name())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ds = append(ds, d)
	}
	slices.SortFunc(ds, func(a, b Digest) int { return bytes.Compare(a[:], b[:]) })
	return ds, errors.Join(errs...)
}

func (s *Store) digestOf(name string) (Digest, error) {
	f, err := os.Open(filepath.Join(s.dir, name))
	if err != nil {
		return Digest{}, fmt.Errorf("list vault: %w", err)
	}
	defer f.Close()
	_, _, d, err := s.readHeader(f)
	if err == nil && s.fileName(d) != name {
		err = fmt.Errorf("it holds an item stored under another name: %w", ErrCorrupt)
	}
	if err != nil {
		return Digest{}, fmt.Errorf("vault file %s: %w; remove it, or add its content again", name, err)
	}
	return d, nil
}

// isFileName reports whether name has the form of an item's file name.
func isFileName(name string) bool {
	if len(name) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// syncDir makes renames and removals in dir durable. Windows cannot fsync a
// directory (and does not need to).
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
