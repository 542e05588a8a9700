// Package exact holds the exact numbers the co-op's rules are written in.
// Domain code never uses floating point, so every machine computes the same
// quorum checks, tallies and allocations bit for bit.
package exact

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// maxSafe is 2^53: RFC 8785 writes JSON numbers as doubles, so larger integers would not round-trip.
const maxSafe = 1 << 53

// Ratio is an exact fraction Num/Den, written in records as {"num": n, "den": d}.
type Ratio struct {
	Num int64 `json:"num"`
	Den int64 `json:"den"`
}

// R returns num/den.
func R(num, den int64) Ratio { return Ratio{Num: num, Den: den} }

// ErrBadRatio: a ratio with a zero or negative denominator, or out of range.
var ErrBadRatio = errors.New("bad ratio")

// Validate checks den > 0 and that both parts are exact in JSON.
func (r Ratio) Validate() error {
	if r.Den <= 0 || r.Den > maxSafe || r.Num < -maxSafe || r.Num > maxSafe {
		return fmt.Errorf("%w: %d/%d (denominator must be positive, parts within ±2^53)", ErrBadRatio, r.Num, r.Den)
	}
	return nil
}

// ValidateProportion checks 0 <= r <= 1, as quorums and thresholds must be.
func (r Ratio) ValidateProportion() error {
	if err := r.Validate(); err != nil {
		return err
	}
	if r.Num < 0 || r.Num > r.Den {
		return fmt.Errorf("%w: %d/%d is not between 0 and 1", ErrBadRatio, r.Num, r.Den)
	}
	return nil
}

// Cmp compares r and o exactly: -1, 0 or +1.
func (r Ratio) Cmp(o Ratio) int {
	a := new(big.Int).Mul(big.NewInt(r.Num), big.NewInt(o.Den))
	b := new(big.Int).Mul(big.NewInt(o.Num), big.NewInt(r.Den))
	return a.Cmp(b)
}

// String is "n/d".
func (r Ratio) String() string { return fmt.Sprintf("%d/%d", r.Num, r.Den) }

// Percent writes r as a percentage rounded half up to two decimals, for display only.
func (r Ratio) Percent() string {
	if r.Den == 0 {
		return "?"
	}
	// 10000*num/den rounded half up, in integers.
	neg := (r.Num < 0) != (r.Den < 0)
	n := new(big.Int).Mul(new(big.Int).Abs(big.NewInt(r.Num)), big.NewInt(20000))
	d := new(big.Int).Abs(big.NewInt(r.Den))
	n.Add(n, d)
	n.Quo(n, d.Mul(d, big.NewInt(2)))
	s := n.String()
	for len(s) < 3 {
		s = "0" + s
	}
	out := s[:len(s)-2] + "." + s[len(s)-2:]
	out = strings.TrimSuffix(strings.TrimSuffix(out, "0"), "0")
	out = strings.TrimSuffix(out, ".")
	if neg {
		out = "-" + out
	}
	return out + "%"
}

// ParseRatio parses "n/d".
func ParseRatio(s string) (Ratio, error) {
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return Ratio{}, fmt.Errorf("%w: %q is not n/d", ErrBadRatio, s)
	}
	n, err1 := strconv.ParseInt(a, 10, 64)
	d, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil {
		return Ratio{}, fmt.Errorf("%w: %q is not n/d with integers", ErrBadRatio, s)
	}
	r := Ratio{n, d}
	return r, r.Validate()
}
