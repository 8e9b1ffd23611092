#!/usr/bin/env bash
# Puts a test tool's overlay in place, for its build (scripts/tools/build.sh) and its licence listing
# (scripts/licences/goTools.ts) alike: each module the tool's go.mod requires that has a directory
# tools/<tool>/overlay/<module path>/ is copied, as go.mod resolves it, into the work directory with
# the overlay's files over the release's, and a copy of go.mod and go.sum there replaces the module
# with that copy. Prints the go.mod to build with (`go build -modfile`). Go refuses to overlay files
# inside the module cache (`go build -overlay`), hence the copies.
#   scripts/tools/overlay.sh <tool> <work directory>
set -euo pipefail

name="${1:?usage: overlay.sh <tool> <work directory>}"
work="${2:?usage: overlay.sh <tool> <work directory>}"
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../tools/$name" && pwd)"
mkdir -p "$work"
cp "$src/go.mod" "$src/go.sum" "$work/"
overlaid=0
for module in $(cd "$src" && go mod edit -json | node -e '
  const { Require = [] } = JSON.parse(require("fs").readFileSync(0, "utf8"));
  for (const { Path } of Require) console.log(Path);
'); do
  [[ -d "$src/overlay/$module" ]] || continue
  (cd "$src" && go mod download "$module")
  copy="$work/modules/$module"
  mkdir -p "$(dirname "$copy")"
  cp -R "$(cd "$src" && go list -m -f '{{.Dir}}' "$module")" "$copy"
  chmod -R u+w "$copy"
  cp -R "$src/overlay/$module/." "$copy/"
  go mod edit -replace "$module=$copy" "$work/go.mod"
  overlaid=$((overlaid + 1))
done
if [[ $overlaid -eq 0 ]]; then
  echo "overlay.sh: no module under tools/$name/overlay/ is one tools/$name/go.mod requires" >&2
  exit 1
fi
echo "$work/go.mod"
