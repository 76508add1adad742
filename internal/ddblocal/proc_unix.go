//go:build unix

package ddblocal

import (
	"os"
	"os/exec"
	"syscall"
)

// watchdog runs its arguments in the background and kills them when its
// standard input reaches end of file. pipesim holds the write end of that
// pipe, so java dies with pipesim even when pipesim is killed outright (a
// test binary hitting its timeout): no orphan java is left behind.
const watchdog = `"$@" &
child=$!
trap 'kill $child 2>/dev/null; exit 0' HUP INT TERM
read -r _ || true
kill $child 2>/dev/null
wait $child`

// launchCommand returns the command that runs java with args in its own
// process group, under the watchdog.
func launchCommand(java string, args []string) *exec.Cmd {
	cmd := exec.Command("/bin/sh", append([]string{"-c", watchdog, "sh", java}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

// killGroup kills the whole process group led by p: the watchdog and java.
func killGroup(p *os.Process) error {
	if err := syscall.Kill(-p.Pid, syscall.SIGKILL); err != nil && err != syscall.ESRCH {
		return err
	}
	return nil
}

// lockFile takes an exclusive lock on f without waiting; false when another process holds it.
// The lock goes with the descriptor: closing f, or the process ending, releases it.
func lockFile(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if err == syscall.EWOULDBLOCK {
		return false, nil
	}
	return err == nil, err
}
