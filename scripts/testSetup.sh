#!/usr/bin/env bash
# What the test tiers need on the machine, set up before any of them runs (npm test's pretest,
# npm run test:all, .ci/run): the Debian packages they call (installed when the user is root and has
# apt-get; otherwise one line per missing tool with the command that installs it, and a non-zero
# exit), Go new enough for the tiers' tools, which of the tiers' Go tools are not built yet and how
# long building them took cold on a 2-core machine (said before any is built), and the npm packages
# of package-lock.json (npm ci when node_modules is missing or differs from it).
#   scripts/testSetup.sh [unit|scenarios|servers|cluster|examples|load ...]   (default: unit)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tiers=("$@")
if [[ ${#tiers[@]} -eq 0 ]]; then
  tiers=(unit)
fi

# The Go tools the tiers build (tests/kit/tierTools.json), and the cold build time of each
# (scripts/tools/cold-build-seconds.json, docs/testing.md's table).
mapfile -t tools < <(node -e '
  const fs = require("fs");
  const tiers = JSON.parse(fs.readFileSync("tests/kit/tierTools.json", "utf8"));
  const tools = process.argv.slice(1).flatMap((tier) => tiers[tier] ?? []);
  process.stdout.write([...new Set(tools)].map((tool) => tool + "\n").join(""));
' "${tiers[@]}")

# needs <command> <Debian package> <why>: a tool the tiers run, unless it is installed.
missing_commands=()
missing_packages=()
missing_why=()
needs() {
  if ! command -v "$1" >/dev/null 2>&1; then
    missing_commands+=("$1")
    missing_packages+=("$2")
    missing_why+=("$3")
  fi
}
python=""
for tier in "${tiers[@]}"; do
  case "$tier" in
    unit)
      needs shellcheck shellcheck "npm test lints the review workflow's scripts with it, through actionlint"
      needs jq jq "the review workflow's gh stand-in answers --jq with it"
      python=1
      ;;
    cluster) python=1 ;;
  esac
done
if [[ -n "$python" ]]; then
  needs python3 python3-venv "Checkov (npm test) and the Pulumi Python SDK (the cluster tests) install from PyPI into a virtualenv"
  if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    missing_commands+=("python3 -m venv")
    missing_packages+=(python3-venv)
    missing_why+=("the PyPI tools install into a virtualenv")
  fi
fi

if ((${#missing_packages[@]} > 0)); then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Installing ${missing_packages[*]} (Debian), which the tests call" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing_packages[@]}" >/dev/null
  else
    for i in "${!missing_commands[@]}"; do
      if command -v apt-get >/dev/null 2>&1; then
        install="sudo apt-get install -y ${missing_packages[$i]}"
      else
        install="install it with your package manager (Debian's package: ${missing_packages[$i]})"
      fi
      echo "missing: ${missing_commands[$i]} (${missing_why[$i]}): $install" >&2
    done
    exit 1
  fi
fi

# The newest `go` line of the tools' go.mod files (a collector's, its builder's): older Go builds
# them only by fetching that toolchain itself (GOTOOLCHAIN=auto).
go_needed=$(for tool in "${tools[@]}"; do cat "tools/$tool/go.mod" 2>/dev/null || cat tools/ocb/go.mod; done |
  sed -n 's/^go //p' | sort -V | tail -n 1)
if ((${#tools[@]} > 0)); then
  if ! command -v go >/dev/null 2>&1; then
    echo "missing: go (the tests build their tools from the Go module proxy with Go $go_needed or newer): https://go.dev/doc/install" >&2
    exit 1
  fi
  go_have=$(go env GOVERSION | sed 's/^go//')
  if [[ "$(printf '%s\n%s\n' "$go_needed" "$go_have" | sort -V | head -n 1)" != "$go_needed" ]]; then
    if [[ "$(go env GOTOOLCHAIN)" == local ]]; then
      echo "too old: go $go_have with GOTOOLCHAIN=local (the tests' tools need Go $go_needed or newer): https://go.dev/doc/install, or GOTOOLCHAIN=auto" >&2
      exit 1
    fi
    echo "==> Go $go_have fetches Go $go_needed for the tools' builds (GOTOOLCHAIN=$(go env GOTOOLCHAIN))" >&2
  fi
fi

cold=()
seconds=0
for tool in "${tools[@]}"; do
  if ! bash scripts/tools/build.sh "$tool" --cached; then
    cold+=("$tool")
    seconds=$((seconds + $(node -p 'require("./scripts/tools/cold-build-seconds.json")[process.argv[1]] ?? 0' "$tool")))
  fi
done
if ((${#cold[@]} > 0)); then
  echo "==> Building ${cold[*]} from the Go module proxy, once per version: one after another they took" \
    "about $(((seconds + 59) / 60)) minutes cold on 2 cores (docs/testing.md#tools-each-suite-builds); later runs reuse them" >&2
fi

# node_modules as package-lock.json has it: every package the lock installs here, at its version.
if ! node -e '
  const fs = require("fs");
  const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8")).packages;
  let installed;
  try {
    installed = JSON.parse(fs.readFileSync("node_modules/.package-lock.json", "utf8")).packages;
  } catch {
    process.exit(1);
  }
  // Optional packages for other platforms are in the lock but not installed.
  const stale = Object.entries(lock).filter(
    ([at, p]) => at !== "" && p.optional !== true && installed[at]?.version !== p.version,
  );
  process.exit(stale.length === 0 ? 0 : 1);
'; then
  echo "==> npm ci: node_modules is missing or differs from package-lock.json" >&2
  npm ci --no-audit --no-fund >&2
fi
