package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/coopnode/coopnode/node"
	"github.com/coopnode/coopnode/node/bundle"
	"github.com/coopnode/coopnode/node/identity"
	"github.com/coopnode/coopnode/sync/replicate"
)

var testOpts = node.Options{KDF: &identity.Params{Time: 1, MemoryK: 64, Threads: 1}, DeviceLabel: "test"}

var testAssets = fstest.MapFS{
	"index.html":    {Data: []byte(`<!doctype html><html><head><title>t</title><script type="module" src="/assets/app.js"></script></head><body></body></html>`)},
	"assets/app.js": {Data: []byte(`console.log("ui")`)},
}

// startServer founds a co-op in a temp home and serves its API.
func startServer(t *testing.T) (*Server, *Core) {
	t.Helper()
	home := t.TempDir()
	core := NewCore(home, testOpts)
	if err := NewApp(core).Init("Ana Costa", "Riverside Data Co-op", "passphrase1"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { core.Close() })
	srv, _ := serve(t, core)
	return srv, core
}

// serve serves core's API until the test ends; it returns the server and its token.
func serve(t *testing.T, core *Core) (*Server, string) {
	t.Helper()
	tok, err := LoadToken(core.Home())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := Listen("127.0.0.1:0", NewApp(core), tok, testAssets)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { srv.Serve(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return srv, tok
}

func TestAPIGuards(t *testing.T) {
	srv, _ := startServer(t)
	tok := strings.TrimPrefix(srv.URL()[strings.Index(srv.URL(), "token="):], "token=")
	host := strings.TrimPrefix(srv.Addr(), "http://")
	for _, tc := range []struct {
		name    string
		method  string
		path    string
		headers map[string]string
		host    string
		body    string
		code    int
		want    string
	}{
		{"no token", "POST", "/api/Status", nil, "", "[]", 401, "token"},
		{"wrong token", "POST", "/api/Status", map[string]string{"Authorization": "Bearer " + strings.Repeat("0", 64)}, "", "[]", 401, "token"},
		{"good token", "POST", "/api/Status", map[string]string{"Authorization": "Bearer " + tok}, "", "[]", 200, "Riverside Data Co-op"},
		{"session cookie", "POST", "/api/Members", map[string]string{"Cookie": srv.cookie + "=" + srv.session}, "", "[]", 200, "Ana Costa"},
		{"token in a cookie is not a session", "POST", "/api/Members", map[string]string{"Cookie": srv.cookie + "=" + tok}, "", "[]", 401, "token"},
		{"another port's cookie", "POST", "/api/Members", map[string]string{"Cookie": "coopnode_1=" + srv.session}, "", "[]", 401, "token"},
		{"hello proves the token", "GET", "/coopnode-hello?nonce=0123456789abcdef", nil, "", "", 200, helloProof(tok, "0123456789abcdef")},
		{"hello needs a nonce", "GET", "/coopnode-hello", nil, "", "", 400, "nonce"},
		{"found twice", "POST", "/api/Init", map[string]string{"Authorization": "Bearer " + tok}, "", `["Eve","Other","long enough"]`, 409, "already holds"},
		{"short passphrase is the user's to fix", "POST", "/api/Init", map[string]string{"Authorization": "Bearer " + tok}, "", `["Eve","Other","short"]`, 400, "8 characters"},
		{"no body means no arguments", "POST", "/api/Bylaws", map[string]string{"Authorization": "Bearer " + tok}, "", "", 200, "one-member-one-vote"},
		{"foreign Host (DNS rebinding)", "POST", "/api/Status", map[string]string{"Authorization": "Bearer " + tok}, "evil.example:80", "[]", 421, "foreign Host"},
		{"foreign Host on a page", "GET", "/", nil, "attacker.test", "", 421, "foreign Host"},
		{"foreign Origin", "POST", "/api/Status", map[string]string{"Authorization": "Bearer " + tok, "Origin": "http://evil.example"}, "", "[]", 403, "foreign Origin"},
		{"own Origin", "POST", "/api/Status", map[string]string{"Authorization": "Bearer " + tok, "Origin": srv.Addr()}, "", "[]", 200, "ready"},
		{"localhost Host", "POST", "/api/Status", map[string]string{"Authorization": "Bearer " + tok}, strings.Replace(host, "127.0.0.1", "localhost", 1), "[]", 200, "ready"},
		{"form post (no preflight)", "POST", "/api/Status", map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "text/plain"}, "", "[]", 415, "JSON"},
		{"unknown method", "POST", "/api/Explode", map[string]string{"Authorization": "Bearer " + tok}, "", "[]", 404, "no API method"},
		{"unexported method", "POST", "/api/ready", map[string]string{"Authorization": "Bearer " + tok}, "", "[]", 404, "no API method"},
		{"wrong arity", "POST", "/api/Unlock", map[string]string{"Authorization": "Bearer " + tok}, "", "[]", 400, "takes 1 arguments"},
		{"wrong arg type", "POST", "/api/Unlock", map[string]string{"Authorization": "Bearer " + tok}, "", "[5]", 400, "argument 1"},
		{"not an array", "POST", "/api/Status", map[string]string{"Authorization": "Bearer " + tok}, "", "{}", 400, "JSON array"},
		{"page with wrong token", "GET", "/?token=nope", nil, "", "", 401, "token is wrong"},
		{"page injects the bridge", "GET", "/", nil, "", "", 200, `<script src="/coopnode-bridge.js"></script><script type="module"`},
		{"asset", "GET", "/assets/app.js", nil, "", "", 200, `console.log`},
		{"bridge", "GET", "/coopnode-bridge.js", nil, "", "", 200, "window.go"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.Addr()+tc.path, strings.NewReader(tc.body))
			if tc.method == "POST" {
				req.Header.Set("Content-Type", "application/json")
			}
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			if tc.host != "" {
				req.Host = tc.host
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.code || !strings.Contains(string(b), tc.want) {
				t.Fatalf("%d %s; want %d containing %q", resp.StatusCode, b, tc.code, tc.want)
			}
		})
	}
}

func TestTokenLinkSetsCookie(t *testing.T) {
	srv, _ := startServer(t)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ck := resp.Cookies()
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/" || len(ck) != 1 || !ck[0].HttpOnly || ck[0].SameSite != http.SameSiteStrictMode {
		t.Fatalf("token link: %d %v %+v", resp.StatusCode, resp.Header, ck)
	}
	if tok := srv.URL()[strings.Index(srv.URL(), "token=")+6:]; ck[0].Value == tok || ck[0].Name != srv.cookie {
		t.Fatal("the cookie must hold a per-server session, under a per-port name, never the API token")
	}
}

// TestDialRefusesImpostor: after a crash, api.json may point at a port some
// other program now listens on; the CLI must not send it the token.
func TestDialRefusesImpostor(t *testing.T) {
	home := t.TempDir()
	tok, _ := LoadToken(home)
	var leaked atomic.Bool
	imp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("Authorization"), tok) || strings.Contains(r.URL.String(), tok) {
			leaked.Store(true)
		}
		w.Write([]byte(`{"proof":"00"}`))
	}))
	defer imp.Close()
	b, _ := json.Marshal(apiInfo{URL: imp.URL, PID: 1})
	if err := os.WriteFile(filepath.Join(home, node.APIFile), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Dial(home); !errors.Is(err, ErrNoRunningNode) {
		t.Fatalf("Dial(impostor) = %v", err)
	}
	if leaked.Load() {
		t.Fatal("the token was sent to a server that could not prove it holds it")
	}
}

func TestServeIPv6Loopback(t *testing.T) {
	core := NewCore(t.TempDir(), testOpts)
	srv, err := Listen("[::1]:0", NewApp(core), "t", testAssets)
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	defer srv.ln.Close()
	if !strings.HasPrefix(srv.Addr(), "http://[::1]:") || !srv.hosts[strings.TrimPrefix(srv.Addr(), "http://")] {
		t.Fatalf("origin %s, hosts %v", srv.Addr(), srv.hosts)
	}
}

func TestListenLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0"} {
		if _, err := Listen(addr, nil, "t", testAssets); err == nil || !strings.Contains(err.Error(), "loopback") {
			t.Errorf("Listen(%q) = %v", addr, err)
		}
	}
}

// TestClientMatchesInProcess: the CLI sees the same answers through a running node's API as in-process.
func TestClientMatchesInProcess(t *testing.T) {
	srv, core := startServer(t)
	if _, err := srv.Advertise(core.Home()); err != nil {
		t.Fatal(err)
	}
	cl, err := Dial(core.Home())
	if err != nil {
		t.Fatal(err)
	}
	local := NewApp(core)
	for name, f := range map[string]func(API) (any, error){
		"Status":  func(a API) (any, error) { return a.Status() },
		"Members": func(a API) (any, error) { return a.Members() },
		"Bylaws":  func(a API) (any, error) { return a.Bylaws() },
	} {
		want, err1 := f(local)
		got, err2 := f(cl)
		wj, _ := json.Marshal(want)
		gj, _ := json.Marshal(got)
		if err1 != nil || err2 != nil || string(wj) != string(gj) {
			t.Errorf("%s: in-process %s (%v), over HTTP %s (%v)", name, wj, err1, gj, err2)
		}
	}
}

func TestLockedAndUninitialized(t *testing.T) {
	home := t.TempDir()
	a := NewApp(NewCore(home, testOpts))
	if st, _ := a.Status(); st.State != StateUninitialized {
		t.Fatalf("state %s", st.State)
	}
	if _, err := a.Members(); err != ErrUninitialized {
		t.Fatalf("Members on an empty home: %v", err)
	}
	if err := a.Init("Ana", "Co", "short"); err == nil || !strings.Contains(err.Error(), "8 characters") {
		t.Fatalf("short passphrase: %v", err)
	}
	if err := a.Init("Ana", "Co", "long enough"); err != nil {
		t.Fatal(err)
	}
	a.core.Close()
	a = NewApp(NewCore(home, testOpts))
	defer a.core.Close()
	if st, _ := a.Status(); st.State != StateLocked {
		t.Fatalf("state %s", st.State)
	}
	if _, err := a.Bylaws(); err != ErrLocked {
		t.Fatalf("Bylaws while locked: %v", err)
	}
	if err := a.Unlock("wrong one"); statusOf(err) != 403 || !strings.Contains(err.Error(), "wrong passphrase: nothing was changed") || strings.Contains(err.Error(), "COOPNODE") {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if err := a.Unlock("long enough"); err != nil {
		t.Fatal(err)
	}
	if st, _ := a.Status(); st.State != StateReady || st.Coop.Name != "Co" {
		t.Fatalf("after unlock: %+v", st)
	}
}

// TestHoldKeepsOthersOut: a serving process holds its home even while locked.
func TestHoldKeepsOthersOut(t *testing.T) {
	home := t.TempDir()
	founder := NewCore(home, testOpts)
	if err := NewApp(founder).Init("Ana", "Co", "long enough"); err != nil {
		t.Fatal(err)
	}
	founder.Close()

	serving := NewCore(home, testOpts)
	if err := serving.Hold(); err != nil {
		t.Fatal(err)
	}
	if _, err := node.Open(home, []byte("long enough"), testOpts); !errors.Is(err, node.ErrInUse) {
		t.Fatalf("open while another process holds the home, locked: %v", err)
	}
	if err := serving.Unlock([]byte("long enough")); err != nil {
		t.Fatalf("the holder itself must be able to unlock: %v", err)
	}
	if _, err := node.Open(home, []byte("long enough"), testOpts); !errors.Is(err, node.ErrInUse) {
		t.Fatalf("open while held and unlocked: %v", err)
	}
	serving.Close()
	n, err := node.Open(home, []byte("long enough"), testOpts)
	if err != nil {
		t.Fatalf("after Close the home is free: %v", err)
	}
	n.Close()
}

// What the user can fix answers 4xx, and says which kind; 500 is kept for
// what they cannot.
func TestStatusOf(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{fmt.Errorf("vote: %w", node.ErrNoProposal), http.StatusNotFound},
		{fmt.Errorf("withdraw: %w", node.ErrNoGrant), http.StatusNotFound},
		{fmt.Errorf("consent: %w", node.ErrNoVersion), http.StatusNotFound},
		{fmt.Errorf("export: %w", node.ErrNoItem), http.StatusNotFound},
		{fmt.Errorf("admit: %w", node.ErrNotJoinRequest), http.StatusNotFound},
		{fmt.Errorf("vote: %w", node.ErrNotEligible), http.StatusForbidden},
		{fmt.Errorf("vote: %w", node.ErrProposalClosed), http.StatusConflict},
		{fmt.Errorf("close: %w", node.ErrTooEarly), http.StatusConflict},
		{invalid("give a name"), http.StatusBadRequest},
		{fmt.Errorf("import: %w", bundle.ErrTampered), http.StatusUnprocessableEntity},
		{fmt.Errorf("import: %w", &bundle.RecordError{N: 1, Of: 1, Err: errors.New("bad")}), http.StatusUnprocessableEntity},
		{ErrLocked, http.StatusConflict},
		{errors.New("disk on fire"), http.StatusInternalServerError},
	}
	for _, c := range cases {
		if got := statusOf(c.err); got != c.want {
			t.Errorf("%v: HTTP %d, want %d", c.err, got, c.want)
		}
	}
}

// TestClientBundleTransfers: a CLI talking to a running node sees, through
// the API interface, the progress of a bundle import running in that node
// (started there, as a window or browser tab would), and then the same
// list the node itself has.
func TestClientBundleTransfers(t *testing.T) {
	srv, core := startServer(t)
	if _, err := srv.Advertise(core.Home()); err != nil {
		t.Fatal(err)
	}
	cl, err := Dial(core.Home())
	if err != nil {
		t.Fatal(err)
	}
	var api API = cl
	local := NewApp(core)
	n := core.Node()

	const k = 10000
	buf := noteBundle(t, n.Device(), n.CoopID(), k)
	path := filepath.Join(t.TempDir(), "notes.cnb")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	if ts, err := api.BundleTransfers(); err != nil || len(ts) != 0 {
		t.Fatalf("before any transfer, over HTTP: %+v %v", ts, err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := local.ImportBundle(path)
		done <- err
	}()
	// Poll as the CLI does until the import has returned, and once more.
	var seen []BundleTransferView
	running := 0
	for imported := false; !imported; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			imported = true
		default:
		}
		ts, err := api.BundleTransfers()
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) > 0 {
			seen = append(seen, ts[0])
			if !ts[0].Finished {
				running++
			}
		}
		time.Sleep(time.Millisecond)
	}
	checkMonotonic(t, seen)
	if running == 0 {
		t.Fatalf("the import's progress was never seen over HTTP while it ran: %+v", seen)
	}
	last := seen[len(seen)-1]
	if !last.Finished {
		t.Fatalf("after the import returned, over HTTP: %+v", last)
	}
	if last.Kind != "import" || last.Path != path || last.Phase != "storing" || last.Records != k || last.Total != k || last.Error != "" {
		t.Fatalf("the finished import, over HTTP: %+v", last)
	}
	want, _ := local.BundleTransfers()
	got, err := api.BundleTransfers()
	wj, _ := json.Marshal(want)
	gj, _ := json.Marshal(got)
	if err != nil || string(wj) != string(gj) {
		t.Fatalf("in-process %s, over HTTP %s (%v)", wj, gj, err)
	}
	t.Logf("%d polls over HTTP saw the import running", running)
}

// TestInvalidInputSaysOnlyWhat: a mistake of the caller is a 400 whose
// message is what is wrong, with no "invalid input: " before it, in-process
// (the window, the CLI) and over HTTP (the browser) alike; errors.Is still
// finds ErrInvalidInput and the cause's own sentinel.
func TestInvalidInputSaysOnlyWhat(t *testing.T) {
	cause := fmt.Errorf("the invite: %w", fs.ErrNotExist)
	err := invalidErr(cause)
	if err.Error() != cause.Error() || !errors.Is(err, ErrInvalidInput) || !errors.Is(err, fs.ErrNotExist) || statusOf(err) != http.StatusBadRequest {
		t.Fatalf("invalidErr(%v) = %q (invalid input: %v, cause: %v, HTTP %d)", cause, err, errors.Is(err, ErrInvalidInput), errors.Is(err, fs.ErrNotExist), statusOf(err))
	}
	if invalidErr(nil) != nil {
		t.Fatal("invalidErr(nil) must be nil")
	}

	srv, core := startServer(t)
	const bad = "COOPNODE1NOTANINVITE"
	_, inProcess := NewApp(core).Join(bad, "Bea", "long enough")
	if inProcess == nil || !errors.Is(inProcess, ErrInvalidInput) || !strings.HasPrefix(inProcess.Error(), "not a valid coopnode invite") {
		t.Fatalf("in-process: %v", inProcess)
	}
	tok := srv.URL()[strings.Index(srv.URL(), "token=")+6:]
	req, _ := http.NewRequest("POST", srv.Addr()+"/api/Join", strings.NewReader(`["`+bad+`","Bea","long enough"]`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Error string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusBadRequest || body.Error != inProcess.Error() {
		t.Fatalf("over HTTP: %d %q; want 400 %q", resp.StatusCode, body.Error, inProcess.Error())
	}
}

// TestJoinRequestNamesItsInvite: a join request says which invite it came
// with, so the inviter's UI can show that invite as used (and by whom)
// rather than as one still to give out.
func TestJoinRequestNamesItsInvite(t *testing.T) {
	loopback := replicate.Options{Listen: []string{"/ip4/127.0.0.1/tcp/0"}}
	a := NewCore(t.TempDir(), testOpts)
	a.EnableNetwork(loopback)
	t.Cleanup(func() { a.Close() })
	appA := NewApp(a)
	if err := appA.Init("Ana Costa", "Riverside Data Co-op", "passphrase1"); err != nil {
		t.Fatal(err)
	}
	used, err := appA.Invite(1)
	if err != nil {
		t.Fatal(err)
	}
	unused, err := appA.Invite(1)
	if err != nil {
		t.Fatal(err)
	}
	if used.ID == "" || used.ID == unused.ID {
		t.Fatalf("invite IDs %q, %q", used.ID, unused.ID)
	}

	b := NewCore(t.TempDir(), testOpts)
	b.EnableNetwork(loopback)
	t.Cleanup(func() { b.Close() })
	jv, err := NewApp(b).Join(used.Text, "Bea Lindqvist", "passphrase2")
	if err != nil {
		t.Fatal(err)
	}
	check := func(admitted bool) {
		t.Helper()
		reqs, err := appA.JoinRequests()
		if err != nil || len(reqs) != 1 {
			t.Fatalf("join requests: %+v %v", reqs, err)
		}
		if r := reqs[0]; r.ID != jv.Request || r.Name != "Bea Lindqvist" || r.Invite != used.ID || r.Admitted != admitted {
			t.Fatalf("join request %+v; want %s from Bea Lindqvist with invite %s, admitted %v", r, jv.Request, used.ID, admitted)
		}
	}
	check(false)
	if _, err := appA.Admit(jv.Request, ""); err != nil {
		t.Fatal(err)
	}
	check(true)
	// The browser reads the same through the API.
	tok, err := LoadToken(a.Home())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := Listen("127.0.0.1:0", appA, tok, testAssets)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan struct{})
	go func() { srv.Serve(ctx); close(served) }()
	defer func() { cancel(); <-served }()
	req, _ := http.NewRequest("POST", srv.Addr()+"/api/JoinRequests", strings.NewReader(`[]`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct{ Result []map[string]any }
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || len(env.Result) != 1 || env.Result[0]["invite"] != used.ID {
		t.Fatalf("JoinRequests over HTTP: %+v %v", env, err)
	}
}
