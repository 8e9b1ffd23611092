#!/usr/bin/env bash
# npm run up: everything from a fresh laptop to a running stack on kind.
# Creates the kind cluster (kind/cluster.yaml) if missing, uses a local state backend when not
# logged in to one, selects or creates the `kind` stack and runs `pulumi up`.
# Extra arguments go to `pulumi up` (e.g. `npm run up -- --diff`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly STACK=kind
readonly CLUSTER=observability
readonly CONTEXT="kind-${CLUSTER}"

missing=0
require() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "error: '$1' is not installed. $2" >&2
    missing=1
  fi
}
require pulumi "Install the Pulumi CLI (https://www.pulumi.com/docs/install/)."
require kind "Install kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)."
require kubectl "Install kubectl (https://kubernetes.io/docs/tasks/tools/)."
require node "Install Node.js 20 or newer."
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  :
elif command -v podman >/dev/null 2>&1 && podman info >/dev/null 2>&1; then
  export KIND_EXPERIMENTAL_PROVIDER=podman
else
  echo "error: kind needs a running container runtime: start Docker (or Podman) and try again." >&2
  missing=1
fi
if [[ "$missing" -ne 0 ]]; then
  exit 1
fi

if [[ ! -d node_modules ]]; then
  echo "==> Installing npm packages"
  npm ci
fi

if ! kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
  echo "==> Creating kind cluster '$CLUSTER' (kind/cluster.yaml)"
  kind create cluster --config kind/cluster.yaml --wait 120s
fi
# The program deploys only to the context named in Pulumi.kind.yaml, never the current one.
kubectl config get-contexts "$CONTEXT" >/dev/null

if ! pulumi whoami >/dev/null 2>&1; then
  echo "==> Not logged in to a Pulumi backend: using local state in ~/.pulumi"
  pulumi login --local
fi

if [[ -z "${PULUMI_CONFIG_PASSPHRASE+set}" && -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]]; then
  echo "==> PULUMI_CONFIG_PASSPHRASE is not set: using the empty passphrase Pulumi.kind.yaml's salt is for."
  export PULUMI_CONFIG_PASSPHRASE=""
fi

if ! pulumi stack select "$STACK" >/dev/null 2>&1; then
  if [[ -n "${PULUMI_CONFIG_PASSPHRASE:-}${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]] &&
    grep -q '^encryptionsalt:' "Pulumi.$STACK.yaml"; then
    echo "error: Pulumi.$STACK.yaml carries the salt of the empty passphrase, so Pulumi would refuse" >&2
    echo "       yours. Unset PULUMI_CONFIG_PASSPHRASE(_FILE), or delete the encryptionsalt line to have" >&2
    echo "       Pulumi write a salt for your passphrase (a local change; keep it out of commits)." >&2
    exit 1
  fi
  echo "==> Creating stack '$STACK'"
  # Reuses the committed salt: Pulumi has nothing to save, and the tracked stack file stays as it is.
  pulumi stack init "$STACK" --secrets-provider passphrase
fi

pulumi up --stack "$STACK" --yes "$@"

echo
echo "==> Stack outputs (NodePorts are mapped to 127.0.0.1 by kind/cluster.yaml)"
pulumi stack output --stack "$STACK"

echo
echo "==> Checking the running stack end to end (npm run verify -- $STACK)"
# Its exit code is up's (a stack that deployed but does not work is not up); the first look is
# printed either way, as it says where to look.
verified=0
npm run -s verify -- "$STACK" || verified=$?

echo
echo "==> First look (README, \"First ten minutes\")"
# An array of lines in the stack's outputs: one per line here.
pulumi stack output --stack "$STACK" --json firstLook |
  node -e 'for (const line of JSON.parse(require("fs").readFileSync(0, "utf8"))) console.log(line)'
exit "$verified"
