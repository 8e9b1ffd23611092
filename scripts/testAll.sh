#!/usr/bin/env bash
# `npm run test:all [-- <tier>...]`: the test tiers, each building (once per version, cached) the
# tools it needs: unit (npm test), scenarios (whole scenarios through the real CLIs), servers
# (the real servers), cluster (a real control plane), examples (the packed package, installed by
# each program of examples/) and load (the short load bench, `npm run bench:load -- --short`: the
# real binaries at each profile's rated load; with BENCH_LOAD_RECORD set, its report recorded);
# every tier when none is named, in that order. With servers and cluster both named, three lanes
# run at once: the servers' faults lane (scripts/testServers.sh: two halves at once, which
# mostly wait) followed by the cluster tier's deploy faults and other languages' programs, then the
# servers' history, then the scenarios; the rest of the cluster tier (the engine's deploys, which
# wait on rollouts between program runs), then the load bench; and the servers' busy lane, which
# keeps the cores busy, followed by the examples and the cluster tier's upgrades, events and USE
# dashboards. Stops at the first tier that fails (with lanes: once the others end); ends with
# the time each step took.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/steps.sh
source scripts/steps.sh

tiers=("$@")
if [[ ${#tiers[@]} -eq 0 ]]; then
  tiers=(unit scenarios servers cluster examples load)
fi
# What the tiers need on the machine, before anything runs or builds.
bash scripts/testSetup.sh "${tiers[@]}"
# Run on its own (.ci/run starts them itself), the tiers' tools build in the background.
if [[ -n "${steps_own_log:-}" ]]; then
  prebuild_in_background "${tiers[@]}"
fi
tier_named() {
  local tier
  for tier in "${tiers[@]}"; do
    [[ "$tier" == "$1" ]] && return 0
  done
  return 1
}
for tier in "${tiers[@]}"; do
  if [[ ! "$tier" =~ ^(unit|scenarios|servers|cluster|examples|load)$ ]]; then
    echo "test:all: no tier $tier (unit, scenarios, servers, cluster, examples, load)" >&2
    exit 2
  fi
done

servers="Server tests: the real Alloy, collector, Prometheus and Alertmanager, and the Loki stand-in"
cluster="Cluster tests: a real kube-apiserver, scheduler and controller manager with kwok nodes (npm run test:cluster)"
examples="Examples: each program of examples/ installed from the packed tarball, type-checked, rendered and checked (npm run test:examples)"
scenarios_tier() {
  step "Scenarios: alert cases, SLO burn rates, day-two edits and the review CLI (npm run test:scenarios)" \
    npm run -s test:scenarios
}
examples_tier() {
  step "$examples" npm run -s test:examples
}
load_tier() {
  local args=(--short)
  [[ -n "${BENCH_LOAD_RECORD:-}" ]] && args+=(--record)
  step "Load benchmark, short: the real binaries at each profile's rated load (npm run bench:load -- --short)" \
    npm run -s bench:load -- "${args[@]}"
}
if tier_named unit; then
  step "Unit tests (npm test)" npm test
fi
if tier_named servers && tier_named cluster; then
  # The lane that mostly waits takes the files that need a core of their own once its outages end,
  # the cluster tier's deploy faults and the quickstart in other languages, and the scenarios; the
  # busy lane the upgrades and rollbacks, the cluster's events and the USE dashboards; the cluster
  # lane the load bench: each about a third of a run's steps (docs/measured/ci-steps.md), so that
  # the three end about together.
  deploy_faults=tests/cluster/deployFaults.test.ts
  cluster_events=tests/cluster/clusterEvents.test.ts
  use_dashboards=tests/cluster/useDashboards.test.ts
  languages=tests/cluster/languages.test.ts
  upgrades=tests/cluster/upgrades.test.ts
  after_faults() {
    step "$servers, faults lane, beside the cluster tier and the busy lane (npm run test:servers -- faults)" \
      npm run -s test:servers -- faults || return
    step "Deploy faults through the engine and the quickstart in Python and YAML, after the faults lane ($deploy_faults, $languages)" \
      npm run -s test:cluster -- "$deploy_faults" "$languages" || return
    step "$servers, the month of blocks and the OpenSLO corpus, after the faults lane (npm run test:servers -- history)" \
      npm run -s test:servers -- history || return
    if tier_named scenarios; then scenarios_tier; fi
  }
  after_faults &
  faults_lane=$!
  cluster_rest() {
    step "$cluster" npm run -s test:cluster -- \
      --testPathIgnorePatterns "$deploy_faults|$cluster_events|$use_dashboards|$languages|$upgrades" || return
    if tier_named load; then load_tier; fi
  }
  cluster_rest &
  cluster_lane=$!
  status=0
  step "$servers, busy lane, then the examples (npm run test:servers -- busy)" \
    npm run -s test:servers -- busy || status=$?
  if [[ $status -eq 0 ]] && tier_named examples; then examples_tier || status=$?; fi
  if [[ $status -eq 0 ]]; then
    step "Upgrades and rollbacks through the engine, the cluster's events and the USE dashboards, after the examples ($upgrades, $cluster_events, $use_dashboards)" \
      npm run -s test:cluster -- "$upgrades" "$cluster_events" "$use_dashboards" || status=$?
  fi
  wait "$faults_lane" || status=$?
  wait "$cluster_lane" || status=$?
  exit "$status"
fi
if tier_named scenarios; then
  scenarios_tier
fi
if tier_named servers; then
  step "$servers (npm run test:servers)" npm run test:servers
fi
if tier_named cluster; then
  step "$cluster" npm run test:cluster
fi
if tier_named examples; then
  examples_tier
fi
if tier_named load; then
  load_tier
fi
