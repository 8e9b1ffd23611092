#!/usr/bin/env bash
# `npm run test:all`: every test tier in order, each building (once per version, cached) the tools
# it needs: the unit suite (npm test), the component suite (the real servers) and the cluster suite
# (a real control plane). Stops at the first tier that fails; ends with the time each took.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/steps.sh
source scripts/steps.sh

step "Unit tests (npm test)" npm test
step "Component tests: the real Loki, Alloy, collector, Prometheus and Alertmanager (npm run test:components)" \
  npm run test:components
step "Cluster tests: a real kube-apiserver, scheduler and controller manager with kwok nodes (npm run test:cluster)" \
  npm run test:cluster
