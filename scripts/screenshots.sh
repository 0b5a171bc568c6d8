#!/usr/bin/env bash
# Screenshots of every panel, light and dark, at 1366×768 under Xvfb, into docs/screenshots/ (+ overview.png).
# Installs Xvfb, the xcb libraries Qt needs and ImageMagick with apt-get when they are missing (Debian/Ubuntu).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=python3
missing=()
command -v xvfb-run >/dev/null || missing+=(xvfb)
command -v montage >/dev/null || missing+=(imagemagick)
for lib in libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0; do
  dpkg -s "$lib" >/dev/null 2>&1 || missing+=("$lib")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get install -y "${missing[@]}" || { $SUDO apt-get update && $SUDO apt-get install -y "${missing[@]}"; }
fi
OUT=docs/screenshots
mkdir -p "$OUT"
PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" QT_QPA_PLATFORM=xcb \
  xvfb-run -a -s "-screen 0 1366x768x24" "$PYTHON" scripts/screenshots.py "$OUT"
montage "$OUT"/{wallet,staking,models,publish,evaluate}-light.png "$OUT"/{wallet,staking,models,publish,evaluate}-dark.png \
  -tile 5x2 -geometry 546x307+4+4 "$OUT/overview.png"
echo "wrote $OUT/*.png"
