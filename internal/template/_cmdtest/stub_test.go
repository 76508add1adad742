package main

import (
	"fmt"
	"io"
)

type streams struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return fmt.Sprint(e.code, e.err) }
func (e *exitError) Unwrap() error { return e.err }
