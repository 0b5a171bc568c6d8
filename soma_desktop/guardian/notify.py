"""Tell a person something the guardian cannot do alone: a desktop notification where one exists, and the log.

No Qt here (the guardian runs without a display server): `notify-send` (freedesktop) or `osascript`
(macOS) when present. The text never carries secrets: model ids and epochs only.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys

log = logging.getLogger(__name__)
TITLE = "SOMA Desktop"


def _command(title: str, body: str) -> list[str] | None:
    if sys.platform == "darwin" and shutil.which("osascript"):
        quoted = body.replace("\\", "\\\\").replace('"', '\\"')
        return ["osascript", "-e", f'display notification "{quoted}" with title "{title}"']
    if shutil.which("notify-send"):
        return ["notify-send", "--urgency=critical", "--app-name=soma-desktop", title, body]
    return None


def notify(body: str, *, title: str = TITLE) -> bool:
    """Log `body` and show it as a desktop notification if possible. True if a notification was shown."""
    log.warning("%s", body)
    command = _command(title, body)
    if command is None:
        return False
    try:
        return subprocess.run(command, timeout=10, capture_output=True, check=False).returncode == 0
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("desktop notification failed: %s", type(exc).__name__)
        return False
