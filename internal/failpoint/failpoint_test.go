package failpoint

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
)

// TestHit_killsTheNthTime re-runs the test binary with a crash point armed
// for its second occurrence: the child dies of SIGKILL after printing once.
func TestHit_killsTheNthTime(t *testing.T) {
	if os.Getenv("FAILPOINT_CHILD") == "1" {
		Hit("other")
		Hit("p")
		os.Stdout.WriteString("first\n")
		Hit("p")
		os.Stdout.WriteString("second\n")
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=TestHit_killsTheNthTime$")
	cmd.Env = append(os.Environ(), "FAILPOINT_CHILD=1", EnvVar+"=p:2")
	out, err := cmd.Output()
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if err == nil || !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child: err %v, status %v; want killed by SIGKILL", err, cmd.ProcessState)
	}
	if string(out) != "first\n" {
		t.Errorf("child printed %q, want only \"first\\n\"", out)
	}
}

func TestHit_unarmedCostsNothing(t *testing.T) {
	if os.Getenv(EnvVar) != "" {
		t.Skip("armed by the environment")
	}
	if n := testing.AllocsPerRun(100, func() { Hit("extract.after-rename") }); n != 0 {
		t.Errorf("Hit allocates %v times when unarmed", n)
	}
}
