// Package pgtest gives tests throwaway PostgreSQL databases on a real server.
//
// URL returns a fresh, empty database for one test, on a server started once per test process
// (or on the server named by TRUSTBOT_TEST_POSTGRES). Start runs a server of one's own, for tests
// that stop and restart PostgreSQL and for benchmarks that want durable settings. A package that
// uses URL stops the shared server at exit by calling Main from its TestMain.
package pgtest

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/trustbot/trustbot/internal/spawn"

	"github.com/jackc/pgx/v5"
)

// EnvAdminURL names the environment variable that, when set, holds the admin URL of a PostgreSQL
// server for URL to use instead of starting one.
const EnvAdminURL = "TRUSTBOT_TEST_POSTGRES"

// dirPrefix begins the name of every server directory under os.TempDir, so that Start can find
// the ones a crashed test process left behind.
const dirPrefix = "trustbot-pgtest-"

// Options are the settings of a server that Start runs.
type Options struct {
	// Durable keeps PostgreSQL's crash safety (fsync, full page writes) and puts the data on disk
	// under os.TempDir, for realistic figures. Without it the server keeps its data in memory
	// (/dev/shm) and skips fsync: fast, and a committed transaction still survives the server
	// being stopped or killed, but not the machine restarting.
	Durable bool
}

// Server is a PostgreSQL server that tests make databases on.
type Server struct {
	// AdminURL is a postgres:// URL of a superuser on the server's "postgres" database.
	AdminURL string

	// managed is false for a server named by TRUSTBOT_TEST_POSTGRES, which is not ours to stop.
	managed bool
	bin     string // the directory of initdb and postgres
	dir     string // holds data/, the log and the owner file
	port    int
	cred    *syscall.Credential // the postgres user's, when running as root

	mu     sync.Mutex
	proc   *os.Process
	exited chan struct{} // closed when proc has exited
	admin  *pgx.Conn
	seq    int
}

// External is a server that runs elsewhere, named by the postgres:// URL of a superuser (as in
// TRUSTBOT_TEST_POSTGRES): NewDatabase makes databases on it; Stop, Kill and Start refuse, and
// Close leaves it running.
func External(adminURL string) *Server { return &Server{AdminURL: adminURL} }

// Start initialises a data directory (in /dev/shm unless durable, else under os.TempDir) and starts PostgreSQL on a free loopback
// port with password (SCRAM) authentication for a superuser with a random password. As root it
// runs PostgreSQL as the postgres user. The server dies with the process that started it; Close
// stops it and removes its directory.
func Start(opts Options) (*Server, error) {
	sweep()
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	s := &Server{managed: true, bin: bin}
	if os.Geteuid() == 0 {
		cred, err := postgresCredential()
		if err != nil {
			return nil, err
		}
		s.cred = cred
	}
	if s.dir, err = os.MkdirTemp(parentDir(opts), dirPrefix); err != nil {
		return nil, err
	}
	if err := s.initialise(opts); err != nil {
		os.RemoveAll(s.dir)
		return nil, err
	}
	if err := s.Start(); err != nil {
		os.RemoveAll(s.dir)
		return nil, err
	}
	return s, nil
}

// New is Start for one test: it fails the test when the server cannot start and closes the
// server when the test ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func (s *Server) initialise(opts Options) error {
	password := randomHex(16)
	pwfile := filepath.Join(s.dir, "password")
	if err := os.WriteFile(pwfile, []byte(password+"\n"), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(s.dir, "owner"), []byte(ownerID(os.Getpid())), 0o644); err != nil {
		return err
	}
	if s.cred != nil {
		for _, p := range []string{s.dir, pwfile} {
			if err := os.Chown(p, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
				return err
			}
		}
	}
	const superuser = "trustbot"
	data := filepath.Join(s.dir, "data")
	out, err := s.command(filepath.Join(s.bin, "initdb"), "-D", data, "-U", superuser, "--pwfile", pwfile,
		"--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync").CombinedOutput()
	os.Remove(pwfile)
	if err != nil {
		return fmt.Errorf("pgtest: initdb: %v: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	s.port = port
	conf := []string{
		"listen_addresses = '127.0.0.1'",
		"port = " + strconv.Itoa(port),
		"unix_socket_directories = '" + s.dir + "'",
		"max_connections = 200",
		"log_min_messages = warning",
	}
	if !opts.Durable {
		conf = append(conf, "fsync = off", "full_page_writes = off")
	}
	f, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString("\n# pgtest\n" + strings.Join(conf, "\n") + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	s.AdminURL = (&url.URL{Scheme: "postgres", User: url.UserPassword(superuser, password),
		Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Path: "/postgres", RawQuery: "sslmode=disable"}).String()
	return nil
}

// command runs name as the postgres user when running as root.
func (s *Server) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	return cmd
}

// Start starts the server again after Stop or Kill, on the same data directory and port, and
// waits until it accepts connections.
func (s *Server) Start() error {
	if !s.managed {
		return errors.New("pgtest: an external server is not started or stopped by pgtest")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		return errors.New("pgtest: the server is already running")
	}
	log, err := os.OpenFile(filepath.Join(s.dir, "postgres.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := s.command(filepath.Join(s.bin, "postgres"), "-D", filepath.Join(s.dir, "data"))
	cmd.Stdout, cmd.Stderr = log, log
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	// SIGQUIT is PostgreSQL's immediate shutdown: the server goes when the test process goes.
	cmd.SysProcAttr.Pdeathsig = syscall.SIGQUIT
	if err := spawn.Start(cmd); err != nil {
		return fmt.Errorf("pgtest: starting postgres: %w", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	s.proc, s.exited = cmd.Process, exited
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, s.AdminURL)
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
		select {
		case <-exited:
			s.proc = nil
			return fmt.Errorf("pgtest: postgres exited while starting: %s", s.logTail())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("pgtest: postgres did not accept connections within a minute: %v: %s", err, s.logTail())
		}
	}
}

// Stop shuts the server down (PostgreSQL's fast shutdown: sessions are ended, data written) and
// waits until it has exited. Start starts it again.
func (s *Server) Stop() error { return s.halt(syscall.SIGINT) }

// Kill stops the server the way a crash would (PostgreSQL's immediate shutdown: no checkpoint;
// Start recovers from the write-ahead log) and waits until it has exited.
func (s *Server) Kill() error { return s.halt(syscall.SIGQUIT) }

func (s *Server) halt(sig syscall.Signal) error {
	if !s.managed {
		return errors.New("pgtest: an external server is not started or stopped by pgtest")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.admin != nil {
		s.admin.Close(context.Background())
		s.admin = nil
	}
	if s.proc == nil {
		return nil
	}
	if err := s.proc.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-s.exited:
	case <-time.After(60 * time.Second):
		s.proc.Kill()
		<-s.exited
	}
	s.proc = nil
	return nil
}

// Close stops the server at once and removes its directory. A server named by
// TRUSTBOT_TEST_POSTGRES is left running.
func (s *Server) Close() error {
	if !s.managed {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.admin != nil {
			s.admin.Close(context.Background())
			s.admin = nil
		}
		return nil
	}
	if err := s.Kill(); err != nil {
		return err
	}
	return os.RemoveAll(s.dir)
}

// NewDatabase creates a fresh, empty database for the test and returns a postgres:// URL of it
// (the admin user, on loopback TCP, sslmode=disable). The database is dropped, with whatever is
// still connected to it, when the test ends.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	s.mu.Lock()
	s.seq++
	name := databaseName(t.Name(), s.seq)
	s.mu.Unlock()
	if err := s.exec("CREATE DATABASE " + pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("pgtest: creating database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := s.exec("DROP DATABASE IF EXISTS " + pgx.Identifier{name}.Sanitize() + " WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: dropping database %s: %v", name, err)
		}
	})
	u, err := url.Parse(s.AdminURL)
	if err != nil {
		t.Fatalf("pgtest: admin URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// exec runs one statement on the server's admin connection, connecting again when the
// connection was lost (the server restarted).
func (s *Server) exec(sql string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for attempt := 0; ; attempt++ {
		if s.admin == nil || s.admin.IsClosed() {
			conn, err := pgx.Connect(ctx, s.AdminURL)
			if err != nil {
				return err
			}
			s.admin = conn
		}
		_, err := s.admin.Exec(ctx, sql)
		if err == nil || attempt > 0 || !s.admin.IsClosed() {
			return err
		}
	}
}

// databaseName makes a valid, unique database name that begins with the test's name.
func databaseName(test string, seq int) string {
	var b strings.Builder
	for _, r := range strings.ToLower(test) {
		if b.Len() >= 32 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return fmt.Sprintf("t_%s_%d_%d_%s", b.String(), os.Getpid(), seq, randomHex(4))
}

func (s *Server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return strings.TrimSpace(string(b))
}

var (
	shared     *Server
	sharedErr  error
	sharedOnce sync.Once
)

// URL returns a postgres:// URL of a fresh, empty database for the test, dropped when the test
// ends. The server is the one named by TRUSTBOT_TEST_POSTGRES (an admin URL) when that is set, and
// otherwise one started for the whole test process on its first use: Main stops it and removes
// its directory; without Main it dies with the process and the next Start removes what it left.
// Without PostgreSQL installed the test fails, saying to run scripts/setup.sh.
func URL(t testing.TB) string {
	t.Helper()
	sharedOnce.Do(func() {
		if admin := os.Getenv(EnvAdminURL); admin != "" {
			shared = External(admin)
			return
		}
		shared, sharedErr = Start(Options{})
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return shared.NewDatabase(t)
}

// Main runs the tests and then stops the server that URL started, removing its directory. Call it
// from TestMain in every package that uses URL:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	if shared != nil {
		if err := shared.Close(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	os.Exit(code)
}

// binDir finds the directory of PostgreSQL's initdb and postgres: pg_config's, else the newest
// Debian /usr/lib/postgresql/*/bin, else the one on PATH.
func binDir() (string, error) {
	var dirs []string
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	debian, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(debian, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(a)))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(b)))
		return vb - va
	})
	dirs = append(dirs, debian...)
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			dirs = append(dirs, filepath.Dir(real))
		}
	}
	for _, d := range dirs {
		if isExecutable(filepath.Join(d, "initdb")) && isExecutable(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", errors.New("pgtest: PostgreSQL is not installed (no initdb and postgres in pg_config --bindir, /usr/lib/postgresql/*/bin or PATH): run scripts/setup.sh")
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

func postgresCredential() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("pgtest: PostgreSQL refuses to run as root and there is no postgres user (%v): run scripts/setup.sh", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, err
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// ownerID names a process in a way that a later process with the same pid does not share: its
// pid and its start time in clock ticks since boot.
func ownerID(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	// The command name, in parentheses, may hold spaces; the fields after it are plain.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 20 {
		return ""
	}
	return strconv.Itoa(pid) + " " + fields[19]
}

// memoryDir is a file system in memory, where a server that need not be durable keeps its data:
// creating a database there costs a fraction of what it costs on disk.
const memoryDir = "/dev/shm"

// parentDir is where a server's directory goes: in memory when the server need not be durable
// and the machine has memoryDir, and under os.TempDir otherwise.
func parentDir(opts Options) string {
	if fi, err := os.Stat(memoryDir); err == nil && fi.IsDir() && !opts.Durable {
		return memoryDir
	}
	return os.TempDir()
}

// sweep stops the servers and removes the directories that test processes which have since died
// left behind.
func sweep() {
	var dirs []string
	for _, parent := range []string{memoryDir, os.TempDir()} {
		d, _ := filepath.Glob(filepath.Join(parent, dirPrefix+"*"))
		dirs = append(dirs, d...)
	}
	for _, dir := range dirs {
		owner, err := os.ReadFile(filepath.Join(dir, "owner"))
		if err != nil {
			continue
		}
		pid, _, _ := strings.Cut(string(owner), " ")
		n, err := strconv.Atoi(pid)
		if err != nil || ownerID(n) == string(owner) {
			continue
		}
		if f, err := os.Open(filepath.Join(dir, "data", "postmaster.pid")); err == nil {
			sc := bufio.NewScanner(f)
			if sc.Scan() {
				pm, err := strconv.Atoi(strings.TrimSpace(sc.Text()))
				cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pm))
				if err == nil && pm > 0 && strings.Contains(string(cmdline), dir) {
					syscall.Kill(pm, syscall.SIGQUIT)
				}
			}
			f.Close()
		}
		os.RemoveAll(dir)
	}
}
