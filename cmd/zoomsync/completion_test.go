package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompletion: the scripts of bash, zsh and fish; bash's is valid bash
// and, sourced, completes the commands the binary has (asked through
// --generate-bash-completion).
func TestCompletion(t *testing.T) {
	// urfave/cli reads os.Args (not the arguments run passes) to tell a
	// flag's completion from a command's: as the shell would call it.
	args := os.Args
	os.Args = []string{"zoomsync", "--generate-bash-completion"}
	words, err := run(t, "--generate-bash-completion")
	os.Args = args
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"sync", "query", "report", "completion"} {
		if !strings.Contains("\n"+words, "\n"+cmd+"\n") {
			t.Errorf("--generate-bash-completion lacks %s:\n%s", cmd, words)
		}
	}
	bash, err := run(t, "completion", "bash")
	if err != nil || !strings.Contains(bash, "complete -o bashdefault -o default -o nospace -F _zoomsync_complete zoomsync") {
		t.Errorf("completion bash: %v\n%s", err, bash)
	}
	if zsh, err := run(t, "completion", "zsh"); err != nil || !strings.HasPrefix(zsh, "#compdef zoomsync") {
		t.Errorf("completion zsh: %v\n%s", err, zsh)
	}
	if fish, err := run(t, "completion", "fish"); err != nil || !strings.Contains(fish, "complete -c zoomsync") || !strings.Contains(fish, "-l file") {
		t.Errorf("completion fish: %v\n%s", err, fish)
	}
	if _, err := run(t, "completion", "tcsh"); exitCode(err) != 2 {
		t.Errorf("completion tcsh: %v, want a usage error", err)
	}

	sh, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed: the bash script is not run")
	}
	// A stand-in zoomsync on PATH answers --generate-bash-completion with
	// what the real one printed above.
	bin := t.TempDir()
	stub := "#!/bin/sh\ncat <<'EOF'\n" + words + "EOF\n"
	if err := os.WriteFile(filepath.Join(bin, "zoomsync"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(t.TempDir(), "zoomsync.bash")
	if err := os.WriteFile(script, []byte(bash), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sh, "-c", `source "$1"; COMP_WORDS=(zoomsync rep); COMP_CWORD=1; _zoomsync_complete; echo "${COMPREPLY[@]}"`, "bash", script)
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "report" {
		t.Errorf("bash completion of \"zoomsync rep\": %q, %v; want report", out, err)
	}
}
