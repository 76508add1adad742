package replay

import (
	"encoding/binary"
	"unsafe"
)

// Eight bytes at a time: JSON strings are mostly runs of plain ASCII, and checking a word for the
// few bytes that need care skips such a run faster than a table lookup per byte.

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// word is the 8 bytes of s from i, which must be in range.
func word(s string, i int) uint64 {
	return binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))
}

// specialMask has the high bit set in the lowest byte of w that ends a plain run inside a JSON
// string (a control character, '"' or '\\'; bytes from 0x80 up do not count), and possibly in
// higher ones; 0 when there is none. Only the lowest flag is exact.
func specialMask(w uint64) uint64 {
	q, bs := w^(lsb*'"'), w^(lsb*'\\')
	return ((w-lsb*0x20)&^w | (q-lsb)&^q | (bs-lsb)&^bs) & msb
}
