#!/usr/bin/env bash
# `make install` / `make uninstall` into temporary DESTDIRs, for the default PREFIX (/usr/local) and
# PREFIX=/usr: every file where it belongs, the unit's ExecStart and defaults file adjusted to the
# PREFIX, the binary runs, the man page renders without warnings, the completions parse, and uninstall
# leaves only the defaults file (configuration). Run by `make test-install` (CI).
# Usage: install-test.sh BINARY GENERATED_DIR
set -uo pipefail
cd "$(dirname "$0")/../.."
binary=${1:?binary}
generated=${2:?generated directory}
failures=0
checks=0
ok() { checks=$((checks + 1)); }
fail() { echo "install-test: FAIL: $*" >&2; failures=$((failures + 1)); }
expect_file() { # path mode
  if [ -f "$1" ]; then
    local mode
    mode=$(stat -c %a "$1")
    [ "$mode" = "$2" ] && ok || fail "$1 has mode $mode, expected $2"
  else
    fail "missing $1"
  fi
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

check_prefix() { # prefix sysconfdir
  local prefix=$1 sysconf=$2 root="$work/root${1//\//_}"
  echo "== PREFIX=$prefix DESTDIR=$root"
  make --no-print-directory install DESTDIR="$root" PREFIX="$prefix" GENERATED="$generated" > "$work/install.log" 2>&1 \
    || { cat "$work/install.log"; fail "make install PREFIX=$prefix failed"; return; }
  local r=$root$prefix
  expect_file "$r/bin/lanscope" 755
  expect_file "$r/lib/systemd/system/lanscope.service" 644
  expect_file "$root$sysconf/default/lanscope" 644
  expect_file "$r/share/man/man1/lanscope.1" 644
  expect_file "$r/share/bash-completion/completions/lanscope" 644
  expect_file "$r/share/zsh/site-functions/_lanscope" 644
  expect_file "$r/share/fish/vendor_completions.d/lanscope.fish" 644
  for f in README.md LICENSE NOTICE json-api.md examples/web.yml examples/compose.yml \
    examples/prometheus/prometheus.yml examples/prometheus/prometheus-auth.yml \
    examples/alertmanager/alertmanager.yml examples/alertmanager/alertmanager-email.yml \
    examples/alertmanager/alertmanager-ntfy.yml; do
    expect_file "$r/share/doc/lanscope/$f" 644
  done
  expect_file "$r/share/lanscope/alerting-rules/lanscope.rules.yml" 644
  for f in dashboards/*.json; do expect_file "$r/share/lanscope/dashboards/$(basename "$f")" 644; done
  # Nothing outside PREFIX and the defaults file.
  local stray
  stray=$(cd "$root" && find . -type f | grep -v "^\.$prefix/" | grep -v "^\.$sysconf/default/lanscope$")
  [ -z "$stray" ] && ok || fail "files outside $prefix: $stray"

  # The unit runs the installed binary and reads the installed defaults file.
  local unit=$r/lib/systemd/system/lanscope.service
  grep -q "^ExecStart=$prefix/bin/lanscope run \$LANSCOPE_OPTIONS$" "$unit" && ok \
    || fail "ExecStart does not run $prefix/bin/lanscope: $(grep ExecStart "$unit")"
  grep -q "^EnvironmentFile=-$sysconf/default/lanscope$" "$unit" && ok || fail "EnvironmentFile not $sysconf/default/lanscope"
  if command -v systemd-analyze > /dev/null; then
    # verify needs ExecStart to exist on this host: a copy pointing at the staged binary.
    sed "s|^ExecStart=$prefix/bin/lanscope|ExecStart=$r/bin/lanscope|" "$unit" > "$work/lanscope.service"
    out=$(systemd-analyze verify "$work/lanscope.service" 2>&1)
    [ -z "$out" ] && ok || fail "systemd-analyze verify: $out"
  fi
  # The installed binary runs and is the one built.
  "$r/bin/lanscope" --version > /dev/null && ok || fail "installed binary does not run"
  cmp -s "$r/bin/lanscope" "$binary" && ok || fail "installed binary differs from $binary"
  # The man page renders without a warning and documents every subcommand.
  local rendered
  rendered=$(LC_ALL=C.UTF-8 MANWIDTH=100 man -l --warnings "$r/share/man/man1/lanscope.1" 2> "$work/man.err")
  [ ! -s "$work/man.err" ] && ok || fail "man page warnings: $(cat "$work/man.err")"
  for sub in run replay list device alerts export check; do
    grep -q "^ *$sub " <<< "$rendered" && ok || fail "man page lacks the $sub subcommand"
  done
  # Completions: bash parses and completes the subcommands; zsh/fish when installed.
  bash -n "$r/share/bash-completion/completions/lanscope" && ok || fail "bash completion does not parse"
  words=$(bash -c "source '$r/share/bash-completion/completions/lanscope'; COMP_WORDS=(lanscope ''); COMP_CWORD=1; COMP_LINE='lanscope '; COMP_POINT=9; _lanscope; echo \"\${COMPREPLY[*]}\"" 2>&1)
  for sub in run replay list device alerts export check; do
    grep -qw "$sub" <<< "$words" && ok || fail "bash completion does not offer $sub: $words"
  done
  if command -v zsh > /dev/null; then zsh -n "$r/share/zsh/site-functions/_lanscope" && ok || fail "zsh completion"; fi
  if command -v fish > /dev/null; then fish -n "$r/share/fish/vendor_completions.d/lanscope.fish" && ok || fail "fish completion"; fi

  # Uninstall removes everything but the defaults file.
  make --no-print-directory uninstall DESTDIR="$root" PREFIX="$prefix" > "$work/uninstall.log" 2>&1 \
    || { cat "$work/uninstall.log"; fail "make uninstall PREFIX=$prefix failed"; return; }
  local left
  left=$(cd "$root" && find . -type f)
  [ "$left" = ".$sysconf/default/lanscope" ] && ok || fail "left after uninstall: $left"
  [ ! -d "$r/share/doc/lanscope" ] && [ ! -d "$r/share/lanscope" ] && ok || fail "lanscope directories left after uninstall"
}

check_prefix /usr/local /usr/local/etc
check_prefix /usr /etc

echo "install-test: $checks checks passed, $failures failed"
[ "$failures" = 0 ]
