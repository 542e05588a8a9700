package replicate

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"slices"
	"testing"
)

// FuzzFrames: whatever a peer sends, reading frames and their contents
// fails cleanly or round-trips.
func FuzzFrames(f *testing.F) {
	var buf bytes.Buffer
	fw := &frameWriter{w: bufio.NewWriter(&buf)}
	fw.write(fRecords, encodeRecords([][]byte{[]byte("one"), []byte("two")}))
	fw.write(fWant, make([]byte, 64))
	fw.w.Flush()
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		fr := &frameReader{r: bufio.NewReader(bytes.NewReader(b))}
		for {
			typ, p, err := fr.read()
			if err != nil {
				if err != io.EOF && !errors.Is(err, ErrProtocol) {
					t.Fatalf("unexpected error kind: %v", err)
				}
				return
			}
			switch typ {
			case fRecords:
				recs, err := decodeRecords(p)
				if err != nil {
					break
				}
				again, err := decodeRecords(encodeRecords(recs))
				if err != nil || !slices.EqualFunc(recs, again, bytes.Equal) {
					t.Fatal("records frame does not round-trip")
				}
			case fWant:
				ids, err := decodeIDs(p)
				if err == nil && !slices.Equal(encodeIDs(ids), p) {
					t.Fatal("ID list does not round-trip")
				}
			}
		}
	})
}
