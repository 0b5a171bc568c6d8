#!/usr/bin/env bash
# Linux desktop bundle: a PyInstaller one-folder build of `soma-desktop` (CPU torch, no Python needed on the
# target), packed with its .desktop entry, AppStream metainfo, icon and install script as
#   dist/soma-desktop-VERSION-linux-ARCH.tar.gz
#
#   ./scripts/build-bundle.sh            build the tarball
#   ./scripts/build-bundle.sh --test     build it, unpack into a temp dir and smoke-test it with `env -i` and a
#                                        PATH without python: the GUI starts offscreen on a fresh data dir and
#                                        exits (SOMA_DESKTOP_SMOKE_TEST=1), and `eval --weights demo:python` scores
#                                        a file; prints the tarball size and the time to first window
#
# The build venv is build/bundle-venv (PyInstaller is installed there, never in .venv). torch comes from
# constraints.txt; where that would resolve to a CUDA build, point pip at the CPU wheels first:
#   SOMA_TORCH_INDEX=https://download.pytorch.org/whl/cpu ./scripts/build-bundle.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
test_mode=""
case "${1:-}" in
  --test) test_mode=1 ;;
  "") ;;
  *) echo "usage: $0 [--test]" >&2; exit 2 ;;
esac
unset PYTHONPATH
venv="$repo/build/bundle-venv"
work="$repo/build/bundle"
version="$(python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')"
name="soma-desktop-$version-linux-$(uname -m)"
tarball="$repo/dist/$name.tar.gz"
step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }

step "build venv with PyInstaller and the app's wheel"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
if [ -n "${SOMA_TORCH_INDEX:-}" ]; then
  "$venv/bin/python" -m pip install --quiet -c constraints.txt --index-url "$SOMA_TORCH_INDEX" torch
fi
rm -rf "$work" && mkdir -p "$work/wheel" dist
"$venv/bin/python" -m pip wheel --quiet --no-deps -w "$work/wheel" .
# A regular (not editable) install, so PyInstaller collects soma_desktop.resources from site-packages.
"$venv/bin/python" -m pip install --quiet --force-reinstall --no-deps "$work"/wheel/soma_desktop-*.whl
"$venv/bin/python" -m pip install --quiet -c constraints.txt "$work"/wheel/soma_desktop-*.whl "pyinstaller>=6.10"

step "PyInstaller one-folder build"
# soma_desktop imports its subcommands and UI panels lazily (importlib), so collect every submodule (httpcore
# imports h2 only when the registry fallback speaks HTTP/2, so both are collected too); torch is
# only imported by the engine when an evaluation starts, exactly as in a pip install.
"$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN --onedir --name soma-desktop \
  --distpath "$work/dist" --workpath "$work/pyi" --specpath "$work" \
  --collect-submodules soma_desktop --collect-data soma_desktop \
  --collect-data mnemonic --collect-submodules keyring.backends \
  --collect-submodules h2 --collect-submodules httpcore \
  --exclude-module tkinter --exclude-module pytest --exclude-module hypothesis --exclude-module soma_models \
  --exclude-module IPython --exclude-module matplotlib \
  packaging/pyinstaller/soma-desktop.py

# The torch wheel's C++ test executables and protoc: nothing imports them (~130 MB unpacked).
rm -rf "$work/dist/soma-desktop/_internal/torch/test"
find "$work/dist/soma-desktop/_internal/torch/bin" -type f ! -name torch_shm_manager -delete

step "pack $name.tar.gz"
stage="$work/stage/$name"
mkdir -p "$stage/share/applications" "$stage/share/metainfo" "$stage/share/icons/hicolor/scalable/apps"
mv "$work/dist/soma-desktop" "$stage/app"
cp packaging/org.soma.Desktop.desktop "$stage/share/applications/"
cp packaging/org.soma.Desktop.metainfo.xml "$stage/share/metainfo/"
cp packaging/org.soma.Desktop.svg "$stage/share/icons/hicolor/scalable/apps/"
cp packaging/bundle/install.sh packaging/bundle/README.txt "$stage/"
ln -s app/soma-desktop "$stage/soma-desktop"
tar -C "$work/stage" -czf "$tarball" "$name"
echo "$tarball: $(du -h "$tarball" | cut -f1) ($(stat -c %s "$tarball") bytes), unpacked $(du -sh "$stage" | cut -f1)"

[ -n "$test_mode" ] || exit 0

step "smoke test: unpack into a temp dir, run with env -i and no python on PATH"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/soma-bundle-test.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
tar -C "$tmp" -xzf "$tarball"
app="$tmp/$name/soma-desktop"
mkdir "$tmp/bin" "$tmp/home" "$tmp/run"     # an empty PATH directory: no python, no shell tools
clean_env=(env -i "HOME=$tmp/home" "PATH=$tmp/bin" "QT_QPA_PLATFORM=offscreen" "LANG=C.UTF-8")
if "${clean_env[@]}" /bin/sh -c 'command -v python3 || command -v python' >/dev/null; then
  echo "the clean environment still finds a python" >&2; exit 1
fi
cd "$tmp/run"
"${clean_env[@]}" "$app" --version
firsts=()
for run in 1 2 3; do
  start="$(date +%s.%N)"
  timeout 180 "${clean_env[@]}" SOMA_DESKTOP_SMOKE_TEST=1 "$app" --data-dir "$tmp/profile-$run" \
    >"$tmp/smoke-$run.out" 2>"$tmp/smoke-$run.err" || { cat "$tmp/smoke-$run.out" "$tmp/smoke-$run.err"; exit 1; }
  line="$(grep '^soma-desktop smoke: ok ' "$tmp/smoke-$run.out")" || { cat "$tmp/smoke-$run.out"; exit 1; }
  painted="$(sed -n 's/.*painted_at=\([0-9.]*\).*/\1/p' <<<"$line")"
  firsts+=("$(awk -v a="$start" -v b="$painted" 'BEGIN { printf "%.2f", b - a }')")
  echo "$line"
done
printf 'def add(a, b):\n    return a + b\n\n\nprint(add(2, 3))\n' > x.py
"${clean_env[@]}" "$app" eval --list-demos
timeout 300 "${clean_env[@]}" "$app" eval --weights demo:python --json x.py > eval.json
grep -q '"weights": "demo:python"' eval.json && grep -q '"loss": [0-9]' eval.json \
  || { echo "eval gave no loss:"; head -c 600 eval.json; exit 1; }
"${clean_env[@]}" "$app" eval --weights demo:python x.py
# Two models in two spawned worker processes: the frozen executable must run the worker, not a second app.
timeout 300 "${clean_env[@]}" "$app" eval --jobs 2 --weights demo:python --weights demo:prose --json x.py > jobs.json
grep -q '"weights": "demo:prose"' jobs.json && grep -q '"loss": [0-9]' jobs.json \
  || { echo "eval --jobs 2 gave no loss:"; head -c 600 jobs.json; exit 1; }
step "bundle test passed"
echo "tarball: $(stat -c %s "$tarball") bytes ($(du -h "$tarball" | cut -f1)); time to first window (s): ${firsts[*]}"
