// Package nginxtest runs a real nginx in front of HTTP servers for tests: round robin over the
// upstreams, failing over from one that is down.
package nginxtest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/trustbot/trustbot/internal/spawn"
)

// Binary is Debian's nginx, which Start runs.
const Binary = "/usr/sbin/nginx"

// Config is the nginx configuration that Start runs: nginx on listen (host:port) balancing HTTP
// round robin over upstreams (host:port each), keeping connections to them alive, passing on
// Host, X-Forwarded-For and X-Forwarded-Proto and WebSocket upgrades, and trying the next
// upstream when one refuses the connection, does not connect within a second, or answers 502.
// A request that nginx has already sent (a POST, say) is not sent again. Paths are relative to
// nginx's prefix (-p).
func Config(upstreams []string, listen string) string {
	var servers strings.Builder
	for _, u := range upstreams {
		fmt.Fprintf(&servers, "        server %s max_fails=1 fail_timeout=5s;\n", u)
	}
	return `worker_processes 1;
pid logs/nginx.pid;
error_log logs/error.log warn;

events {
    worker_connections 1024;
}

http {
    access_log logs/access.log;
    client_body_temp_path temp/client_body;
    proxy_temp_path temp/proxy;
    fastcgi_temp_path temp/fastcgi;
    uwsgi_temp_path temp/uwsgi;
    scgi_temp_path temp/scgi;

    # An upgrade (WebSocket) is passed on; other requests keep the upstream connection alive.
    map $http_upgrade $connection_upgrade {
        default upgrade;
        '' '';
    }

    upstream trustbot {
` + servers.String() + `        keepalive 16;
    }

    server {
        listen ` + listen + `;

        location / {
            proxy_pass http://trustbot;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_connect_timeout 1s;
            proxy_next_upstream error timeout http_502;
            proxy_next_upstream_timeout 10s;
        }
    }
}
`
}

// Nginx is a running nginx.
type Nginx struct {
	// Addr is the loopback host:port that nginx listens on.
	Addr string
	// Dir is nginx's prefix: nginx.conf, logs/ and temp/.
	Dir string

	proc   *os.Process
	exited chan struct{}
	once   sync.Once
}

// Start runs nginx in the foreground on a free loopback port in front of upstreams, with Config,
// its own logs and pid file under a temporary prefix, and stops it when the test ends. Without
// nginx installed the test fails, saying to run scripts/setup.sh.
func Start(t testing.TB, upstreams []string) (addr string, n *Nginx) {
	t.Helper()
	if _, err := os.Stat(Binary); err != nil {
		t.Fatalf("nginxtest: nginx is not installed (%v): run scripts/setup.sh", err)
	}
	if len(upstreams) == 0 {
		t.Fatal("nginxtest: no upstreams")
	}
	var err error
	// A free port can be taken between choosing it and nginx binding it: choose again then.
	for range 3 {
		if n, err = start(t.TempDir(), upstreams); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := n.Stop(); err != nil {
			t.Error(err)
		}
	})
	return n.Addr, n
}

func start(dir string, upstreams []string) (*Nginx, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	for _, d := range []string{"logs", "temp"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			return nil, err
		}
	}
	if os.Geteuid() == 0 {
		// nginx's workers run as nobody under a root master and must reach temp/.
		if err := os.Chmod(dir, 0o755); err != nil {
			return nil, err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(Config(upstreams, addr)), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(Binary, "-p", dir+"/", "-c", "nginx.conf", "-e", "logs/error.log", "-g", "daemon off;")
	out, err := os.Create(filepath.Join(dir, "logs", "stderr.log"))
	if err != nil {
		return nil, err
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	// SIGTERM is nginx's fast shutdown: nginx goes when the test process goes.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := spawn.Start(cmd); err != nil {
		return nil, fmt.Errorf("nginxtest: starting nginx: %w", err)
	}
	n := &Nginx{Addr: addr, Dir: dir, proc: cmd.Process, exited: make(chan struct{})}
	go func() { cmd.Wait(); close(n.exited) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return n, nil
		}
		select {
		case <-n.exited:
			return nil, fmt.Errorf("nginxtest: nginx exited while starting: %s", n.Log())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			n.Stop()
			return nil, fmt.Errorf("nginxtest: nginx did not listen on %s within 10 s: %s", addr, n.Log())
		}
	}
}

// Stop shuts nginx down and waits until it has exited. Start's cleanup calls it; calling it again
// does nothing.
func (n *Nginx) Stop() error {
	var err error
	n.once.Do(func() {
		if serr := n.proc.Signal(syscall.SIGTERM); serr != nil && !errors.Is(serr, os.ErrProcessDone) {
			err = serr
			return
		}
		select {
		case <-n.exited:
		case <-time.After(10 * time.Second):
			n.proc.Kill()
			<-n.exited
			err = fmt.Errorf("nginxtest: nginx did not stop within 10 s and was killed: %s", n.Log())
		}
	})
	return err
}

// Log returns nginx's error log and what it wrote to its standard error.
func (n *Nginx) Log() string {
	var b strings.Builder
	for _, f := range []string{"error.log", "stderr.log"} {
		data, _ := os.ReadFile(filepath.Join(n.Dir, "logs", f))
		b.Write(data)
	}
	return strings.TrimSpace(b.String())
}
