#!/usr/bin/env bash
# Generates what `make install` and `make deb` ship beside the binary, from the argument parser itself
# so they cannot drift from the code:
#   OUT/lanscope.1                 man page: swift-argument-parser's generate-manual tool (mdoc)
#   OUT/completions/lanscope.bash  bash, zsh and fish completions: `lanscope --generate-completion-script`
#   OUT/completions/_lanscope
#   OUT/completions/lanscope.fish
# Usage: generate-docs.sh BINARY OUT
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:?binary}
out=${2:?output directory}
SWIFT=${SWIFT:-swift}

mkdir -p "$out/completions"
"$binary" --generate-completion-script bash > "$out/completions/lanscope.bash"
"$binary" --generate-completion-script zsh > "$out/completions/_lanscope"
"$binary" --generate-completion-script fish > "$out/completions/lanscope.fish"

# generate-manual is an executable target of the swift-argument-parser dependency; a debug build of it
# takes seconds and leaves the release build untouched.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$SWIFT" build --product generate-manual > "$log" 2>&1 || { cat "$log" >&2; exit 1; }
tool="$("$SWIFT" build --show-bin-path)/generate-manual"
# The date of the last commit, not today: the same sources give the same page.
date=$(git log -1 --format=%cs 2>/dev/null || date -u +%F)
"$tool" "$binary" --date "$date" --section 1 --output-directory "$out"
[ -s "$out/lanscope.1" ] || { echo "generate-docs: no man page produced" >&2; exit 1; }
echo "generate-docs: $out/lanscope.1 and bash/zsh/fish completions"
