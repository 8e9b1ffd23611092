#!/usr/bin/env bash
# Builds the test tool module tools/<name> (its main package, or the `tool` packages its go.mod
# lists) from the Go module proxy and prints the directory holding the binaries. Outputs are
# cached outside the repo, keyed by a hash of the module's sources, so each version is built once
# and nothing built is ever committed.
#   scripts/tools/build.sh kube-validate | prometheus | alertmanager
set -euo pipefail

name="${1:?usage: build.sh <tool module under tools/>}"
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../tools/$name" && pwd)"
cache="${OBSERVABILITY_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/observability-tools}"
shopt -s nullglob
sources=("$src"/go.mod "$src"/go.sum "$src"/*.go)
key="$(cat "${sources[@]}" | sha256sum | cut -c1-16)"
out="$cache/$name-$key"

if [[ ! -f "$out/.complete" ]]; then
  if ! command -v go >/dev/null 2>&1; then
    echo "$name: Go is required to build this test tool (Go 1.24 or newer)" >&2
    exit 1
  fi
  echo "$name: building into $out (once per version)" >&2
  rm -rf "$out.tmp" && mkdir -p "$out.tmp"
  start=$(date +%s)
  if grep -q '^tool ' "$src/go.mod"; then
    (cd "$src" && CGO_ENABLED=0 go build -trimpath -o "$out.tmp/" tool)
  else
    (cd "$src" && CGO_ENABLED=0 go build -trimpath -o "$out.tmp/$name" .)
  fi
  touch "$out.tmp/.complete"
  rm -rf "$out" && mv "$out.tmp" "$out"
  echo "$name: built in $(($(date +%s) - start)) s" >&2
fi
echo "$out"
