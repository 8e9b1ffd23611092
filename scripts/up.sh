#!/usr/bin/env bash
# npm run up: everything from a fresh laptop to a running stack on kind.
# Creates the kind cluster (kind/cluster.yaml) if missing, uses a local state backend when not
# logged in to one, selects or creates the `kind` stack and runs `pulumi up`.
# Extra arguments go to `pulumi up` (e.g. `npm run up -- --diff`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/kindStack.sh

# Names every missing or too-old tool, with how to install it; prints the container runtime.
runtime=$(bash scripts/prerequisites.sh) || exit 1
if [[ "$runtime" == podman ]]; then
  export KIND_EXPERIMENTAL_PROVIDER=podman
fi

if [[ ! -d node_modules ]]; then
  echo "==> Installing npm packages"
  npm ci
fi

if ! kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
  echo "==> Creating kind cluster '$CLUSTER' (kind/cluster.yaml): pulling the node image and starting"
  echo "    Kubernetes takes one to three minutes; kind shows each step"
  kind create cluster --config kind/cluster.yaml --wait 120s
fi
# The program deploys only to the context named in Pulumi.kind.yaml, never the current one. A
# cluster outlives its context when the kubeconfig was replaced or the context deleted.
if ! kubectl config get-contexts "$CONTEXT" >/dev/null 2>&1; then
  echo "==> kind cluster '$CLUSTER' exists but your kubeconfig has no context '$CONTEXT': restoring it"
  if ! kind export kubeconfig --name "$CLUSTER" || ! kubectl config get-contexts "$CONTEXT" >/dev/null 2>&1; then
    echo "error: could not restore context '$CONTEXT' (kind export kubeconfig --name $CLUSTER failed)." >&2
    echo "       If KUBECONFIG names several files, kind writes to the first; or delete the cluster" >&2
    echo "       (kind delete cluster --name $CLUSTER) and run npm run up again." >&2
    exit 1
  fi
fi

if ! pulumi whoami >/dev/null 2>&1; then
  echo "==> Not logged in to a Pulumi backend: using local state in ~/.pulumi"
  pulumi login --local
fi

use_kind_passphrase
if [[ -n "${kind_passphrase_empty:-}" ]]; then
  echo "==> PULUMI_CONFIG_PASSPHRASE is not set: using the empty passphrase Pulumi.kind.yaml's salt is for."
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

# An up killed mid-update (a closed laptop, kill -9) leaves the stack locked, sometimes its state
# unreadable. A check that cannot run leaves both to pulumi up, whose error names them.
node_modules/.bin/ts-node --transpiler sucrase/ts-node-plugin scripts/killedUp.ts "$STACK" ||
  echo "    (could not check the stack's lock and state; pulumi up will name what is wrong)" >&2
status=0
pulumi up --stack "$STACK" --yes "$@" || status=$?
if [[ $status -ne 0 ]]; then
  echo >&2
  echo "==> pulumi up failed. docs/troubleshooting.md says what each error means and what to run next" >&2
  echo "    (a workload that never became ready, an interrupted up, a locked stack, drift, a conflict)." >&2
  # The provider says only that a workload timed out; verify names its pods and what keeps them
  # from being ready (ImagePullBackOff, Unschedulable), and what else does not work.
  echo >&2
  echo "==> What the stack's workloads report now (npm run verify -- $STACK --wait 0)" >&2
  npm run -s verify -- "$STACK" --wait 0 || true
  exit "$status"
fi

# A killed up's pending creates outlive the up that recovered it: cleared once it recorded each one.
node_modules/.bin/ts-node --transpiler sucrase/ts-node-plugin scripts/pendingCreates.ts "$STACK" ||
  echo "    (could not check the stack's state for pending creates; docs/troubleshooting.md says how)" >&2

echo
echo "==> Stack outputs (NodePorts are mapped to 127.0.0.1 by kind/cluster.yaml)"
pulumi stack output --stack "$STACK"

echo
echo "==> Checking the running stack end to end (npm run verify -- $STACK): right after an up, targets"
echo "    and alerts take a minute or two to converge; each check that waits prints its retries"
# Its exit code is up's (a stack that deployed but does not work is not up); the first look is
# printed either way, as it says where to look.
verified=0
npm run -s verify -- "$STACK" || verified=$?

echo
echo "==> First look (docs/getting-started.md, \"First ten minutes\")"
# A string output, its lines joined: pulumi prints a string as it is.
pulumi stack output --stack "$STACK" firstLook
exit "$verified"
