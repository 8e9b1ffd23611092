#!/usr/bin/env bash
# `npm run test:components [-- servers | faults | <jest arguments>]`: the real servers booted on
# 127.0.0.1 with the rendered configs, in two lanes at once, each one file at a time:
#   servers  every file but tests/components/faults/: they keep both cores busy (load, start-up
#            times, config grammar);
#   faults   tests/components/faults/: they mostly wait, through outages, kills and failovers
#            timed in minutes, so they run beside the servers lane instead of after it.
# The faults lane's lines are prefixed `faults │`. With no argument both lanes run; the run fails
# if either does. Other arguments go to jest (one file: `-- tests/components/logs.test.ts`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

jest=(npx jest -c jest.components.config.js)
case "${1:-}" in
  servers) exec "${jest[@]}" --testPathIgnorePatterns '/tests/components/faults/' ;;
  faults) "${jest[@]}" tests/components/faults 2>&1 | sed -u 's/^/faults │ /' ;;
  "")
    bash "${BASH_SOURCE[0]}" faults &
    faults=$!
    status=0
    bash "${BASH_SOURCE[0]}" servers || status=$?
    wait "$faults" || status=$?
    exit "$status"
    ;;
  *) exec "${jest[@]}" "$@" ;;
esac
