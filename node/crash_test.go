package node

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/coopnode/coopnode/node/coop"
	"github.com/coopnode/coopnode/node/identity"
	"github.com/coopnode/coopnode/node/record"
)

// TestMain lets this test binary act as a writer process for the crash test.
func TestMain(m *testing.M) {
	if home := os.Getenv("COOPNODE_CRASH_WRITER"); home != "" {
		crashWriter(home)
		return
	}
	os.Exit(m.Run())
}

// crashWriter admits members one by one, printing each ID once Put returned (acknowledged).
func crashWriter(home string) {
	n, err := Open(home, pass, testOpts)
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(1)
	}
	var cert record.ID
	for _, id := range mustIDs(n.IDsOfType(coop.TypeDevice)) {
		cert = id
	}
	w := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		k, _ := identity.Generate(nil)
		r, err := coop.Admit(n.keys.Device(), n.CoopID(), coop.Profile{Name: fmt.Sprintf("m%d", i), MemberKey: k.MemberKey(), Class: "member"}, n.opts.now(), cert)
		if err == nil {
			err = n.Put(r)
		}
		if err != nil {
			fmt.Fprintln(w, "ERR", err)
			w.Flush()
			os.Exit(1)
		}
		fmt.Fprintln(w, r.ID) // acknowledged: Put returned after a synchronous write
		w.Flush()
	}
}

func mustIDs(ids []record.ID, err error) []record.ID {
	if err != nil {
		panic(err)
	}
	return ids
}

// TestAcknowledgedWritesSurviveKill9: every record a writer acknowledged is
// there after the writer is killed with SIGKILL mid-stream.
func TestAcknowledgedWritesSurviveKill9(t *testing.T) {
	home := initHome(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "COOPNODE_CRASH_WRITER="+home)
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	var acked []record.ID
	for len(acked) < 40 && sc.Scan() {
		id, err := record.ParseID(sc.Text())
		if err != nil {
			cmd.Process.Kill()
			t.Fatalf("writer: %s", sc.Text())
		}
		acked = append(acked, id)
	}
	cmd.Process.Kill() // SIGKILL: no Close, no flush
	cmd.Wait()
	if len(acked) < 40 {
		t.Fatalf("writer acknowledged only %d records", len(acked))
	}
	n, err := Open(home, pass, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	have := map[record.ID]bool{}
	for _, r := range recordsOf(t, n) {
		have[r.ID] = true
	}
	for _, id := range acked {
		if !have[id] {
			t.Fatalf("acknowledged record %s lost after kill -9", id.Short())
		}
	}
	if p := n.Problems(); len(p) != 0 {
		t.Fatalf("problems after kill -9: %v", p)
	}
	if got := len(n.State().Members); got < len(acked)+1 {
		t.Fatalf("%d members after %d acknowledged admissions", got, len(acked))
	}
}
