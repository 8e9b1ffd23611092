# Timed steps with a summary at the end, for .ci/run and scripts/testAll.sh (sourced, not run).
# Every step and every tool build (scripts/tools/build.sh) appends a line to one log shared with
# the scripts this one starts, so the outermost script's summary covers the whole run and a nested
# one's covers its own steps. Log lines, tab-separated:
#   step <depth> <name> <seconds> <ok|failed>
#   build <name> <seconds> <cold|warm|waited|cold, in the background>
# A failed step's failures (its jest FAIL lines and failed tests, with the start of each error) go to a
# second shared log, which the outermost script prints last, below its summary: in a long run whose
# lanes interleave, the end of the output says what failed.
# shellcheck shell=bash

if [[ -z "${OBSERVABILITY_STEP_LOG:-}" ]]; then
  OBSERVABILITY_STEP_LOG="$(mktemp)"
  OBSERVABILITY_FAILURE_LOG="$(mktemp)"
  # Each jest test file's processor time (tests/support/cpuLedgerEnvironment.js).
  OBSERVABILITY_CPU_LEDGER="$(mktemp)"
  export OBSERVABILITY_STEP_LOG OBSERVABILITY_FAILURE_LOG OBSERVABILITY_CPU_LEDGER
  steps_own_log=1
fi
steps_depth="${OBSERVABILITY_STEP_DEPTH:-0}"
steps_repository="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export OBSERVABILITY_STEP_DEPTH=$((steps_depth + 1))
# This script's part of the log starts here.
steps_first_line=$(($(wc -l <"$OBSERVABILITY_STEP_LOG") + 1))
steps_start=$(date +%s)

# step <name> <command...>: runs the command, prints and logs how long it took; stops the script
# (after logging) when it fails, its failures logged unless a step within it logged them already.
step() {
  local name="$1" start status=0 output failures_before
  shift
  printf '\n==> %s\n' "$name"
  start=$(date +%s)
  output="$(mktemp)"
  failures_before=$(wc -c <"$OBSERVABILITY_FAILURE_LOG")
  # In a list, so that a failure neither stops the script (set -e) nor loses the command's status.
  { "$@" 2>&1 | tee "$output"; status=${PIPESTATUS[0]}; } || true
  printf 'step\t%s\t%s\t%s\t%s\n' "$steps_depth" "$name" "$(($(date +%s) - start))" \
    "$([[ $status -eq 0 ]] && echo ok || echo failed)" >>"$OBSERVABILITY_STEP_LOG"
  if [[ $status -ne 0 && $(wc -c <"$OBSERVABILITY_FAILURE_LOG") -eq $failures_before ]]; then
    failure_digest "$name" "$status" "$output" >>"$OBSERVABILITY_FAILURE_LOG"
  fi
  rm -f "$output"
  return "$status"
}

# failure_digest <step name> <status> <output file>: what of a failed step's output says why: jest's
# FAIL lines, and each failed test's heading with the first lines of its error, once (jest repeats
# them in its closing summary; lane prefixes kept); else the output's last lines. At most 200 lines.
failure_digest() {
  printf '\n--- %s (exit %s)\n' "$1" "$2"
  awk '
    function show(line) { if (shown++ < 200) print line }
    { line = $0; sub(/^[a-z]+ │ /, "", line) }
    # A test error is indented under its heading; the next line that is not ends it.
    line != "" && line !~ /^    / { left = 0 }
    line ~ /^FAIL / && !seen[$0]++ { show($0) }
    line ~ /^  ● / && line !~ /^  ● Console/ { left = seen[$0]++ ? 0 : 24 }
    left > 0 { show($0); left-- }
    END { if (!shown) exit 1 }
  ' "$3" || tail -n 40 "$3"
}

# steps_summary: this script's steps and the tool builds they ran, as a Markdown table.
steps_summary() {
  local total=$(($(date +%s) - steps_start))
  echo "| step | seconds | result |"
  echo "|---|--:|---|"
  tail -n "+$steps_first_line" "$OBSERVABILITY_STEP_LOG" | awk -F'\t' -v top="$steps_depth" '
    $1 == "step" { indent = ""; for (i = top; i < $2; i++) indent = indent "↳ "
                   printf "| %s%s | %d | %s |\n", indent, $3, $4, $5 }
    $1 == "build" && !seen[$2 FS $4]++ {
      printf "| ↳ tool build: %s | %d | %s |\n", $2, $3, $4
      if ($4 == "cold") { cold += $3; built++ }
      else if ($4 == "waited") { waited += $3 }
      else if ($4 != "warm") { background += $3; prebuilt++ } }
    END { printf "| tool builds, cold (%d, within the steps above) | %d | |\n", built, cold
          if (prebuilt) {
            printf "| tool builds in the background (%d, overlapping the steps above) | %d | |\n", prebuilt, background
            printf "| waiting for builds under way in the background (within the steps above) | %d | |\n", waited } }'
  echo "| **total** | **$total** | |"
}

# tier_tools <tier>...: the Go tools the test tiers (unit, scenarios, servers, cluster, examples, load) run, once each, in
# the order the tiers need them: tests/kit/tierTools.json, from which each tier's jest global setup
# builds its own.
tier_tools() {
  node -e '
    const tiers = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const tools = process.argv.slice(2).flatMap((tier) => tiers[tier] ?? []);
    process.stdout.write([...new Set(tools)].map((tool) => tool + "\n").join(""));
  ' "$steps_repository/tests/kit/tierTools.json" "$@"
}

# prebuild_chains <tier>...: the named tiers' tools as two chains, one line each: the unit, scenario
# and server tiers' tools, then the other tiers' (cluster, examples, load) not in the first
# (either line may be empty).
prebuild_chains() {
  local tier early=()
  for tier in "$@"; do
    case "$tier" in unit | scenarios | servers) early+=("$tier") ;; esac
  done
  local first
  first="$(tier_tools "${early[@]}")"
  printf '%s\n' "$(paste -sd' ' - <<<"$first")"
  printf '%s\n' "$(tier_tools "$@" | grep -vxF -f <(echo "$first") | paste -sd' ' -)"
}

# prebuild_in_background <tier>...: builds the named tiers' tools (scripts/tools/prebuild.sh) in the
# background from the start, so that on a cold machine the builds overlap the steps before the
# suites that need them; a suite whose tool is still building waits for it. The two chains of
# prebuild_chains side by side, so that the cluster tier (the longest lane) does not wait for its
# tools behind the servers'. At the steps' own
# priority: on a machine that is busy with other work too, a build at a lower one would wait behind
# that work as well as behind the steps, and the suites that wait for it with it. Stopped when the
# script ends.
prebuild_in_background() {
  local chain
  steps_prebuild_log="$(mktemp)"
  steps_prebuild_pids=()
  while read -r chain; do
    [[ -z "$chain" ]] && continue
    # shellcheck disable=SC2086 # a chain is a list of tool names
    setsid bash "$steps_repository/scripts/tools/prebuild.sh" $chain 2>>"$steps_prebuild_log" &
    steps_prebuild_pids+=("$!")
  done < <(prebuild_chains "$@")
}

# steps_machine: what the figures were measured on.
steps_machine() {
  echo "$(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo)," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end, $(date -u '+%Y-%m-%d %H:%M UTC')"
}

# steps_processor <times line>: the processor time of the whole run (`times`' line for this shell's
# children: every process they waited for), then each jest test file's (scripts/cpuLedger.ts),
# when any test file ran.
steps_processor() {
  awk '
    function seconds(t) { split(t, part, /[ms]/); return part[1] * 60 + part[2] }
    { printf "The run'"'"'s processes: %d s user, %d s system.\n", seconds($1), seconds($2) }' <<<"$1"
  if [[ -s "$OBSERVABILITY_CPU_LEDGER" ]]; then
    echo
    echo "Each jest test file's, from its set-up to its teardown, with what its process started and reaped:"
    echo
    "$steps_repository/node_modules/.bin/ts-node" --transpiler sucrase/ts-node-plugin \
      "$steps_repository/scripts/cpuLedger.ts" "$OBSERVABILITY_CPU_LEDGER" 25
  fi
}

# steps_finish: stops the background builds, prints the summary on exit, and writes it to
# $steps_record when the sourcing script set it, with $steps_record_conditions under the machine line
# (not when $steps_record_warm is set and a tool was built: that run was not warm); then runs
# $steps_cleanup when set. The script that created the log also removes it.
steps_finish() {
  local status=$?
  if [[ -n "${steps_prebuild_log:-}" ]]; then
    for pid in "${steps_prebuild_pids[@]}"; do kill -- "-$pid" 2>/dev/null || true; done
    [[ -s "$steps_prebuild_log" ]] && printf '\n==> Background tool builds\n' && cat "$steps_prebuild_log"
    rm -f "$steps_prebuild_log"
  fi
  printf '\n==> Time per step (%s)\n\n' "$(steps_machine)"
  steps_summary
  local processor="" counted
  if [[ -n "${steps_own_log:-}" ]]; then
    counted="$(mktemp)"
    # In this shell: `times` in a pipe or a substitution counts a subshell's children.
    times >"$counted"
    # What it could read, whatever went wrong: the run's status is the steps'.
    if ! processor="$(steps_processor "$(tail -n 1 "$counted")" 2>&1)"; then
      processor+=$'\n\n(the ledger could not be read to the end)'
    fi
    rm -f "$counted"
    printf '\n==> Processor time\n\n%s\n' "$processor"
  fi
  if [[ -n "${steps_record_warm:-}" ]] &&
    tail -n "+$steps_first_line" "$OBSERVABILITY_STEP_LOG" | grep -q $'^build\t.*\tcold'; then
    printf '\n==> Not recorded in %s: this run built tools, so it was not a warm run (bash .ci/run --record --cold records a cold one)\n' "$steps_record"
    steps_record=""
  fi
  if [[ -n "${steps_record:-}" ]]; then
    mkdir -p "$(dirname "$steps_record")"
    {
      echo "# ${steps_record_title:-Time per step}"
      echo
      echo "Written by \`${steps_record_command:-$0}\` (do not edit by hand). Exit status $status. Machine: $(steps_machine)."
      [[ -n "${steps_record_conditions:-}" ]] && echo "$steps_record_conditions"
      echo "A step's own steps and tool builds are the indented rows above it."
      echo
      steps_summary
      if [[ -n "$processor" ]]; then
        printf '\n## Processor time\n\n%s\n' "$processor"
      fi
    } >"$steps_record"
    "$steps_repository/node_modules/.bin/prettier" --log-level warn --write "$steps_record"
  fi
  [[ -n "${steps_cleanup:-}" ]] && "$steps_cleanup"
  if [[ -n "${steps_own_log:-}" ]]; then
    if [[ -s "$OBSERVABILITY_FAILURE_LOG" ]]; then
      printf '\n==> What failed\n'
      cat "$OBSERVABILITY_FAILURE_LOG"
    fi
    rm -f "$OBSERVABILITY_STEP_LOG" "$OBSERVABILITY_FAILURE_LOG" "$OBSERVABILITY_CPU_LEDGER"
  fi
  return "$status"
}
trap steps_finish EXIT
