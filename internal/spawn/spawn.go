// Package spawn starts the test servers' child processes (PostgreSQL, nginx) so that a parent-death
// signal set in their SysProcAttr reaches them when the test process dies.
package spawn

import (
	"os/exec"
	"runtime"
	"sync"
)

var (
	once     sync.Once
	requests = make(chan request)
)

type request struct {
	cmd  *exec.Cmd
	done chan error
}

// Start starts cmd from one OS thread that lives as long as the process: Linux sends a child's
// parent-death signal when the thread that started it exits, not the process.
func Start(cmd *exec.Cmd) error {
	once.Do(func() {
		go func() {
			runtime.LockOSThread()
			for r := range requests {
				r.done <- r.cmd.Start()
			}
		}()
	})
	done := make(chan error)
	requests <- request{cmd, done}
	return <-done
}
