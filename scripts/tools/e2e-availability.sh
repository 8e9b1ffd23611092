#!/usr/bin/env bash
# Re-checks the blocker of the real-engine end-to-end test: asks the Go module proxy for each
# module the test would build, at the versions the lockfile pins, and prints which it serves.
# Exits 0 only when all are served, i.e. when the e2e tools can be built here.
#   scripts/tools/e2e-availability.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

proxy="$(go env GOPROXY | cut -d, -f1)"
version_of() { node -p "require('./node_modules/$1/package.json').version"; }
pulumi="v$(version_of @pulumi/pulumi)"
modules=(
  "github.com/pulumi/pulumi/pkg/v3@$pulumi"
  "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3@$pulumi"
  "github.com/pulumi/pulumi-kubernetes/provider/v4@v$(version_of @pulumi/kubernetes)"
  "github.com/pulumi/pulumi-random/provider/v4@v$(version_of @pulumi/random)"
  "k8s.io/kubernetes@v1.33.4"
  "go.etcd.io/etcd/server/v3@v3.5.21"
  "sigs.k8s.io/kwok@v0.7.0"
)
missing=0
for module in "${modules[@]}"; do
  path="${module%@*}" version="${module#*@}"
  if curl -fsS "$proxy/$path/@v/$version.info" >/dev/null 2>&1; then
    echo "served      $module"
  else
    echo "NOT SERVED  $module"
    missing=$((missing + 1))
  fi
done
echo "$missing of ${#modules[@]} missing"
[[ $missing -eq 0 ]]
