#!/usr/bin/env bash
# npm run build:package (and npm pack, through prepack): the library as npm installs it, in dist/:
# JavaScript and declaration files of lib.ts and everything it reaches, and the demo's program source,
# which DemoStack transpiles into the ConfigMap its pods run, as the repository's own render does.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

rm -rf dist
npx tsc -p tsconfig.build.json
cp components/demo/demoService.ts dist/components/demo/demoService.ts
