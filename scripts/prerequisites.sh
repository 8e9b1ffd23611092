#!/usr/bin/env bash
# What `npm run up` needs on the machine, each at its minimum version; names every tool that is
# missing or too old with how to install it, and exits non-zero if any is. Run by scripts/up.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly NODE_MIN=20.0.0
# The CLI ships the Node.js language host, released in lock-step with the @pulumi/pulumi SDK: a
# CLI older than the SDK the program is built with may lack what the SDK asks of its host.
PULUMI_MIN=$(sed -n 's/^ *"@pulumi\/pulumi": "\^\{0,1\}\([0-9.]*\)",\{0,1\}$/\1/p' package.json | head -n 1)
readonly PULUMI_MIN
# kind 0.24 ships kindnetd v20240813, the first to enforce NetworkPolicy: with an older kind every
# policy of the stack is silently ignored.
readonly KIND_MIN=0.24.0
# Within one minor version of kind 0.24's default node image (Kubernetes 1.31).
readonly KUBECTL_MIN=1.30.0

problems=0

# The first x.y.z in a tool's version output.
version_of() {
  grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n 1
}

# at_least MIN HAVE: whether HAVE >= MIN.
at_least() {
  [[ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1)" == "$1" ]]
}

# check NAME MIN WHAT WHY HINT VERSION-COMMAND...
check() {
  local name=$1 min=$2 what=$3 why=$4 hint=$5
  shift 5
  local need="npm run up needs $what $min or newer${why:+ ($why)}. $hint"
  if ! command -v "$name" >/dev/null 2>&1; then
    echo "error: $name is not installed; $need" >&2
    problems=1
    return
  fi
  local have
  have=$("$@" 2>/dev/null | version_of || true)
  if [[ -z "$have" ]]; then
    echo "error: cannot tell $name's version ('$*' printed none); $need" >&2
    problems=1
  elif ! at_least "$min" "$have"; then
    echo "error: $name $have is too old; $need" >&2
    problems=1
  fi
}

check node "$NODE_MIN" "Node.js" "" "Install it from https://nodejs.org/ or with nvm (nvm install 20)." \
  node --version
check pulumi "$PULUMI_MIN" "the Pulumi CLI" "the version of the @pulumi/pulumi SDK in package.json" \
  "Install it with: curl -fsSL https://get.pulumi.com | sh (https://www.pulumi.com/docs/install/)." pulumi version
check kind "$KIND_MIN" "kind" "the first whose network plugin enforces NetworkPolicy" \
  "Install it from https://kind.sigs.k8s.io/docs/user/quick-start/#installation." kind version
check kubectl "$KUBECTL_MIN" "kubectl" "" "Install it from https://kubernetes.io/docs/tasks/tools/." \
  kubectl version --client

if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  echo docker
elif command -v podman >/dev/null 2>&1 && podman info >/dev/null 2>&1; then
  echo podman
else
  echo "error: kind needs a running container runtime: start Docker (or Podman) and try again." >&2
  problems=1
fi

exit "$problems"
