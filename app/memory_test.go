package app

import "testing"

func TestMemoryLimit(t *testing.T) {
	const mib = 1 << 20
	cases := []struct {
		live uint64
		want int64
	}{
		{0, memoryFloor},
		{400 * mib, memoryFloor},         // 400*1.25+256 = 756 MiB: the floor
		{420 * mib, 781 * mib},           // 525+256
		{2048 * mib, (2560 + 256) * mib}, // a co-op five times the reference
	}
	for _, c := range cases {
		if got := memoryLimit(c.live); got != c.want {
			t.Errorf("live %d MiB: limit %d MiB, want %d MiB", c.live/mib, got/mib, c.want/mib)
		}
		if got := memoryLimit(c.live); got <= int64(c.live) {
			t.Errorf("live %d MiB: limit %d MiB holds the node below what it needs", c.live/mib, got/mib)
		}
	}
}
