#!/usr/bin/env bash
# Static checks run by .ci/run before the tests: ruff, mypy (strict, 0 errors: every Qt-free package — core,
# protocol, network incl. sandbox and sdk, engine, evalworker, publish, wallet, services, guardian; ui: no error
# beyond mypy-baseline.txt) and import-linter. Uses .venv/ (with the lint extra) unless PY names another interpreter.
# `scripts/lint.sh --update-baseline` rewrites the baseline after ui errors were fixed (it must only shrink).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PY:-}" ]; then
  ./scripts/setup-venv.sh --test
  PY=.venv/bin/python
  "$PY" -c "import importlinter, mypy, ruff" 2>/dev/null || "$PY" -m pip install --quiet -c constraints.txt -e ".[test,lint]"
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
bin="$(dirname "$PY")"
status=0

echo "== ruff"
"$bin/ruff" check soma_desktop tests benchmarks scripts || status=1

echo "== mypy (strict layers, see [tool.mypy] in pyproject.toml)"
mypy_out="$("$PY" -m mypy 2>&1)" || status=1
echo "$mypy_out"
# Only a note in mypy's exit status: an override pattern that matches no module would silently drop strictness.
if grep -q "unused section" <<<"$mypy_out"; then
  echo "a [[tool.mypy.overrides]] module pattern matches no checked module"; status=1
fi

echo "== mypy ui (errors allowed only in mypy-baseline.txt)"
# Baseline lines are "path: error: message  [code]" without line numbers, so unrelated edits don't churn it.
current="$(mktemp)"; trap 'rm -f "$current"' EXIT
"$PY" -m mypy soma_desktop/ui 2>/dev/null | grep ': error:' | sed -E 's/^([^:]+):[0-9]+: /\1: /' | sort > "$current" || true
if [ "${1:-}" = "--update-baseline" ]; then
  cp "$current" mypy-baseline.txt
  echo "mypy-baseline.txt: $(wc -l < mypy-baseline.txt) errors"
else
  new="$(comm -23 "$current" <(sort mypy-baseline.txt))"
  if [ -n "$new" ]; then
    echo "new mypy errors in ui (not in mypy-baseline.txt):"; echo "$new"; status=1
  else
    echo "ui: $(wc -l < "$current") known errors, none new"
  fi
fi

echo "== import-linter"
"$bin/lint-imports" || status=1
exit $status
