//go:build e2e

// Three separate `coopnode serve` processes on loopback: invite, join,
// admit, converge. Nothing is shared between them but the network.
package app_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// loopbackP2P makes serve's libp2p listen on loopback only.
var loopbackP2P = []string{"--p2p-listen", "/ip4/127.0.0.1/tcp/0,/ip4/127.0.0.1/udp/0/quic-v1"}

// serveNode starts `coopnode serve` for home with the passphrase in its
// environment, libp2p on loopback, and stops it when the test ends. It
// returns the link serve printed (with its token).
func serveNode(t *testing.T, cli, home string) string {
	t.Helper()
	srv := exec.Command(cli, append([]string{"--home", home, "serve"}, loopbackP2P...)...)
	srv.Env = append(os.Environ(), passEnv)
	logs := &serveLog{urlc: make(chan string, 1)}
	srv.Stdout, srv.Stderr = logs, logs
	srv.WaitDelay = 5 * time.Second
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Process.Signal(syscall.SIGTERM)
		if err := srv.Wait(); err != nil {
			t.Errorf("serve %s did not stop cleanly: %v", filepath.Base(home), err)
		}
		t.Logf("serve %s output:\n%s", filepath.Base(home), logs.String())
	})
	select {
	case u := <-logs.urlc:
		return u
	case <-time.After(30 * time.Second):
		t.Fatalf("serve printed no link within 30s:\n%s", logs.String())
	}
	return ""
}

// cliJSON runs a command with --json and decodes its output into v.
func cliJSON(t *testing.T, v any, cli, home string, args ...string) {
	t.Helper()
	out := run(t, []string{passEnv}, cli, append([]string{"--home", home}, append(args, "--json")...)...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("%v --json: %v\n%s", args, err, out)
	}
}

type syncStatus struct {
	State  string
	Digest string
	Coop   *struct{ Members int }
	Me     *struct{ Name string }
}

func inviteFrom(t *testing.T, cli, home string) string {
	var inv struct{ Text, QR string }
	cliJSON(t, &inv, cli, home, "invite", "--hours", "1")
	if !strings.HasPrefix(inv.Text, "COOPNODE1") || !strings.HasPrefix(inv.QR, "data:image/png;base64,") {
		t.Fatalf("invite: %+v", inv)
	}
	return inv.Text
}

func TestThreeServes(t *testing.T) {
	cli := bin(t, "COOPNODE_BIN")
	dir := t.TempDir()
	a, b, c, d := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "c"), filepath.Join(dir, "d")
	run(t, []string{passEnv}, cli, "--home", a, "init", "--name", founder, "--coop", coopName)
	serveNode(t, cli, a)

	// B and C ask to join with invites from A; neither runs a node yet.
	for _, j := range []struct{ home, name string }{{b, "Bea"}, {c, "Cy"}} {
		var v struct{ Request, Coop string }
		cliJSON(t, &v, cli, j.home, "join", inviteFrom(t, cli, a), "--name", j.name)
		if v.Coop != coopName || len(v.Request) != 64 {
			t.Fatalf("join %s: %+v", j.name, v)
		}
		var st syncStatus
		cliJSON(t, &st, cli, j.home, "status")
		if st.State != "joining" {
			t.Fatalf("%s before admission: state %q", j.name, st.State)
		}
	}
	// A reused invite is refused with a clear message.
	inv := inviteFrom(t, cli, a)
	run(t, []string{passEnv}, cli, "--home", filepath.Join(dir, "x"), "join", inv, "--name", "X")
	cmd := exec.Command(cli, "--home", filepath.Join(dir, "y"), "join", inv, "--name", "Y")
	cmd.Env = append(os.Environ(), passEnv)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "already used") {
		t.Fatalf("a reused invite: %v\n%s", err, out)
	}

	var reqs []struct {
		ID, Name string
		Admitted bool
	}
	cliJSON(t, &reqs, cli, a, "requests")
	if len(reqs) != 3 {
		t.Fatalf("A holds %d join requests, want 3: %+v", len(reqs), reqs)
	}
	for _, r := range reqs {
		if r.Name == "Bea" || r.Name == "Cy" {
			var m struct{ Name string }
			cliJSON(t, &m, cli, a, "admit", r.ID[:12])
			if m.Name != r.Name {
				t.Fatalf("admit %s: %+v", r.Name, m)
			}
		}
	}
	serveNode(t, cli, b)
	serveNode(t, cli, c)
	converge(t, cli, 3, a, b, c)

	// D joins through C's invite; the request travels C -> A by sync, and
	// A admits it.
	cliJSON(t, new(struct{}), cli, d, "join", inviteFrom(t, cli, c), "--name", "Dee")
	var dreq string
	waitFor(t, 30*time.Second, "D's request to reach A", func() bool {
		cliJSON(t, &reqs, cli, a, "requests")
		for _, r := range reqs {
			if r.Name == "Dee" {
				dreq = r.ID
			}
		}
		return dreq != ""
	})
	cliJSON(t, new(struct{}), cli, a, "admit", dreq)
	serveNode(t, cli, d)
	converge(t, cli, 4, a, b, c, d)

	var peers []struct {
		Member    string
		Connected bool
		Received  uint64
	}
	cliJSON(t, &peers, cli, d, "peers")
	if len(peers) == 0 || peers[0].Member != "Cy" || !peers[0].Connected || peers[0].Received == 0 {
		t.Fatalf("D's peers: %+v", peers)
	}
}

// converge waits until every home's running node is ready with members
// members and one digest.
func converge(t *testing.T, cli string, members int, homes ...string) {
	t.Helper()
	var last []syncStatus
	waitFor(t, 60*time.Second, "convergence", func() bool {
		last = last[:0]
		for _, h := range homes {
			var st syncStatus
			cliJSON(t, &st, cli, h, "status")
			last = append(last, st)
		}
		for _, st := range last {
			if st.State != "ready" || st.Coop == nil || st.Coop.Members != members || st.Digest != last[0].Digest {
				return false
			}
		}
		return true
	})
	t.Logf("%d nodes converged on digest %s with %d members", len(homes), last[0].Digest, members)
}
