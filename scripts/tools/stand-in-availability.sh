#!/usr/bin/env bash
# Asks the Go module proxy again for each module whose refusal makes the engine tier use a stand-in
# or an older build (docs/testing.md, "The real Pulumi engine"), at the versions the lockfile pins,
# and prints the proxy's answer for each: `served` means that stand-in can be replaced.
# Exits 0 only when every one is served.
#   scripts/tools/stand-in-availability.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

proxy="${GOPROXY:-$(go env GOPROXY)}"
proxy="${proxy%%[,|]*}"
version_of() { node -p "require('./node_modules/$1/package.json').version"; }
# module@version <TAB> what stands in while it is refused
modules=(
  "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3@v$(version_of @pulumi/pulumi)	the language host of sdk/v3 v3.68.0"
  "github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3@v$(version_of @pulumi/pulumi)	the language host of sdk/v3 v3.68.0"
  "github.com/pulumi/pulumi/sdk/go/pulumi-language-go/v3@v$(version_of @pulumi/pulumi)	the language host of sdk/v3 v3.66.0"
  "github.com/pulumi/pulumi-kubernetes/provider/v4@v$(version_of @pulumi/kubernetes)	the provider at a main-branch pseudo-version"
  "github.com/pulumi/pulumi-kubernetes/sdk/v4@v$(version_of @pulumi/kubernetes)	examples/go on the Go SDK v4.33.0"
  "github.com/pulumi/pulumi-random/provider/v4@v$(version_of @pulumi/random)	tests/kit/engine/randomProvider.ts"
  "github.com/pulumiverse/pulumi-grafana/provider@v$(version_of @pulumiverse/grafana)	tests/kit/engine/grafanaProvider.ts"
)
missing=0
for entry in "${modules[@]}"; do
  module="${entry%%$'\t'*}" instead="${entry#*$'\t'}"
  path="${module%@*}" version="${module#*@}"
  status="$(curl -sS -o /dev/null -w '%{http_code}' "$proxy/$path/@v/$version.info" 2>/dev/null || true)"
  if [[ $status == 200 ]]; then
    echo "served          $module (replaces $instead)"
  else
    echo "refused (${status:-no answer})  $module (so: $instead)"
    missing=$((missing + 1))
  fi
done
echo "$missing of ${#modules[@]} refused on $(date -u +%Y-%m-%d) by $proxy"
[[ $missing -eq 0 ]]
