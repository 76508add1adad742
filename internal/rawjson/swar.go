package rawjson

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// Eight bytes at a time: JSON strings are mostly runs of plain ASCII, and testing a word for the
// few bytes that need care passes over such a run faster than a table lookup per byte. Each mask
// below has the high bit set in the lowest byte of the word that it looks for, and possibly in
// higher ones (a borrow may carry past the first match): callers use only the lowest set bit.

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// word is the 8 bytes of b from i, which must be in range.
func word(b []byte, i int) uint64 { return binary.LittleEndian.Uint64(b[i:]) }

// wordString is the 8 bytes of s from i, which must be in range.
func wordString(s string, i int) uint64 {
	return binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))
}

// byteMask flags the bytes of w equal to c.
func byteMask(w uint64, c byte) uint64 {
	x := w ^ (lsb * uint64(c))
	return (x - lsb) &^ x & msb
}

// quoteMask flags the quotes and backslashes of w.
func quoteMask(w uint64) uint64 { return byteMask(w, '"') | byteMask(w, '\\') }

// stopMask flags the bytes that end a plain run inside a JSON string: '"', '\\' and the control
// characters, which a JSON string may not hold unescaped. Bytes from 0x80 up do not count.
func stopMask(w uint64) uint64 {
	return ((w-lsb*0x20)&^w | byteMask(w, '"') | byteMask(w, '\\')) & msb
}

// writeMask flags the bytes a string writer must look at: those of stopMask and every byte from
// 0x80 up (UTF-8 to check).
func writeMask(w uint64) uint64 {
	q, bs := w^(lsb*'"'), w^(lsb*'\\')
	return ((w - lsb*0x20) | (q - lsb) | (bs - lsb) | w) & msb
}

// firstByte is the index, in its word, of the byte a non-zero mask flags first.
func firstByte(m uint64) int { return bits.TrailingZeros64(m) >> 3 }
