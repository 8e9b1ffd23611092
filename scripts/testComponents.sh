#!/usr/bin/env bash
# `npm run test:components [-- servers | faults | history | <jest arguments>]`: the real servers
# booted on 127.0.0.1 with the rendered configs, in lanes that run at once, each one file at a time:
#   servers  every file but tests/components/faults/ and the long ones: they keep both cores busy
#            (load, start-up times, config grammar);
#   faults   tests/components/faults/, in two halves at once: they mostly wait, through outages,
#            kills and failovers timed in minutes, so they run beside the servers lane and beside
#            each other. The replicas half (the HA pairs and trios, and each store's own kill) and
#            the pipelines half (everything else) take about as long as each other;
#   history  the longest files, run after the faults lane, which frees a core for them once its
#            outages end, instead of at the end of the servers lane:
#            tests/components/thanosHistory.test.ts, a month of blocks through the bucket, and
#            tests/components/osloCorpus.test.ts, every OpenSLO file beside oslo and promtool.
# The faults halves' lines are prefixed `replicas │` and `pipelines │`. With no argument every lane
# runs (faults then history, beside servers); the run fails if any does. Other arguments go to jest
# (one file: `-- tests/components/logs.test.ts`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

jest=(npx jest -c jest.components.config.js)
replicas='/tests/components/faults/(ha[A-Z]|faultPrometheus|faultAlertmanager|faultLoki)[^/]*$'
history='/tests/components/(thanosHistory|osloCorpus)\.test\.ts$'
# prefixed <label> <command...>: the command's output, each line prefixed with the label; its status.
prefixed() {
  local label="$1"
  shift
  "$@" 2>&1 | sed -u "s/^/$label │ /"
  return "${PIPESTATUS[0]}"
}
faults() {
  local status=0 pipelines
  prefixed pipelines "${jest[@]}" tests/components/faults --testPathIgnorePatterns "$replicas" &
  pipelines=$!
  prefixed replicas "${jest[@]}" "$replicas" || status=$?
  wait "$pipelines" || status=$?
  return "$status"
}
case "${1:-}" in
  servers) exec "${jest[@]}" --testPathIgnorePatterns '/tests/components/faults/' "$history" ;;
  faults) faults ;;
  history) exec "${jest[@]}" "$history" ;;
  "")
    (faults && bash "${BASH_SOURCE[0]}" history) &
    faults_lane=$!
    status=0
    bash "${BASH_SOURCE[0]}" servers || status=$?
    wait "$faults_lane" || status=$?
    exit "$status"
    ;;
  *) exec "${jest[@]}" "$@" ;;
esac
