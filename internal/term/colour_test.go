package term

import (
	"bytes"
	"os"
	"testing"
)

func TestColour(t *testing.T) {
	var buf bytes.Buffer
	if Colour(&buf) || Colour(New(&buf, &buf).Stdout) {
		t.Error("Colour(buffer) = true; want plain output where it is not a terminal")
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if Colour(f) {
		t.Error("Colour(regular file) = true; want false")
	}
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil { // only where a terminal exists
		defer tty.Close()
		t.Setenv("NO_COLOR", "1")
		if Colour(tty) {
			t.Error("Colour(terminal) with NO_COLOR set = true; want false")
		}
	}
	if got := Paint(true, Red, "error"); got != "\x1b[31merror\x1b[0m" {
		t.Errorf("Paint(on) = %q", got)
	}
	if got := Paint(false, Red, "error"); got != "error" {
		t.Errorf("Paint(off) = %q", got)
	}
}
