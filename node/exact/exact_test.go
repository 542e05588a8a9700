package exact

import (
	"errors"
	"testing"
)

func TestRatio(t *testing.T) {
	for _, tc := range []struct {
		r       Ratio
		pct     string
		prop    bool
		cmpHalf int
	}{
		{R(1, 2), "50%", true, 0},
		{R(2, 3), "66.67%", true, 1},
		{R(1, 3), "33.33%", true, -1},
		{R(0, 1), "0%", true, -1},
		{R(1, 1), "100%", true, 1},
		{R(1, 8), "12.5%", true, -1},
		{R(5, 4), "125%", false, 1},
		{R(-1, 4), "-25%", false, -1},
		{R(1<<60, 1<<61), "50%", false, 0}, // out of JSON-exact range
	} {
		if got := tc.r.Percent(); tc.pct != "?" && got != tc.pct {
			t.Errorf("%v.Percent() = %s, want %s", tc.r, got, tc.pct)
		}
		if err := tc.r.ValidateProportion(); (err == nil) != tc.prop {
			t.Errorf("%v.ValidateProportion() = %v", tc.r, err)
		}
		if got := tc.r.Cmp(R(1, 2)); got != tc.cmpHalf {
			t.Errorf("%v.Cmp(1/2) = %d, want %d", tc.r, got, tc.cmpHalf)
		}
	}
	if err := R(1, 0).Validate(); !errors.Is(err, ErrBadRatio) {
		t.Fatal("zero denominator accepted")
	}
	if r, err := ParseRatio("2/3"); err != nil || r != R(2, 3) {
		t.Fatal(r, err)
	}
	for _, s := range []string{"2", "a/b", "1/0", "1/-2"} {
		if _, err := ParseRatio(s); err == nil {
			t.Errorf("ParseRatio(%q) accepted", s)
		}
	}
}
