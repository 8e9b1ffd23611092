#!/usr/bin/env bash
# npm run down: destroys the kind stack's resources and removes the stack (its Pulumi.kind.yaml
# is kept). `npm run down -- --delete-cluster` also deletes the kind cluster.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/kindStack.sh

delete_cluster=0
for arg in "$@"; do
  case "$arg" in
    --delete-cluster) delete_cluster=1 ;;
    *)
      echo "usage: npm run down [-- --delete-cluster]" >&2
      exit 2
      ;;
  esac
done

if ! command -v pulumi >/dev/null 2>&1; then
  echo "error: 'pulumi' is not installed." >&2
  exit 1
fi
use_kind_passphrase

if pulumi stack select "$STACK" >/dev/null 2>&1; then
  # A killed up or destroy leaves the stack locked: cleared as npm run up clears it.
  node_modules/.bin/ts-node --transpiler sucrase/ts-node-plugin scripts/killedUp.ts "$STACK" ||
    echo "    (could not check the stack's lock and state; pulumi destroy will name what is wrong)" >&2
  pulumi destroy --stack "$STACK" --yes
  pulumi stack rm "$STACK" --yes --preserve-config
else
  echo "No stack '$STACK' in the current backend; nothing to destroy."
fi

if [[ "$delete_cluster" -eq 1 ]]; then
  kind delete cluster --name "$CLUSTER"
fi
