#!/usr/bin/env bash
# Sets up .venv/ (first run only) and starts SOMA Desktop on the embedded sandbox network.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-venv.sh
exec .venv/bin/soma-desktop "$@"
