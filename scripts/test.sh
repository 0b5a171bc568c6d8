#!/usr/bin/env bash
# Sets up .venv/ (with test extras) and runs the whole test suite headless.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-venv.sh --test
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest "$@"
