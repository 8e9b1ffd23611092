#!/usr/bin/env bash
# Installs moto, the S3-compatible server the server tests give Thanos as its bucket, from
# PyPI into a virtualenv outside the repo, keyed by version, and prints the path of its server.
set -euo pipefail
# shellcheck source=scripts/tools/pypi-venv.sh
source "$(dirname "${BASH_SOURCE[0]}")/pypi-venv.sh"

readonly VERSION=5.2.5
# The extras: the S3 backend and the standalone HTTP server (moto_server).
venv=$(pypi_venv moto "$VERSION" "moto[s3,server]==$VERSION")
echo "$venv/bin/moto_server"
