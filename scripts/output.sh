#!/usr/bin/env bash
# npm run output -- [arguments of pulumi stack output]: the kind stack's outputs from your own shell,
# secret ones included (`npm run -s password` is `npm run -s output -- grafanaAdminPassword
# --show-secrets`). Pulumi decrypts them with the stack's passphrase, which `npm run up` sets only
# for itself; this sets it the same way (scripts/kindStack.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/kindStack.sh

use_kind_passphrase
exec pulumi stack output --stack "$STACK" "$@"
