#!/bin/sh
# Adds (or with --uninstall removes) this unpacked SOMA Desktop bundle to the current user's desktop:
# ~/.local/bin/soma-desktop, the menu entry, its icon and AppStream metadata. Nothing outside ~/.local is touched;
# your data dir (~/.local/share/soma-desktop) is left alone either way.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
bin="$HOME/.local/bin"
entry="$data/applications/org.soma.Desktop.desktop"
icon="$data/icons/hicolor/scalable/apps/org.soma.Desktop.svg"
meta="$data/metainfo/org.soma.Desktop.metainfo.xml"
if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$bin/soma-desktop" "$entry" "$icon" "$meta"
  echo "Removed the launcher, menu entry and icon. Delete $here to remove the app itself."
  exit 0
fi
mkdir -p "$bin" "$(dirname "$entry")" "$(dirname "$icon")" "$(dirname "$meta")"
ln -sf "$here/app/soma-desktop" "$bin/soma-desktop"
# Menus do not always have ~/.local/bin on PATH: point the entry at this bundle directly.
sed -e "s|^Exec=soma-desktop|Exec=\"$here/app/soma-desktop\"|" -e "s|^TryExec=soma-desktop|TryExec=$here/app/soma-desktop|" \
  "$here/share/applications/org.soma.Desktop.desktop" > "$entry"
cp "$here/share/icons/hicolor/scalable/apps/org.soma.Desktop.svg" "$icon"
cp "$here/share/metainfo/org.soma.Desktop.metainfo.xml" "$meta"
command -v update-desktop-database >/dev/null && update-desktop-database "$data/applications" 2>/dev/null || true
echo "Installed: run soma-desktop, or find SOMA Desktop in your applications menu."
