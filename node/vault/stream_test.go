//go:build linux || darwin

package vault

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	streamHelperEnv = "COOPNODE_VAULT_STREAM_HELPER"
	streamSize      = 500 << 20
	maxStreamRSS    = 256 << 20
)

// TestStreamsInBoundedMemory puts and reads back a 500 MiB item in a child
// process and bounds that process's peak RSS, which would be ~1 GiB if
// anything along the way held the item in memory.
func TestStreamsInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 500 MiB")
	}
	unit := int64(1024) // Maxrss is in kilobytes on Linux, bytes on macOS
	if runtime.GOOS == "darwin" {
		unit = 1
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperStream$", "-test.v", "-test.count=1", "-test.timeout=10m")
	cmd.Env = append(os.Environ(), streamHelperEnv+"=1")
	out, err := cmd.CombinedOutput()
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); strings.Contains(line, "MiB") {
			t.Log("child: " + line)
		}
	}
	if err != nil {
		t.Fatalf("helper failed: %v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("--- PASS: TestHelperStream")) {
		t.Fatalf("helper did not run:\n%s", out)
	}
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss * unit
	t.Logf("peak RSS %d MiB for a %d MiB item", rss>>20, streamSize>>20)
	if rss > maxStreamRSS {
		t.Errorf("peak RSS %d MiB exceeds %d MiB: something holds the item in memory", rss>>20, maxStreamRSS>>20)
	}
}

// TestHelperStream is TestStreamsInBoundedMemory's child.
func TestHelperStream(t *testing.T) {
	if os.Getenv(streamHelperEnv) == "" {
		t.Skip("run by TestStreamsInBoundedMemory")
	}
	s := newStore(t)
	mib := func(d time.Duration) float64 { return streamSize / (1 << 20) / d.Seconds() }

	start := time.Now()
	h := sha256.New()
	if _, err := io.Copy(h, newPatternReader(streamSize)); err != nil {
		t.Fatal(err)
	}
	var want Digest
	h.Sum(want[:0])
	t.Logf("generate and hash: %.0f MiB/s", mib(time.Since(start)))

	start = time.Now()
	var progressed int64
	d, n, err := s.Put(newPatternReader(streamSize), func(done int64) { progressed = done })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("put %d MiB in %v: %.0f MiB/s", streamSize>>20, time.Since(start).Round(time.Millisecond), mib(time.Since(start)))
	if d != want || n != streamSize || progressed != streamSize {
		t.Fatalf("Put = %s, %d (progress %d); want %s, %d", d.Short(), n, progressed, want.Short(), streamSize)
	}

	start = time.Now()
	r, err := s.Open(d)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Size() != streamSize {
		t.Fatalf("Size %d, want %d", r.Size(), streamSize)
	}
	h.Reset()
	m, err := io.Copy(h, r)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("read %d MiB in %v: %.0f MiB/s", streamSize>>20, time.Since(start).Round(time.Millisecond), mib(time.Since(start)))
	var got Digest
	h.Sum(got[:0])
	if got != want || m != streamSize {
		t.Fatalf("read back %d bytes hashing to %s, want %s", m, got.Short(), want.Short())
	}
}

// patternReader yields n bytes without holding them: a random block repeated,
// each repetition stamped with its index, so no two chunks are alike. The
// block's prime length keeps repetitions out of step with chunks.
type patternReader struct {
	block, cur []byte
	off        int
	count      uint64
	left       int64
}

func newPatternReader(n int64) *patternReader {
	block := randBytes(65521, 42)
	return &patternReader{block: block, cur: make([]byte, len(block)), off: len(block), left: n}
}

func (p *patternReader) Read(b []byte) (int, error) {
	if p.left == 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > p.left {
		b = b[:p.left]
	}
	n := 0
	for n < len(b) {
		if p.off == len(p.cur) {
			copy(p.cur, p.block)
			binary.LittleEndian.PutUint64(p.cur, p.count)
			p.count++
			p.off = 0
		}
		k := copy(b[n:], p.cur[p.off:])
		p.off += k
		n += k
	}
	p.left -= int64(n)
	return n, nil
}
