#!/usr/bin/env bash
# `npm run test:all [-- <tier>...]`: the test tiers, each building (once per version, cached) the
# tools it needs: unit (npm test), scenarios (whole scenarios through the real CLIs), components
# (the real servers), cluster (a real control plane) and examples (the packed package, installed by
# each program of examples/); every tier when none is named. Unit and scenarios first; with
# components and cluster both named, the components' faults lane (scripts/testComponents.sh) runs
# beside their servers lane and then the cluster tier; examples last. Stops at the first tier that
# fails; ends with the time each step took.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/steps.sh
source scripts/steps.sh

tiers=("$@")
if [[ ${#tiers[@]} -eq 0 ]]; then
  tiers=(unit scenarios components cluster examples)
fi
# Run on its own (.ci/run starts them itself), the tiers' tools build in the background.
if [[ -n "${steps_own_log:-}" ]]; then
  mapfile -t tools < <(tier_tools "${tiers[@]}")
  prebuild_in_background "${tools[@]}"
fi
tier_named() {
  local tier
  for tier in "${tiers[@]}"; do
    [[ "$tier" == "$1" ]] && return 0
  done
  return 1
}
for tier in "${tiers[@]}"; do
  if [[ ! "$tier" =~ ^(unit|scenarios|components|cluster|examples)$ ]]; then
    echo "test:all: no tier $tier (unit, scenarios, components, cluster, examples)" >&2
    exit 2
  fi
done

components="Component tests: the real Loki, Alloy, collector, Prometheus and Alertmanager"
cluster="Cluster tests: a real kube-apiserver, scheduler and controller manager with kwok nodes (npm run test:cluster)"
examples="Examples: each program of examples/ installed from the packed tarball, type-checked, rendered and checked (npm run test:examples)"
if tier_named unit; then
  step "Unit tests (npm test)" npm test
fi
if tier_named scenarios; then
  step "Scenarios: alert cases, SLO burn rates, day-two edits and the review CLI (npm run test:scenarios)" \
    npm run -s test:scenarios
fi
if tier_named components && tier_named cluster; then
  # The components' faults lane mostly waits through its outages: it runs beside their servers
  # lane and then the cluster tier, which keep the cores busy.
  step "$components, faults lane, beside the next two steps (npm run test:components -- faults)" \
    npm run -s test:components -- faults &
  faults=$!
  status=0
  step "$components, servers lane (npm run test:components -- servers)" \
    npm run -s test:components -- servers || status=$?
  if [[ $status -eq 0 ]]; then
    step "$cluster" npm run test:cluster || status=$?
  fi
  wait "$faults" || status=$?
  if [[ $status -ne 0 ]]; then
    exit "$status"
  fi
else
  if tier_named components; then
    step "$components (npm run test:components)" npm run test:components
  fi
  if tier_named cluster; then
    step "$cluster" npm run test:cluster
  fi
fi
if tier_named examples; then
  step "$examples" npm run -s test:examples
fi
