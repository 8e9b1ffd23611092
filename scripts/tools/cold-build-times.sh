#!/usr/bin/env bash
# Measures how long the test tools take to build on a machine that has never built them: every
# tool CI builds, with an empty Go module cache, Go build cache and tool cache (all in a temporary
# directory, removed afterwards), one after the other in the order the tiers need them. Prints
# each tool's wall-clock and processor seconds and the totals, and the module zips the builds
# fetched, naming any of the modules the package lists mark not-to-use (AGPL: Loki, Grafana,
# Tempo), which no build may fetch.
#   scripts/tools/cold-build-times.sh [--record] [tool ...]   (default: every tool CI builds)
#     --record  also writes the wall-clock seconds to scripts/tools/cold-build-seconds.json (which
#               scripts/testSetup.sh announces and docs/testing.md's table shows) and the whole
#               measurement to docs/measured/tool-builds-cold.md
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

record=""
if [[ "${1:-}" == --record ]]; then
  record=1
  shift
fi
tools=("$@")
if [[ ${#tools[@]} -eq 0 ]]; then
  # shellcheck source=scripts/steps.sh
  mapfile -t tools < <(source scripts/steps.sh && trap - EXIT && tier_tools unit scenarios servers cluster examples)
fi
scratch="$(mktemp -d)"
trap 'chmod -R u+w "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
export OBSERVABILITY_TOOLS_CACHE="$scratch/tools" GOMODCACHE="$scratch/mod" GOCACHE="$scratch/gocache"

rows=()
seconds_json=()
total_wall=0 total_cpu=0
TIMEFORMAT='%R %U %S'
for tool in "${tools[@]}"; do
  { time bash scripts/tools/build.sh "$tool" >/dev/null 2>"$scratch/$tool.log"; } 2>"$scratch/$tool.time" ||
    { tail -20 "$scratch/$tool.log" >&2; exit 1; }
  read -r wall user system <"$scratch/$tool.time"
  cpu=$(awk -v user="$user" -v sys="$system" 'BEGIN { printf "%.0f", user + sys }')
  wall=$(printf '%.0f' "$wall")
  total_wall=$((total_wall + wall))
  total_cpu=$((total_cpu + cpu))
  echo "$tool: $wall s, $cpu s of processor time"
  rows+=("| \`$tool\` | $wall | $cpu |")
  seconds_json+=("\"$tool\": $wall")
done
echo "all: $total_wall s, $total_cpu s of processor time"
download="$GOMODCACHE/cache/download"
echo "module zips fetched: $(find "$download" -name '*.zip' | wc -l)"
refused=()
for module in github.com/grafana/loki github.com/grafana/loki/v2 github.com/grafana/loki/v3 github.com/grafana/grafana github.com/grafana/tempo; do
  for zip in "$download/$module/@v/"*.zip; do
    [[ -f "$zip" ]] && refused+=("$module@$(basename "$zip" .zip)")
  done
done
echo "of modules not to use (AGPL): ${refused[*]:-none}"
[[ ${#refused[@]} -eq 0 ]]

if [[ -n "$record" ]]; then
  (IFS=,; echo "{${seconds_json[*]}}") | node -e 'process.stdout.write(JSON.stringify(JSON.parse(require("fs").readFileSync(0, "utf8")), null, 2) + "\n")' \
    >scripts/tools/cold-build-seconds.json
  {
    echo "# Test tools, built cold"
    echo
    echo "Written by \`scripts/tools/cold-build-times.sh --record\` (do not edit by hand) on $(nproc) cores," \
      "$(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo), $(date -u '+%Y-%m-%d %H:%M UTC')," \
      "$(go env GOVERSION). Each tool built once, one after another in CI's order, with empty tool," \
      "Go module and Go build caches at the start: a tool's time includes downloading its modules and" \
      "compiling the packages no tool before it compiled. Processor time is user plus system, of every process of the build."
    echo
    echo "| tool | wall-clock seconds | processor seconds |"
    echo "| --- | --: | --: |"
    printf '%s\n' "${rows[@]}"
    echo "| **all** | **$total_wall** | **$total_cpu** |"
  } >docs/measured/tool-builds-cold.md
  npx --no-install prettier --log-level warn --write docs/measured/tool-builds-cold.md scripts/tools/cold-build-seconds.json
fi
