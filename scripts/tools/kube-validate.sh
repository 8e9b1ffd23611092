#!/usr/bin/env bash
# Builds tools/kube-validate (strict decoding into the real Kubernetes Go types) from the Go
# module proxy and prints the binary's path. The binary is cached outside the repo, keyed by a
# hash of its sources, so it is built once per version and never committed.
set -euo pipefail

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../tools/kube-validate" && pwd)"
cache="${OBSERVABILITY_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/observability-tools}"
key="$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-16)"
binary="$cache/kube-validate-$key/kube-validate"

if [[ ! -x "$binary" ]]; then
  if ! command -v go >/dev/null 2>&1; then
    echo "kube-validate: Go is required to build the schema validator (install Go 1.24+)" >&2
    exit 1
  fi
  echo "kube-validate: building into $binary (first run only)" >&2
  mkdir -p "$(dirname "$binary")"
  (cd "$src" && CGO_ENABLED=0 go build -trimpath -o "$binary.tmp" .)
  mv "$binary.tmp" "$binary"
fi
echo "$binary"
