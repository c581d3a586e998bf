package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

// completion prints a completion script for bash, zsh or fish. It
// completes verbs, the flags of each verb and, where a verb takes model
// names, the names 'models list --names' prints for the search path.
func (a *app) completion(ctx context.Context, args []string) error {
	pos, err := parse(a.flags("completion"), args, 1, 1)
	if err != nil {
		return err
	}
	verbs := completionVerbs(ctx)
	switch pos[0] {
	case "bash":
		writeBash(a.stdout, verbs)
	case "zsh":
		writeZsh(a.stdout, verbs)
	case "fish":
		writeFish(a.stdout, verbs)
	default:
		return usagef("completion: unknown shell %q (want bash, zsh or fish)", pos[0])
	}
	return nil
}

// compVerb is what a completion script knows of a verb.
type compVerb struct {
	names []string // the verb and its aliases
	help  string
	flags []compFlag
	words string // "names", "shells", "verbs", "install" or "" (files)
}

type compFlag struct {
	name, help string
	value      bool // takes a value
}

func (f compFlag) dashed() string {
	if len(f.name) == 1 {
		return "-" + f.name
	}
	return "--" + f.name
}

func completionVerbs(ctx context.Context) []compVerb {
	var out []compVerb
	for i := range commands {
		c := &commands[i]
		v := compVerb{names: append([]string{c.name}, c.aliases...), help: c.help}
		switch {
		case c.names:
			v.words = "names"
		case c.name == "completion":
			v.words = "shells"
		case c.name == "help":
			v.words = "verbs"
		case c.name == "runtime":
			v.words = "install"
		}
		v.flags = flagList(flagsOf(ctx, c), func(string) bool { return true })
		out = append(out, v)
	}
	return out
}

// flagList lists the flags of fs that keep selects.
func flagList(fs *flag.FlagSet, keep func(string) bool) []compFlag {
	var out []compFlag
	fs.VisitAll(func(f *flag.Flag) {
		if !keep(f.Name) {
			return
		}
		_, usage := flag.UnquoteUsage(f)
		bf, isBool := f.Value.(interface{ IsBoolFlag() bool })
		out = append(out, compFlag{name: f.Name, help: usage, value: !(isBool && bf.IsBoolFlag())})
	})
	return append(out, compFlag{name: "help", help: "print the usage"})
}

// allVerbs returns every verb and alias, space-separated.
func allVerbs(verbs []compVerb) string {
	var s []string
	for _, v := range verbs {
		s = append(s, v.names...)
	}
	return strings.Join(s, " ")
}

func dashedFlags(fl []compFlag) string {
	var s []string
	for _, f := range fl {
		s = append(s, f.dashed())
	}
	return strings.Join(s, " ")
}

// valueFlags returns the flags taking a value, as a shell case pattern.
func valueFlags(verbs []compVerb) string {
	seen := map[string]bool{}
	var s []string
	for _, v := range verbs {
		for _, f := range v.flags {
			if f.value && !seen[f.name] {
				seen[f.name] = true
				s = append(s, f.dashed())
			}
		}
	}
	return strings.Join(s, "|")
}

func globalCompFlags() []compFlag {
	a := &app{}
	return flagList(a.globalFlags(), func(string) bool { return true })
}

func writeBash(w io.Writer, verbs []compVerb) {
	fmt.Fprintf(w, `# bash completion for models; load with: source <(models completion bash)
_models() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
    local verb="" i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
            %[1]s) ((i++)) ;;
            -*) ;;
            *) verb="${COMP_WORDS[i]}"; break ;;
        esac
    done
    case "$prev" in
        %[1]s) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    esac
    local flags="" words=""
    case "$verb" in
        "") flags=%[2]q; words=%[3]q ;;
`, valueFlags(verbs), dashedFlags(globalCompFlags()), allVerbs(verbs))
	for _, v := range verbs {
		fmt.Fprintf(w, "        %s) flags=%q; words=%q ;;\n", strings.Join(v.names, "|"), dashedFlags(v.flags), v.words)
	}
	fmt.Fprintf(w, `    esac
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$flags" -- "$cur"))
        return
    fi
    case "$words" in
        names) COMPREPLY=($(compgen -W "$(command models list --names 2>/dev/null)" -- "$cur")) ;;
        shells) COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur")) ;;
        verbs) COMPREPLY=($(compgen -W %[1]q -- "$cur")) ;;
        install) COMPREPLY=($(compgen -W "install" -- "$cur")) ;;
        "") [[ -z "$verb" ]] && COMPREPLY=($(compgen -W %[1]q -- "$cur")) || COMPREPLY=($(compgen -f -- "$cur")) ;;
        *) COMPREPLY=($(compgen -W "$words" -- "$cur")) ;;
    esac
}
complete -o default -F _models models
`, allVerbs(verbs))
}

func writeZsh(w io.Writer, verbs []compVerb) {
	fmt.Fprintf(w, `#compdef models
# zsh completion for models; load with: source <(models completion zsh)
# or save as _models in a directory of $fpath.
_models() {
    local verb="" i
    for ((i = 2; i < CURRENT; i++)); do
        case "${words[i]}" in
            %[1]s) ((i++)) ;;
            -*) ;;
            *) verb="${words[i]}"; break ;;
        esac
    done
    case "${words[CURRENT-1]}" in
        %[1]s) _files; return ;;
    esac
    local -a flags verbs
    verbs=(
`, valueFlags(verbs))
	for _, v := range verbs {
		for _, n := range v.names {
			fmt.Fprintf(w, "        %s\n", zshQuote(n+":"+v.help))
		}
	}
	fmt.Fprintf(w, `    )
    local kind=""
    case "$verb" in
        "") flags=(%s); kind=verbs ;;
`, zshFlags(globalCompFlags()))
	for _, v := range verbs {
		fmt.Fprintf(w, "        %s) flags=(%s); kind=%s ;;\n", strings.Join(v.names, "|"), zshFlags(v.flags), zshQuote(v.words))
	}
	fmt.Fprint(w, `    esac
    if [[ "$PREFIX" == -* ]]; then
        _describe -t flags 'flag' flags
        return
    fi
    case "$kind" in
        names) compadd -- ${(f)"$(command models list --names 2>/dev/null)"} ;;
        shells) compadd bash zsh fish ;;
        verbs) _describe -t commands 'command' verbs ;;
        install) compadd install ;;
        *) _files ;;
    esac
}
if [ "$funcstack[1]" = "_models" ]; then
    _models "$@"
else
    compdef _models models
fi
`)
}

// zshFlags returns the flags as quoted "name:description" words.
func zshFlags(fl []compFlag) string {
	var s []string
	for _, f := range fl {
		s = append(s, zshQuote(strings.ReplaceAll(f.dashed(), ":", `\:`)+":"+f.help))
	}
	return strings.Join(s, " ")
}

// zshQuote quotes s in single quotes for zsh and bash.
func zshQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func writeFish(w io.Writer, verbs []compVerb) {
	fmt.Fprintln(w, "# fish completion for models; load with: models completion fish | source")
	fmt.Fprintln(w, "complete -c models -f")
	for _, v := range verbs {
		for _, n := range v.names {
			fmt.Fprintf(w, "complete -c models -n __fish_use_subcommand -a %s -d %s\n", fishQuote(n), fishQuote(v.help))
		}
	}
	for _, f := range globalCompFlags() {
		fmt.Fprintf(w, "complete -c models -n __fish_use_subcommand %s\n", fishFlag(f))
	}
	for _, v := range verbs {
		cond := fishQuote("__fish_seen_subcommand_from " + strings.Join(v.names, " "))
		for _, f := range v.flags {
			fmt.Fprintf(w, "complete -c models -n %s %s\n", cond, fishFlag(f))
		}
		switch v.words {
		case "names":
			fmt.Fprintf(w, "complete -c models -n %s -a '(command models list --names 2>/dev/null)'\n", cond)
		case "shells":
			fmt.Fprintf(w, "complete -c models -n %s -a 'bash zsh fish'\n", cond)
		case "verbs":
			fmt.Fprintf(w, "complete -c models -n %s -a %s\n", cond, fishQuote(allVerbs(verbs)))
		case "install":
			fmt.Fprintf(w, "complete -c models -n %s -a install\n", cond)
		default:
			fmt.Fprintf(w, "complete -c models -n %s -F\n", cond)
		}
	}
}

func fishFlag(f compFlag) string {
	s := "-l " + f.name
	if len(f.name) == 1 {
		s = "-s " + f.name
	}
	if f.value {
		s += " -r -F"
	}
	return s + " -d " + fishQuote(f.help)
}

// fishQuote quotes s in single quotes for fish.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
