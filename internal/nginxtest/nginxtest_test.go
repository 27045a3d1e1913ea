package nginxtest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// upstream is a tiny HTTP server that answers with its name and the headers nginx passed on.
func upstream(t *testing.T, name string) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, name+" "+r.Method+" "+r.Host+" "+r.Header.Get("X-Forwarded-For"))
	}))
	t.Cleanup(s.Close)
	return s
}

func get(t *testing.T, method, url string) string {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader("body"))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "bot.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: got status %d (%s), want 200", method, url, resp.StatusCode, body)
	}
	return string(body)
}

func TestRoundRobinAndFailover(t *testing.T) {
	a, b := upstream(t, "a"), upstream(t, "b")
	addr, n := Start(t, []string{a.Listener.Addr().String(), b.Listener.Addr().String()})
	url := "http://" + addr + "/"

	var prev string
	for i := range 10 {
		got := get(t, "GET", url)
		name, rest, _ := strings.Cut(got, " ")
		if want := "GET bot.example 127.0.0.1"; rest != want {
			t.Errorf("request %d: upstream saw %q, want %q", i, rest, want)
		}
		if name == prev {
			t.Errorf("request %d: got upstream %s twice in a row, want them alternating", i, name)
		}
		prev = name
	}

	a.Close()
	for i := range 10 {
		for _, method := range []string{"GET", "POST"} {
			if got, want := get(t, method, url), "b "+method+" bot.example 127.0.0.1"; got != want {
				t.Errorf("request %d after upstream a was killed: got %q, want %q", i, got, want)
			}
		}
	}
	if t.Failed() {
		t.Log(n.Log())
	}
}

func TestConfigNamesEveryUpstream(t *testing.T) {
	conf := Config([]string{"127.0.0.1:8081", "127.0.0.1:8082"}, "127.0.0.1:8080")
	for _, want := range []string{
		"server 127.0.0.1:8081 ", "server 127.0.0.1:8082 ", "listen 127.0.0.1:8080;",
		"proxy_next_upstream error timeout http_502;", "keepalive 16;",
	} {
		if !strings.Contains(conf, want) {
			t.Errorf("Config: got no %q in\n%s", want, conf)
		}
	}
}
