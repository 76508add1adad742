//go:build !unix

package ddblocal

import (
	"os"
	"os/exec"
)

// launchCommand returns the command that runs java with args. Without Unix
// process groups, Close kills java itself.
func launchCommand(java string, args []string) *exec.Cmd {
	return exec.Command(java, args...)
}

// killGroup kills p.
func killGroup(p *os.Process) error {
	return p.Kill()
}

// lockFile cannot lock without Unix file locks: every process takes the directory as its own,
// as before pipesim shared one.
func lockFile(*os.File) (bool, error) { return true, nil }
