#!/usr/bin/env bash
# The release path as a user meets it: build the sdist and, from it, the wheel; check the wheel holds the demo
# models, icon and desktop files; install it into a fresh venv outside the repository; then, from another
# directory, start the GUI offscreen on a fresh profile (SOMA_DESKTOP_SMOKE_TEST=1 makes it exit with a verdict)
# and score a file with `eval --weights demo:python --json`. Called by .ci/run after the tests.
#   ./scripts/release-check.sh [--keep]     (--keep leaves the temp folder and prints its path)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/soma-release.XXXXXX")"
[ "${1:-}" = "--keep" ] && echo "release-check: keeping $work" || trap 'rm -rf "$work"' EXIT
unset PYTHONPATH
step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }

step "build sdist and wheel"
python3 -m venv "$work/tools"
"$work/tools/bin/python" -m pip install --quiet build
"$work/tools/bin/python" -m build --outdir "$work/dist" "$repo" >"$work/build.log" 2>&1 \
  || { tail -40 "$work/build.log"; exit 1; }
wheel="$(ls "$work"/dist/soma_desktop-*.whl)"
ls -l "$work"/dist

step "wheel contents"
python3 - "$wheel" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
package = ["icons/soma-desktop.svg", "models/demo_models.json", "models/prose.safetensors",
           "models/python.safetensors", "models/data.safetensors"]
share = ["applications/org.soma.Desktop.desktop", "metainfo/org.soma.Desktop.metainfo.xml",
         "icons/hicolor/scalable/apps/org.soma.Desktop.svg"]
missing = [f for f in package if "soma_desktop/resources/" + f not in names]
missing += [f for f in share if not any(n.endswith(".data/data/share/" + f) for n in names)]
sys.exit(f"wheel lacks: {missing}" if missing else print(f"{len(names)} files, resources and desktop files present"))
PY

step "install the wheel into a fresh venv"
python3 -m venv "$work/app"
"$work/app/bin/python" -m pip install --quiet -c "$repo/constraints.txt" "$wheel"

step "GUI smoke test from another directory"
mkdir "$work/elsewhere" && cd "$work/elsewhere"
start="$(date +%s.%N)"
SOMA_DESKTOP_SMOKE_TEST=1 QT_QPA_PLATFORM=offscreen timeout 120 \
  "$work/app/bin/soma-desktop" --data-dir "$work/profile" | tee "$work/smoke.out"
painted="$(sed -n 's/^soma-desktop smoke: ok .*painted_at=\([0-9.]*\).*/\1/p' "$work/smoke.out")"
[ -n "$painted" ] || { echo "the GUI smoke test failed" >&2; exit 1; }
awk -v a="$start" -v b="$painted" 'BEGIN { printf "time to first window: %.2f s\n", b - a }'

step "eval --weights demo:python"
printf 'def add(a, b):\n    return a + b\n\n\nprint(add(2, 3))\n' > x.py
"$work/app/bin/soma-desktop" eval --list-demos
"$work/app/bin/soma-desktop" eval --weights demo:python --json x.py > eval.json
python3 - <<'PY'
import json
result = json.load(open("eval.json"))["results"][0]
model = result["models"][0]
assert result["size"] > 0 and model["weights"] == "demo:python" and model["loss"] > 0, result
print(f"scored {result['file']}: {result['size']} bytes, loss {model['loss']:.4f}")
PY

step "release check passed"
