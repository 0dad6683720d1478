package cluster

import (
	"errors"
	"math"
	"math/bits"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// Bounds on the quantities parseQuantity reads: resource.ParseQuantity
// rounds to nano-units by computing 10^-exponent, so "1e-999999999" takes
// minutes and gigabytes; real quantities are a few characters long.
const (
	maxQuantityLen      = 64
	maxQuantityExponent = 1000
)

var (
	errQuantityTooLong  = errors.New("quantity too long")
	errQuantityExponent = errors.New("quantity exponent out of range")
)

// parseQuantity is resource.ParseQuantity for strings from the cluster
// (NodeClaim allocatable), in bounded time: longer strings and exponents
// beyond 1e±1000 are errors.
func parseQuantity(s string) (resource.Quantity, error) {
	if len(s) > maxQuantityLen {
		return resource.Quantity{}, errQuantityTooLong
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		exp := strings.TrimLeft(s[i+1:], "+-") // "Ei" and "E" are suffixes, not exponents
		if n, err := strconv.ParseUint(exp, 10, 64); exp != "" && strings.Trim(exp, "0123456789") == "" &&
			(err != nil || n > maxQuantityExponent) {
			return resource.Quantity{}, errQuantityExponent
		}
	}
	return resource.ParseQuantity(s)
}

// The model keeps quantities in milli-units in an int64 (1 core = 1000,
// 1 byte = 1000), which holds up to 8 EiB of memory or 9.2e15 cores. Beyond
// that a value saturates at math.MaxInt64 instead of wrapping: a pod asking
// for 10P cpu or 1Ei memory counts as "everything", never as 0 or negative.
// Negative quantities (invalid in a pod spec, possible in a NodeClaim's
// status) count as 0.

// maxWholeMilli is the largest whole number of units whose milli-value
// fits in an int64.
const maxWholeMilli = math.MaxInt64 / 1000

// wholeMilli is maxWholeMilli as a quantity.
var wholeMilli = *resource.NewQuantity(maxWholeMilli, resource.DecimalSI)

// Magnitude classes of a quantity. A decimal quantity can be written with
// any exponent ("1e999999999"): arithmetic on it (even a comparison, which
// aligns scales) would build numbers of a billion digits. Such values are
// classified from their approximate size first and never computed with.
const (
	normal = iota
	huge   // |q| >= 1e25: saturates every sum of non-negatives it is in
	tiny   // 0 < |q| < 1e-12: adds a fraction of a milli-unit
)

// magnitude classifies q in time bounded by the length of its digits.
func magnitude(q *resource.Quantity) int {
	class, _ := magnitudeAbs(q)
	return class
}

// magnitudeAbs is magnitude and |q| as a float (NaN when not computed).
func magnitudeAbs(q *resource.Quantity) (int, float64) {
	f := math.Abs(q.AsApproximateFloat64())
	switch {
	case f >= 1e25 && !math.IsInf(f, 0):
		return huge, f
	case f >= 1e-12 && f < 1e25:
		return normal, f
	case f == 0 && q.Sign() == 0:
		return normal, f
	}
	// Inf, NaN or 0 for a non-zero value: the float overflowed or
	// underflowed; estimate the decimal exponent from the digits.
	d := q.AsDec() // q is a copy of the caller's; its inf.Dec is not changed
	exp10 := float64(d.UnscaledBig().BitLen())*math.Log10(2) - float64(d.Scale())
	switch {
	case exp10 >= 27:
		return huge, math.NaN()
	case exp10 < -14:
		return tiny, math.NaN()
	}
	return normal, math.NaN()
}

// safeMilli: below this many units (approximately), MilliValue cannot
// overflow.
const safeMilli = 9e15

// satMilli is q in milli-units, rounded up, clamped to [0, math.MaxInt64].
func satMilli(q resource.Quantity) int64 {
	if q.Sign() <= 0 {
		return 0
	}
	class, abs := magnitudeAbs(&q)
	return satMilliOf(&q, class, abs)
}

// satMilliOf is satMilli of a positive q of this magnitude.
func satMilliOf(q *resource.Quantity, class int, abs float64) int64 {
	switch {
	case class == huge:
		return math.MaxInt64
	case class == tiny:
		return 1
	case abs < safeMilli:
		return q.MilliValue()
	}
	if q.CmpInt64(maxWholeMilli) <= 0 {
		return q.MilliValue() // cannot overflow
	}
	if q.CmpInt64(maxWholeMilli+1) >= 0 {
		return math.MaxInt64
	}
	// Within one unit of saturation: the whole units' milli-value plus the
	// fraction's, which fits or saturates.
	frac := q.DeepCopy()
	frac.Sub(wholeMilli)
	if m := frac.MilliValue(); m <= math.MaxInt64-maxWholeMilli*1000 {
		return maxWholeMilli*1000 + m
	}
	return math.MaxInt64
}

// satAdd is a+b for non-negative a and b, saturating at math.MaxInt64.
func satAdd(a, b int64) int64 {
	if s := a + b; s >= a {
		return s
	}
	return math.MaxInt64
}

// wide is an exact 128-bit two's-complement sum. The model's running totals
// add and later subtract each pod's (saturated) requests: a saturating sum
// could not be taken back exactly, a 128-bit one can (2^63 pods of
// math.MaxInt64 each still fit).
type wide struct {
	hi int64
	lo uint64
}

// add adds v*sign (sign is 1 or -1; v is never math.MinInt64).
func (w *wide) add(v int64, sign int) {
	w.addWide(wide{hi: v >> 63, lo: uint64(v)}, sign)
}

func (w *wide) addWide(x wide, sign int) {
	if sign < 0 {
		lo, borrow := bits.Sub64(0, x.lo, 0)
		x = wide{hi: -x.hi - int64(borrow), lo: lo}
	}
	lo, carry := bits.Add64(w.lo, x.lo, 0)
	w.hi += x.hi + int64(carry)
	w.lo = lo
}

// sat is the sum clamped to the int64 range.
func (w wide) sat() int64 {
	switch {
	case w.hi == 0 && w.lo <= math.MaxInt64, w.hi == -1 && w.lo > math.MaxInt64:
		return int64(w.lo)
	case w.hi < 0:
		return math.MinInt64
	}
	return math.MaxInt64
}
