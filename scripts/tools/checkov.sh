#!/usr/bin/env bash
# Installs Checkov (an independent IaC checker) from PyPI into a virtualenv outside the repo,
# keyed by version, and prints the path of its executable.
set -euo pipefail
# shellcheck source=scripts/tools/pypi-venv.sh
source "$(dirname "${BASH_SOURCE[0]}")/pypi-venv.sh"

readonly VERSION=3.3.30
venv=$(pypi_venv checkov "$VERSION" "checkov==$VERSION")
echo "$venv/bin/checkov"
