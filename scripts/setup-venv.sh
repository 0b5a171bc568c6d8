#!/usr/bin/env bash
# Creates .venv/ at the repo root and installs SOMA Desktop into it (editable), with test extras
# when called with --test. Idempotent: a second run only installs what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
extras=""
[ "${1:-}" = "--test" ] && extras="[test]"
[ -x .venv/bin/python ] || python3 -m venv .venv
stamp=".venv/.installed$extras"
fresh() { [ -f "$1" ] && [ ! pyproject.toml -nt "$1" ] && [ ! setup.py -nt "$1" ] && [ ! constraints.txt -nt "$1" ]; }
# An install with the test extras also satisfies a plain run.
if ! fresh "$stamp" && ! { [ -z "$extras" ] && fresh ".venv/.installed[test]"; }; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -c constraints.txt -e ".$extras"
  touch "$stamp"
fi
