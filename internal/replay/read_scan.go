package replay

import (
	"bufio"
	"fmt"
	"io"
)

// scanner splits a JSON array or document into values without decoding them, counting lines,
// so each record's line is known and a bad record can be skipped. It reads from an io.Reader a
// byte at a time, bounded by limit, which rawjson (whose scanner works on a record already in
// memory) does not do; every record it splits out is then read with rawjson.
type scanner struct {
	br   *bufio.Reader
	line int
	// limit bounds the bytes value appends to one buffer; past it the value is still scanned to
	// its end but not kept, and over is set (for the caller to report and reset).
	limit int
	over  bool
}

// put appends c to dst unless dst is at the limit.
func (s *scanner) put(dst []byte, c byte) []byte {
	if len(dst) >= s.limit {
		s.over = true
		return dst
	}
	return append(dst, c)
}

func (s *scanner) syntax(msg string) error {
	return fmt.Errorf("%w: line %d: %s", ErrSyntax, s.line, msg)
}

func (s *scanner) readByte() (byte, error) {
	c, err := s.br.ReadByte()
	if c == '\n' && err == nil {
		s.line++
	}
	return c, err
}

func (s *scanner) unreadByte(c byte) {
	if c == '\n' {
		s.line--
	}
	_ = s.br.UnreadByte()
}

// skipSpace returns the next byte that is not whitespace (a byte order mark counts as
// whitespace), consumed.
func (s *scanner) skipSpace() (byte, error) {
	for {
		c, err := s.readByte()
		if err != nil {
			return 0, err
		}
		switch c {
		case ' ', '\t', '\r', '\n', 0xef, 0xbb, 0xbf:
			continue
		}
		return c, nil
	}
}

// value appends the JSON value that starts with c (already read) to dst: a string, an object or
// array with everything inside, or a literal up to the next delimiter. The value is not
// validated; only its extent is found.
func (s *scanner) value(c byte, dst []byte) ([]byte, error) {
	dst = s.put(dst, c)
	switch c {
	case '"':
		return s.rest(dst, 0, true)
	case '{', '[':
		return s.rest(dst, 1, false)
	}
	for {
		c, err := s.readByte()
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return nil, err
		}
		switch c {
		case ',', ']', '}', ' ', '\t', '\r', '\n':
			s.unreadByte(c)
			return dst, nil
		}
		dst = s.put(dst, c)
	}
}

// rest reads the remainder of a string (in) or of a container depth levels deep.
func (s *scanner) rest(dst []byte, depth int, in bool) ([]byte, error) {
	for {
		c, err := s.readByte()
		if err != nil {
			return nil, s.syntax("unexpected end of input inside a value")
		}
		dst = s.put(dst, c)
		switch {
		case in && c == '\\':
			if c, err = s.readByte(); err != nil {
				return nil, s.syntax("unexpected end of input inside a string")
			}
			dst = s.put(dst, c)
		case c == '"':
			in = !in
		case in:
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		}
		if !in && depth <= 0 {
			return dst, nil
		}
	}
}
