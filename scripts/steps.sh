# Timed steps with a summary at the end, for .ci/run and scripts/testAll.sh (sourced, not run).
# Every step and every tool build (scripts/tools/build.sh) appends a line to one log shared with
# the scripts this one starts, so the outermost script's summary covers the whole run and a nested
# one's covers its own steps. Log lines, tab-separated:
#   step <depth> <name> <seconds> <ok|failed>
#   build <name> <seconds> <cold|warm|waited|cold, in the background>
# shellcheck shell=bash

if [[ -z "${OBSERVABILITY_STEP_LOG:-}" ]]; then
  OBSERVABILITY_STEP_LOG="$(mktemp)"
  export OBSERVABILITY_STEP_LOG
  steps_own_log=1
fi
steps_depth="${OBSERVABILITY_STEP_DEPTH:-0}"
export OBSERVABILITY_STEP_DEPTH=$((steps_depth + 1))
# This script's part of the log starts here.
steps_first_line=$(($(wc -l <"$OBSERVABILITY_STEP_LOG") + 1))
steps_start=$(date +%s)

# step <name> <command...>: runs the command, prints and logs how long it took; stops the script
# (after logging) when it fails.
step() {
  local name="$1" start status=0
  shift
  printf '\n==> %s\n' "$name"
  start=$(date +%s)
  "$@" || status=$?
  printf 'step\t%s\t%s\t%s\t%s\n' "$steps_depth" "$name" "$(($(date +%s) - start))" \
    "$([[ $status -eq 0 ]] && echo ok || echo failed)" >>"$OBSERVABILITY_STEP_LOG"
  return "$status"
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

# tier_tools <tier>...: the Go tools the test tiers (unit, scenarios, components, cluster) run, once each, in
# the order the tiers need them: testkit/tierTools.json, from which each tier's jest global setup
# builds its own.
tier_tools() {
  node -e '
    const tiers = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const tools = process.argv.slice(2).flatMap((tier) => tiers[tier] ?? []);
    process.stdout.write([...new Set(tools)].map((tool) => tool + "\n").join(""));
  ' "$(dirname "${BASH_SOURCE[0]}")/../testkit/tierTools.json" "$@"
}

# prebuild_in_background <tool>...: builds the tools (scripts/tools/prebuild.sh) in the background at
# the lowest CPU priority, so that on a cold machine the builds overlap the steps before the suites
# that need them; a suite whose tool is still building waits for it. Stopped when the script ends.
prebuild_in_background() {
  steps_prebuild_log="$(mktemp)"
  setsid nice -n 19 bash scripts/tools/prebuild.sh "$@" 2>"$steps_prebuild_log" &
  steps_prebuild_pid=$!
}

# steps_machine: what the figures were measured on.
steps_machine() {
  echo "$(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo)," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end, $(date -u '+%Y-%m-%d %H:%M UTC')"
}

# steps_finish: stops the background builds, prints the summary on exit, and writes it to
# $steps_record when the sourcing script set it ($steps_record_cold instead when a tool was built);
# the script that created the log also removes it.
steps_finish() {
  local status=$?
  if [[ -n "${steps_prebuild_pid:-}" ]]; then
    kill -- "-$steps_prebuild_pid" 2>/dev/null || true
    [[ -s "$steps_prebuild_log" ]] && printf '\n==> Background tool builds\n' && cat "$steps_prebuild_log"
    rm -f "$steps_prebuild_log"
  fi
  printf '\n==> Time per step (%s)\n\n' "$(steps_machine)"
  steps_summary
  if [[ -n "${steps_record_cold:-}" ]] &&
    tail -n "+$steps_first_line" "$OBSERVABILITY_STEP_LOG" | grep -q $'^build\t.*\tcold'; then
    steps_record="$steps_record_cold"
    steps_record_title+=", cold"
  fi
  if [[ -n "${steps_record:-}" ]]; then
    mkdir -p "$(dirname "$steps_record")"
    {
      echo "# ${steps_record_title:-Time per step}"
      echo
      echo "Written by \`${steps_record_command:-$0}\` (do not edit by hand). Exit status $status. Machine: $(steps_machine)."
      echo "A step's own steps and tool builds are the indented rows above it."
      echo
      steps_summary
    } >"$steps_record"
    npx --no-install prettier --log-level warn --write "$steps_record"
  fi
  [[ -n "${steps_own_log:-}" ]] && rm -f "$OBSERVABILITY_STEP_LOG"
  return "$status"
}
trap steps_finish EXIT
