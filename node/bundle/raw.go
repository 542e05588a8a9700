package bundle

// NextRaw returns the next record's bytes without decoding or verifying
// them, or io.EOF once the trailer has checked out, as Next does. It is
// for readers that verify records in batches on every core and keep only
// some of what they read (node.Import): they must decode and verify every
// record themselves (record.Decode, record.DecodeAll), and the bundle is
// only good once NextRaw has returned io.EOF. The bytes are the caller's.
func (r *Reader) NextRaw() ([]byte, error) {
	if r.done || r.seen == r.hdr.Records {
		_, err := r.Next() // the trailer, or io.EOF again
		return nil, err
	}
	return r.nextRaw()
}
