#!/usr/bin/env bash
# Measures how long the test tools take to build on a machine that has never built them: every
# tool CI builds, with an empty Go module cache, Go build cache and tool cache (all in a temporary
# directory, removed afterwards), one after the other. Prints each time and the total, and the
# module zips the builds fetched, naming any of the modules the package lists mark not-to-use (AGPL:
# Loki, Grafana, Tempo), which no build may fetch.
#   scripts/tools/cold-build-times.sh [tool ...]   (default: every tool CI builds)
set -euo pipefail

tools=("$@")
if [[ ${#tools[@]} -eq 0 ]]; then
  tools=(kube-validate prometheus alertmanager licensecheck otelcol alloy otlp-sink thanos sloth oslo kubernetes etcd kwok kube-state-metrics pulumi-language-nodejs pulumi-language-python pulumi-language-go pulumi-language-yaml pulumi pulumi-kubernetes pulumi-codegen)
fi
scratch="$(mktemp -d)"
trap 'chmod -R u+w "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
export OBSERVABILITY_TOOLS_CACHE="$scratch/tools" GOMODCACHE="$scratch/mod" GOCACHE="$scratch/gocache"

build="$(dirname "${BASH_SOURCE[0]}")/build.sh"
total=$(date +%s)
for tool in "${tools[@]}"; do
  start=$(date +%s)
  bash "$build" "$tool" >/dev/null 2>"$scratch/$tool.log" || { tail -20 "$scratch/$tool.log" >&2; exit 1; }
  echo "$tool: $(($(date +%s) - start)) s"
done
echo "all: $(($(date +%s) - total)) s"
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
