#!/usr/bin/env bash
# Installs (or removes) lanscope under $DESTDIR$PREFIX: `make install` / `make uninstall` / `make deb`.
#   install.sh install BINARY GENERATED_DIR     GENERATED_DIR holds lanscope.1 and completions/ (make docs)
#   install.sh uninstall
# PREFIX (default /usr/local) is where the files will live at run time: the systemd unit's ExecStart
# points at $PREFIX/bin/lanscope. DESTDIR (default empty) is prepended to every path written, for
# staging (packages, tests). SYSCONFDIR (default /etc for /usr, else $PREFIX/etc) takes the defaults file.
# Every file installed is listed; uninstall removes exactly those.
set -euo pipefail
cd "$(dirname "$0")/.."

PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
if [ -z "${SYSCONFDIR:-}" ]; then
  if [ "$PREFIX" = /usr ]; then SYSCONFDIR=/etc; else SYSCONFDIR=$PREFIX/etc; fi
fi

# Paths below $PREFIX / $SYSCONFDIR, the same for install and uninstall.
BIN=$PREFIX/bin/lanscope
UNIT=$PREFIX/lib/systemd/system/lanscope.service
DEFAULTS=$SYSCONFDIR/default/lanscope
MAN=$PREFIX/share/man/man1/lanscope.1
BASH_COMPLETION=$PREFIX/share/bash-completion/completions/lanscope
ZSH_COMPLETION=$PREFIX/share/zsh/site-functions/_lanscope
FISH_COMPLETION=$PREFIX/share/fish/vendor_completions.d/lanscope.fish
DOC=$PREFIX/share/doc/lanscope
EXAMPLES=$DOC/examples
DASHBOARDS=$PREFIX/share/lanscope/dashboards
RULES=$PREFIX/share/lanscope/alerting-rules

# Example files: repository path → name under $EXAMPLES.
EXAMPLE_FILES=(
  deploy/web.yml:web.yml
  deploy/prometheus/prometheus.yml:prometheus/prometheus.yml
  deploy/prometheus/prometheus-auth.yml:prometheus/prometheus-auth.yml
  deploy/alertmanager/alertmanager.yml:alertmanager/alertmanager.yml
  deploy/alertmanager/alertmanager-email.yml:alertmanager/alertmanager-email.yml
  deploy/alertmanager/alertmanager-ntfy.yml:alertmanager/alertmanager-ntfy.yml
  deploy/compose.yml:compose.yml
)

install_file() { # mode source destination
  install -D -m "$1" "$2" "$DESTDIR$3"
  echo "  $3"
}

do_install() {
  local binary=$1 generated=$2
  [ -x "$binary" ] || { echo "install.sh: no executable at $binary (make release)" >&2; exit 1; }
  for f in lanscope.1 completions/lanscope.bash completions/_lanscope completions/lanscope.fish; do
    [ -s "$generated/$f" ] || { echo "install.sh: $generated/$f missing (make docs)" >&2; exit 1; }
  done
  echo "installing into ${DESTDIR:-/} with PREFIX=$PREFIX:"
  install_file 0755 "$binary" "$BIN"
  # The unit runs the binary where this PREFIX puts it.
  local unit
  unit=$(mktemp)
  sed "s|/usr/local/bin/lanscope|$BIN|g; s|/etc/default/lanscope|$DEFAULTS|g" deploy/lanscope.service > "$unit"
  install_file 0644 "$unit" "$UNIT"
  rm -f "$unit"
  install_file 0644 deploy/lanscope.default "$DEFAULTS"
  install_file 0644 "$generated/lanscope.1" "$MAN"
  install_file 0644 "$generated/completions/lanscope.bash" "$BASH_COMPLETION"
  install_file 0644 "$generated/completions/_lanscope" "$ZSH_COMPLETION"
  install_file 0644 "$generated/completions/lanscope.fish" "$FISH_COMPLETION"
  install_file 0644 README.md "$DOC/README.md"
  install_file 0644 LICENSE "$DOC/LICENSE"
  install_file 0644 NOTICE "$DOC/NOTICE"
  install_file 0644 docs/json-api.md "$DOC/json-api.md"
  for pair in "${EXAMPLE_FILES[@]}"; do
    install_file 0644 "${pair%%:*}" "$EXAMPLES/${pair#*:}"
  done
  for f in dashboards/*.json; do install_file 0644 "$f" "$DASHBOARDS/$(basename "$f")"; done
  install_file 0644 alerting-rules/lanscope.rules.yml "$RULES/lanscope.rules.yml"
}

do_uninstall() {
  echo "removing from ${DESTDIR:-/} with PREFIX=$PREFIX:"
  local f
  for f in "$BIN" "$UNIT" "$MAN" "$BASH_COMPLETION" "$ZSH_COMPLETION" "$FISH_COMPLETION" \
    "$DOC/README.md" "$DOC/LICENSE" "$DOC/NOTICE" "$DOC/json-api.md" "$RULES/lanscope.rules.yml"; do
    rm -f "$DESTDIR$f" && echo "  $f"
  done
  for pair in "${EXAMPLE_FILES[@]}"; do rm -f "$DESTDIR$EXAMPLES/${pair#*:}"; done
  rm -f "$DESTDIR$DASHBOARDS"/lanscope-*.json
  # The defaults file is configuration: kept, as a package manager keeps a changed conffile.
  echo "  kept $DEFAULTS (configuration)"
  # Directories only lanscope uses go when empty.
  for d in "$EXAMPLES/prometheus" "$EXAMPLES/alertmanager" "$EXAMPLES" "$DOC" "$DASHBOARDS" "$RULES" \
    "$PREFIX/share/lanscope"; do
    rmdir "$DESTDIR$d" 2>/dev/null || true
  done
}

case "${1:-}" in
  install) do_install "${2:?binary}" "${3:?generated directory}" ;;
  uninstall) do_uninstall ;;
  *) echo "usage: install.sh install BINARY GENERATED_DIR | uninstall" >&2; exit 2 ;;
esac
