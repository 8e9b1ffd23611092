#!/usr/bin/env bash
# `npm run test:servers [-- busy | faults | history | <jest arguments>]`: the real servers
# booted on 127.0.0.1 with the rendered configs, in lanes that run at once, each one file at a time:
#   busy     every file but tests/servers/faults/ and the long ones: they keep both cores busy
#            (load, start-up times, config grammar);
#   faults   tests/servers/faults/, in two halves at once: they mostly wait, through outages,
#            kills and failovers timed in minutes, so they run beside the busy lane and beside
#            each other. The replicas half (the HA pairs and trios, and each store's own kill) and
#            the pipelines half (everything else) take about as long as each other;
#   history  the longest files, run after the faults lane, which frees a core for them once its
#            outages end, instead of at the end of the busy lane:
#            tests/servers/thanosHistory.test.ts, a month of blocks through the bucket, and
#            tests/servers/osloCorpus.test.ts, every OpenSLO file beside oslo and promtool.
# The faults halves' lines are prefixed `replicas │` and `pipelines │`. With no argument every lane
# runs (faults then history, beside busy); the run fails if any does. Other arguments go to jest
# (one file: `-- tests/servers/logs.test.ts`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

jest=(npx jest --selectProjects servers --maxWorkers 1 --forceExit --verbose)
replicas='/tests/servers/faults/(ha[A-Z]|faultPrometheus|faultAlertmanager|faultLoki)[^/]*$'
history='/tests/servers/(thanosHistory|osloCorpus)\.test\.ts$'
# prefixed <label> <command...>: the command's output, each line prefixed with the label; its status.
prefixed() {
  local label="$1"
  shift
  "$@" 2>&1 | sed -u "s/^/$label │ /"
  return "${PIPESTATUS[0]}"
}
faults() {
  local status=0 pipelines
  prefixed pipelines "${jest[@]}" tests/servers/faults --testPathIgnorePatterns "$replicas" &
  pipelines=$!
  prefixed replicas "${jest[@]}" "$replicas" || status=$?
  wait "$pipelines" || status=$?
  return "$status"
}
case "${1:-}" in
  busy) exec "${jest[@]}" --testPathIgnorePatterns '/tests/servers/faults/' "$history" ;;
  faults) faults ;;
  history) exec "${jest[@]}" "$history" ;;
  "")
    (faults && bash "${BASH_SOURCE[0]}" history) &
    faults_lane=$!
    status=0
    bash "${BASH_SOURCE[0]}" busy || status=$?
    wait "$faults_lane" || status=$?
    exit "$status"
    ;;
  *) exec "${jest[@]}" "$@" ;;
esac
