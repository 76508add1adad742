package term

import (
	"io"
	"os"
)

// SGR codes pipesim paints with.
const (
	Red    = "31"
	Green  = "32"
	Yellow = "33"
	Faint  = "2"
	Bold   = "1"
)

// Colour reports whether what is written to w may be in colour: w is a terminal (a character
// device, seen through any Writer), NO_COLOR is empty or unset (https://no-color.org) and TERM is not
// "dumb". Piped or redirected output, and every buffer a test reads, stay plain.
func Colour(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := File(w)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Paint wraps s in the SGR code when on; off, it returns s.
func Paint(on bool, code, s string) string {
	if !on || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}
