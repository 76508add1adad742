package term

import (
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal and returns its controlling side and its terminal: a real
// terminal device for tests of what pipesim writes to one.
func openPTY(t *testing.T) (ptm, pts *os.File) {
	t.Helper()
	ptm, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	t.Cleanup(func() { ptm.Close() })
	if err := unix.IoctlSetPointerInt(int(ptm.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(ptm.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	pts, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pts.Close() })
	return ptm, pts
}

func TestColourOnATerminal(t *testing.T) {
	_, pts := openPTY(t)
	t.Setenv("NO_COLOR", "") // and restores it after
	os.Unsetenv("NO_COLOR")
	t.Setenv("TERM", "xterm")
	if !Colour(pts) || !Colour(New(pts, pts).Stderr) {
		t.Error("Colour(terminal) = false; want colour on a terminal")
	}
	t.Setenv("NO_COLOR", "1")
	if Colour(pts) {
		t.Error("Colour(terminal) with NO_COLOR = true; want none")
	}
	t.Setenv("NO_COLOR", "")
	if !Colour(pts) {
		t.Error("Colour(terminal) with NO_COLOR empty = false; an empty NO_COLOR does not count (no-color.org)")
	}
	t.Setenv("TERM", "dumb")
	if Colour(pts) {
		t.Error("Colour(dumb terminal) = true; want none")
	}
}
