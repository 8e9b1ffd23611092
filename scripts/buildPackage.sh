#!/usr/bin/env bash
# npm run build:package (and npm pack, through prepack): the library as npm installs it, in dist/:
# JavaScript and declaration files of lib.ts and testing/ (the `testing` subpath) and everything they
# reach; the demo's program transpiled (demo/demoService.ts), which DemoStack puts in the ConfigMap its
# pods run, as the repository's own render does; and the strict Kubernetes decoder's Go sources, which the
# testing module builds where Go is.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

rm -rf dist
npx tsc -p tsconfig.build.json
mkdir -p dist/demo
cp demo/demoService.ts dist/demo/demoService.ts
node -e 'require("fs").writeFileSync("dist/demo/demoService.js", require("./dist/components/demo/demoProgram").demoProgram())'
rm dist/demo/demoService.ts
# The provider plugin (bin/pulumi-resource-observability) answers the engine with the schema.
cp provider/schema.json dist/provider/schema.json
mkdir -p dist/testing/kube-validate
cp tools/kube-validate/go.mod tools/kube-validate/go.sum tools/kube-validate/*.go dist/testing/kube-validate/
