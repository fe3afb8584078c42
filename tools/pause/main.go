// Command pause holds a network namespace for a compose "pod" (one service and its daprd sidecar), as
// Kubernetes' pause container does: it does nothing but wait, so the namespace outlives restarts and crashes
// of the containers that join it (network_mode: service:<app>-netns). It reaps zombies in case it runs as
// PID 1 without an init, and exits promptly on SIGTERM/SIGINT so `docker-compose down` is fast.
// See docs/adr (images and the namespace holder).
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--version" {
		fmt.Println("vcd-simple-blog pause 1.0")
		return
	}
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	for sig := range signals {
		if sig == syscall.SIGCHLD {
			for {
				var status syscall.WaitStatus
				pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
				if pid <= 0 || err != nil {
					break
				}
			}
			continue
		}
		fmt.Fprintf(os.Stderr, "pause: %v, exiting\n", sig)
		return
	}
}
