package filter

import (
	"bytes"
	"strconv"
	"strings"
)

// ipRange is an inclusive range of IPv4 or IPv6 addresses. A CIDR's range
// runs from its address with every host bit cleared to the same with every
// host bit set, whatever host bits were written.
type ipRange struct {
	lo, hi [16]byte
	n      int // 4 or 16
}

func (r *ipRange) contains(addr [16]byte, n int) bool {
	return n == r.n && bytes.Compare(addr[:n], r.lo[:n]) >= 0 && bytes.Compare(addr[:n], r.hi[:n]) <= 0
}

// parseCIDR compiles the value of a "cidr" operator.
func parseCIDR(s, path string) (*ipRange, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 2 {
		return nil, failf(path, "Malformed CIDR, one '/' required")
	}
	bits, err := strconv.Atoi(parts[1])
	if err != nil {
		return nil, failf(path, "Malformed CIDR, mask bits must be an integer")
	}
	if bits < 0 {
		return nil, failf(path, "Malformed CIDR, mask bits must not be negative")
	}
	addr, n, ok := parseIP([]byte(parts[0]))
	if !ok {
		return nil, failf(path, "Nonstandard IP address: %s", parts[0])
	}
	if n == 4 && bits > 31 {
		return nil, failf(path, "IPv4 mask bits must be < 32")
	}
	if n == 16 && bits > 127 {
		return nil, failf(path, "IPv6 mask bits must be < 128")
	}
	r := &ipRange{lo: addr, hi: addr, n: n}
	for i := bits; i < n*8; i++ {
		r.lo[i/8] &^= 0x80 >> (i % 8)
		r.hi[i/8] |= 0x80 >> (i % 8)
	}
	return r, nil
}

// exactIP returns the one-address range for a pattern string that is an IP
// address literal, as EventBridge matches such strings by address.
func exactIP(s string) (*ipRange, bool) {
	addr, n, ok := parseIP([]byte(s))
	if !ok {
		return nil, false
	}
	return &ipRange{lo: addr, hi: addr, n: n}, true
}

// parseIP parses an IPv4 dotted quad or an IPv6 address (no zone, no
// embedded IPv4). n is 4 or 16.
func parseIP(s []byte) (addr [16]byte, n int, ok bool) {
	if bytes.IndexByte(s, ':') >= 0 {
		addr, ok = parseIPv6(s)
		return addr, 16, ok
	}
	addr, ok = parseIPv4(s)
	return addr, 4, ok
}

func parseIPv4(s []byte) (addr [16]byte, ok bool) {
	part, digits := 0, 0
	val := 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			val = val*10 + int(c-'0')
			digits++
			if val > 255 || digits > 3 {
				return addr, false
			}
		case c == '.' && digits > 0 && part < 3:
			addr[part] = byte(val)
			part, digits, val = part+1, 0, 0
		default:
			return addr, false
		}
	}
	if part != 3 || digits == 0 {
		return addr, false
	}
	addr[3] = byte(val)
	return addr, true
}

func parseIPv6(s []byte) (addr [16]byte, ok bool) {
	var groups [8]uint16
	n, gap := 0, -1
	i := 0
	if len(s) >= 2 && s[0] == ':' && s[1] == ':' {
		gap, i = 0, 2
	} else if len(s) > 0 && s[0] == ':' {
		return addr, false
	}
	for i < len(s) {
		v, j, ok := hexGroup(s, i)
		if !ok || n == 8 {
			return addr, false
		}
		groups[n], n, i = v, n+1, j
		if i == len(s) {
			break
		}
		if s[i] != ':' {
			return addr, false
		}
		i++
		if i < len(s) && s[i] == ':' {
			if gap >= 0 {
				return addr, false
			}
			gap, i = n, i+1
		} else if i == len(s) {
			return addr, false
		}
	}
	return expandIPv6(groups, n, gap)
}

func hexGroup(s []byte, i int) (uint16, int, bool) {
	var v uint16
	start := i
	for i < len(s) && i-start < 5 {
		c := s[i]
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return v, i, i > start && i-start <= 4
		}
		v = v<<4 | uint16(d)
		i++
	}
	return v, i, i > start && i-start <= 4
}

func expandIPv6(groups [8]uint16, n, gap int) (addr [16]byte, ok bool) {
	if gap < 0 && n != 8 || gap >= 0 && n > 7 {
		return addr, false
	}
	var full [8]uint16
	if gap < 0 {
		full = groups
	} else {
		copy(full[:gap], groups[:gap])
		copy(full[8-(n-gap):], groups[gap:n])
	}
	for k, g := range full {
		addr[2*k], addr[2*k+1] = byte(g>>8), byte(g)
	}
	return addr, true
}
