#!/usr/bin/env bash
# Builds the named test tools one after the other. A caller starts it in the background, so that a
# cold run overlaps the builds with the steps before the suites that need them. It also downloads every named
# tool's modules (those its go.mod lists) at once from the start: network time, not CPU; a build
# fetches what it needs before those downloads reach it. A suite that needs a tool still building
# waits for it (scripts/tools/build.sh locks each version); a build that fails here is left to the
# suite's own build, which reports it.
#   scripts/tools/prebuild.sh <tool> ...
set -uo pipefail

tools_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../tools" && pwd)"
for tool in "$@"; do
  [[ -f "$tools_dir/$tool/go.mod" ]] && (cd "$tools_dir/$tool" && go mod download >/dev/null 2>&1) &
done
export OBSERVABILITY_BUILD_BACKGROUND=1
for tool in "$@"; do
  setsid --wait bash "$(dirname "${BASH_SOURCE[0]}")/build.sh" "$tool" >/dev/null || echo "prebuild: $tool failed; its suite builds it" >&2
done
wait
