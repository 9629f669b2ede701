package main

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"
)

// The completion scripts of bash and zsh ask zoomsync itself for the
// words that may come next (urfave/cli's --generate-bash-completion, on
// with App.EnableBashCompletion), so they follow the commands and flags of
// the binary they complete; after urfave/cli's autocomplete/ scripts.
const bashCompletion = `# bash completion for zoomsync: source it, or put it in
# /etc/bash_completion.d/zoomsync (zoomsync completion bash > ...)
_zoomsync_complete() {
  local cur words cword
  COMPREPLY=()
  cur="${COMP_WORDS[COMP_CWORD]}"
  if declare -F _init_completion >/dev/null 2>&1; then
    _init_completion -n "=:" || return
  else
    words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD
  fi
  words=("${words[@]:0:$cword}")
  local request="${words[*]} --generate-bash-completion"
  if [[ "$cur" == "-"* ]]; then
    request="${words[*]} ${cur} --generate-bash-completion"
  fi
  local opts
  opts=$(eval "${request}" 2>/dev/null)
  COMPREPLY=($(compgen -W "${opts}" -- "${cur}"))
}
complete -o bashdefault -o default -o nospace -F _zoomsync_complete zoomsync
`

const zshCompletion = `#compdef zoomsync
# zsh completion for zoomsync: put it in a directory of $fpath as _zoomsync
# (zoomsync completion zsh > "${fpath[1]}/_zoomsync")
_zoomsync() {
  local -a opts
  local cur=${words[-1]}
  if [[ "$cur" == "-"* ]]; then
    opts=("${(@f)$(${words[@]:0:#words[@]-1} ${cur} --generate-bash-completion)}")
  else
    opts=("${(@f)$(${words[@]:0:#words[@]-1} --generate-bash-completion)}")
  fi
  if [[ "${opts[1]}" != "" ]]; then
    _describe 'values' opts
  else
    _files
  fi
}
compdef _zoomsync zoomsync
`

func completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print the shell completion script of bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish",
		Description: `Examples:
  source <(zoomsync completion bash)
  zoomsync completion zsh > "${fpath[1]}/_zoomsync"
  zoomsync completion fish > ~/.config/fish/completions/zoomsync.fish`,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageError{fmt.Errorf("completion takes one argument: bash, zsh or fish (got %d)", c.NArg())}
			}
			return writeCompletion(c.App, c.Args().First(), c.App.Writer)
		},
	}
}

func writeCompletion(app *cli.App, shell string, w io.Writer) error {
	var script string
	switch shell {
	case "bash":
		script = bashCompletion
	case "zsh":
		script = zshCompletion
	case "fish":
		s, err := app.ToFishCompletion()
		if err != nil {
			return fmt.Errorf("completion fish: %w", err)
		}
		script = s
	default:
		return usageError{fmt.Errorf("completion %q: want bash, zsh or fish", shell)}
	}
	_, err := io.WriteString(w, script)
	return err
}
