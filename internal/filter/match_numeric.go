package filter

// Numbers are compared the way EventBridge does: as exact decimals with at
// most six digits after the point, between -5e9 and +5e9 inclusive. Such a
// number is held as an int64 count of millionths. Numbers outside that range
// or finer than a millionth cannot be compared: numeric operators never
// match them, and exact number values fall back to their spelling.

const (
	maxNumericMillionths = 5_000_000_000 * 1_000_000
	numericScale         = 6
)

// comparable converts the JSON number text s to millionths. ok is false for
// text that is not a number, or a number outside EventBridge's range or
// precision. It reads s in place.
func comparable(s []byte) (v int64, ok bool) {
	if v, ok, done := comparableInt(s); done {
		return v, ok
	}
	return comparableDecimal(s)
}

// comparableDecimal is comparable for any number text.
func comparableDecimal(s []byte) (v int64, ok bool) {
	if end, valid := scanNumber(s, 0); !valid || end != len(s) {
		return 0, false
	}
	neg := s[0] == '-'
	mant, exp, ok := mantissa(s)
	if !ok {
		return 0, false
	}
	first, last := -1, -1 // first and last non-zero digit positions in mant
	for i, c := range mant {
		if c >= '1' && c <= '9' {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return 0, true
	}
	exp += digitsBetween(mant, last+1, len(mant)) // trailing zeros
	if exp < -numericScale {
		return 0, false
	}
	n := digitsBetween(mant, first, last+1)
	if n+exp+numericScale > 16 {
		return 0, false
	}
	u := accumulate(mant[first : last+1])
	for range exp + numericScale {
		u *= 10
	}
	if u > maxNumericMillionths {
		return 0, false
	}
	if neg {
		u = -u
	}
	return u, true
}

// comparableInt is comparable for the common case, a plain integer of at most
// ten digits (epoch seconds, counts), with the same answers; done is false
// for anything else.
func comparableInt(s []byte) (v int64, ok, done bool) {
	digits := s
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 10 || digits[0] == '0' && len(digits) > 1 {
		return 0, false, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false, false
		}
		v = v*10 + int64(c-'0')
	}
	v *= 1_000_000 // at most 9,999,999,999e6: no overflow
	if v > maxNumericMillionths {
		return 0, false, true
	}
	if len(digits) < len(s) {
		v = -v
	}
	return v, true, true
}

// mantissa returns the digits-and-point part of valid number text and the
// exponent that applies to its digits read as an integer.
func mantissa(s []byte) (mant []byte, exp int, ok bool) {
	if s[0] == '-' {
		s = s[1:]
	}
	end := len(s)
	for i, c := range s {
		if c == 'e' || c == 'E' {
			e, ok := parseExponent(s[i+1:])
			if !ok {
				return nil, 0, false
			}
			exp, end = e, i
			break
		}
	}
	mant = s[:end]
	for i, c := range mant {
		if c == '.' {
			exp -= len(mant) - i - 1
			break
		}
	}
	return mant, exp, true
}

// digitsBetween counts the digits (not the point) in mant[from:to].
func digitsBetween(mant []byte, from, to int) int {
	n := 0
	for _, c := range mant[from:to] {
		if c != '.' {
			n++
		}
	}
	return n
}

func accumulate(mant []byte) int64 {
	var u int64
	for _, c := range mant {
		if c != '.' {
			u = u*10 + int64(c-'0')
		}
	}
	return u
}

func parseExponent(s []byte) (int, bool) {
	neg := false
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		neg, s = s[0] == '-', s[1:]
	}
	if len(s) == 0 || len(s) > 4 {
		return 0, false
	}
	e := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		e = e*10 + int(c-'0')
	}
	if neg {
		e = -e
	}
	return e, true
}

// numRange is a numeric condition: an optional lower and upper bound.
type numRange struct {
	lo, hi         int64
	hasLo, hasHi   bool
	openLo, openHi bool // true: the bound itself is excluded
}

func (r *numRange) contains(v int64) bool {
	if r.hasLo && (v < r.lo || r.openLo && v == r.lo) {
		return false
	}
	if r.hasHi && (v > r.hi || r.openHi && v == r.hi) {
		return false
	}
	return true
}
