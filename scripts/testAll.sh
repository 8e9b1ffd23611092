#!/usr/bin/env bash
# `npm run test:all [-- <tier>...]`: the test tiers in order, each building (once per version,
# cached) the tools it needs: unit (npm test), components (the real servers) and cluster (a real
# control plane); every tier when none is named. Stops at the first tier that fails; ends with the
# time each took.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/steps.sh
source scripts/steps.sh

tiers=("$@")
if [[ ${#tiers[@]} -eq 0 ]]; then
  tiers=(unit components cluster)
fi
# Run on its own (.ci/run starts them itself), the tiers' tools build in the background.
if [[ -n "${steps_own_log:-}" ]]; then
  mapfile -t tools < <(tier_tools "${tiers[@]}")
  prebuild_in_background "${tools[@]}"
fi
for tier in "${tiers[@]}"; do
  case "$tier" in
    unit) step "Unit tests (npm test)" npm test ;;
    components)
      step "Component tests: the real Loki, Alloy, collector, Prometheus and Alertmanager (npm run test:components)" \
        npm run test:components
      ;;
    cluster)
      step "Cluster tests: a real kube-apiserver, scheduler and controller manager with kwok nodes (npm run test:cluster)" \
        npm run test:cluster
      ;;
    *)
      echo "test:all: no tier $tier (unit, components, cluster)" >&2
      exit 2
      ;;
  esac
done
