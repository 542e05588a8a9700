package node

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// Files and folders in a home directory.
const (
	KeyFile   = "identity.json" // the sealed keyring
	LockFile  = "LOCK"          // held (flock) by the process using the home
	DBDir     = "db"            // Badger, encrypted with a key derived from the member secret
	TokenFile = "api.token"     // the local API's bearer token (0600)
	APIFile   = "api.json"      // where the running process serves its API
)

// DefaultHome is the per-user data directory: $XDG_DATA_HOME/coopnode (or
// ~/.local/share/coopnode) on Linux, ~/Library/Application Support/coopnode on macOS.
func DefaultHome() (string, error) {
	if runtime.GOOS == "darwin" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(h, "Library", "Application Support", "coopnode"), nil
	}
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "coopnode"), nil
	}
	h, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no home directory to keep data in (set --home or COOPNODE_HOME): %w", err)
	}
	return filepath.Join(h, ".local", "share", "coopnode"), nil
}

// Initialized reports whether home holds a member identity.
func Initialized(home string) bool {
	_, err := os.Stat(filepath.Join(home, KeyFile))
	return err == nil
}

// HomeLock is an exclusive advisory lock on a home directory. A process that
// serves a home holds it for its whole life, even while the keys are locked.
type HomeLock struct{ f *os.File }

// LockHome takes the home's lock or fails with ErrInUse naming the holder's PID.
func LockHome(home string) (*HomeLock, error) {
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, fmt.Errorf("create home %s: %w", home, err)
	}
	f, err := os.OpenFile(filepath.Join(home, LockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock in %s: %w", home, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b := make([]byte, 32)
		n, _ := f.ReadAt(b, 0)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			pid := strings.TrimSpace(string(b[:n]))
			return nil, fmt.Errorf("%w: %s is used by another coopnode process (pid %s); use that one, or stop it first", ErrInUse, home, pid)
		}
		return nil, fmt.Errorf("lock %s: %w", home, err)
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return &HomeLock{f: f}, nil
}

// Release gives the lock up. Safe to call more than once.
func (l *HomeLock) Release() {
	if l != nil && l.f != nil {
		_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
		_ = l.f.Close()
		l.f = nil
	}
}

// writeFileAtomic writes data to path via a synced temporary file and rename,
// so a crash leaves either the old file or the new one, never half of one.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	return commitFile(tmp, path, perm)
}

// commitFile makes tmp, written in path's directory, path: durably, and
// all at once for readers.
func commitFile(tmp *os.File, path string, perm os.FileMode) error {
	if err := tmp.Chmod(perm); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
