package app

import "testing"

func TestGCTarget(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want int
		set  bool
	}{
		{map[string]string{}, gcPercent, true},
		{map[string]string{"GOGC": "200"}, 0, false},
		{map[string]string{"GOMEMLIMIT": "2GiB"}, 0, false},
		{map[string]string{"GOGC": "off", "GOMEMLIMIT": "1GiB"}, 0, false},
	}
	for _, c := range cases {
		got, set := gcTarget(func(k string) string { return c.env[k] })
		if got != c.want || set != c.set {
			t.Errorf("%v: %d %v, want %d %v", c.env, got, set, c.want, c.set)
		}
	}
}
