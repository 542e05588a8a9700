package replicate

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/coopnode/coopnode/node/record"
)

// Frames on a stream: a type byte, a uvarint length, the payload.
const (
	fHello   byte = 1 // co-op ID (32 bytes) and protocol version (1 byte)
	fRecon   byte = 2 // a recon message
	fRecords byte = 3 // uvarint count, then per record uvarint length and binary form
	fWant    byte = 4 // record IDs, 32 bytes each
	fDone    byte = 5 // the sender has nothing more to send in this session
)

const (
	version = 1
	// maxFrame bounds what a peer can make us buffer. A recon message can
	// list many IDs (two disjoint sets of a million IDs list 32 MB); record
	// batches stay near batchBytes.
	maxFrame   = 64 << 20
	batchBytes = 1 << 20
)

// ErrProtocol: the peer broke the sync protocol.
var ErrProtocol = errors.New("sync protocol error")

type frameWriter struct {
	w     *bufio.Writer
	bytes int64
}

func (fw *frameWriter) write(t byte, payload []byte) error {
	var hdr [1 + binary.MaxVarintLen64]byte
	hdr[0] = t
	n := 1 + binary.PutUvarint(hdr[1:], uint64(len(payload)))
	if _, err := fw.w.Write(hdr[:n]); err != nil {
		return err
	}
	if _, err := fw.w.Write(payload); err != nil {
		return err
	}
	fw.bytes += int64(n + len(payload))
	return nil
}

type frameReader struct {
	r     *bufio.Reader
	bytes int64
}

// read returns the next frame; io.EOF only at a frame boundary.
func (fr *frameReader) read() (byte, []byte, error) {
	t, err := fr.r.ReadByte()
	if err != nil {
		return 0, nil, err
	}
	n, err := binary.ReadUvarint(fr.r)
	if err != nil {
		return 0, nil, fmt.Errorf("%w: frame length: %v", ErrProtocol, noEOF(err))
	}
	if n > maxFrame {
		return 0, nil, fmt.Errorf("%w: a frame of %d bytes (at most %d)", ErrProtocol, n, maxFrame)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(fr.r, b); err != nil {
		return 0, nil, fmt.Errorf("%w: frame body: %v", ErrProtocol, noEOF(err))
	}
	fr.bytes += int64(1 + uvarintLen(n) + len(b))
	return t, b, nil
}

func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

func uvarintLen(n uint64) int { return len(binary.AppendUvarint(nil, n)) }

func helloPayload(coop record.ID) []byte { return append(coop[:], version) }

func checkHello(t byte, p []byte, coop record.ID) error {
	if t != fHello {
		return fmt.Errorf("%w: expected hello, got frame type %d", ErrProtocol, t)
	}
	if len(p) != 33 {
		return fmt.Errorf("%w: hello of %d bytes", ErrProtocol, len(p))
	}
	var c record.ID
	copy(c[:], p)
	if c != coop {
		return fmt.Errorf("the peer syncs another co-op (%s, ours is %s)", c.Short(), coop.Short())
	}
	if p[32] != version {
		return fmt.Errorf("the peer speaks sync protocol version %d, we speak %d: one of you needs to update coopnode", p[32], version)
	}
	return nil
}

// encodeRecords packs records' binary forms into one frame payload.
func encodeRecords(recs [][]byte) []byte {
	size := binary.MaxVarintLen64
	for _, r := range recs {
		size += binary.MaxVarintLen64 + len(r)
	}
	b := binary.AppendUvarint(make([]byte, 0, size), uint64(len(recs)))
	for _, r := range recs {
		b = binary.AppendUvarint(b, uint64(len(r)))
		b = append(b, r...)
	}
	return b
}

// decodeRecords splits a records frame into the records' binary forms.
func decodeRecords(p []byte) ([][]byte, error) {
	n, k := binary.Uvarint(p)
	if k <= 0 || n > uint64(len(p)) {
		return nil, fmt.Errorf("%w: bad record count", ErrProtocol)
	}
	p = p[k:]
	out := make([][]byte, 0, n)
	for range n {
		l, k := binary.Uvarint(p)
		if k <= 0 || l > uint64(len(p)-k) {
			return nil, fmt.Errorf("%w: bad record length", ErrProtocol)
		}
		out = append(out, p[k:k+int(l)])
		p = p[k+int(l):]
	}
	if len(p) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the last record", ErrProtocol, len(p))
	}
	return out, nil
}

func encodeIDs(ids []record.ID) []byte {
	b := make([]byte, 0, 32*len(ids))
	for _, id := range ids {
		b = append(b, id[:]...)
	}
	return b
}

func decodeIDs(p []byte) ([]record.ID, error) {
	if len(p)%32 != 0 {
		return nil, fmt.Errorf("%w: an ID list of %d bytes", ErrProtocol, len(p))
	}
	out := make([]record.ID, len(p)/32)
	for i := range out {
		copy(out[i][:], p[32*i:])
	}
	return out, nil
}
