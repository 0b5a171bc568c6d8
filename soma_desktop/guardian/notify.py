"""Tell a person something the guardian cannot do alone: a desktop notification where one exists, and the log.

No Qt here (the guardian runs without a display server): `notify-send` (freedesktop), `osascript` (macOS) or
a Windows toast through PowerShell's WinRT bridge, when present. The text never carries secrets: model ids and
epochs only. On Windows the title and body travel in environment variables, never inside the script, so no
text can change what PowerShell runs.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys

log = logging.getLogger(__name__)
TITLE = "SOMA Desktop"


# Windows 10/11: a ToastText02 toast shown under PowerShell's registered AppUserModelID (an unregistered id
# shows nothing). Title and body come from SOMA_NOTIFY_TITLE / SOMA_NOTIFY_BODY.
_POWERSHELL_APP_ID = r"{1AC14E77-02E7-4E5D-B744-2EB1AE5198B7}\WindowsPowerShell\v1.0\powershell.exe"
WINDOWS_TOAST = "; ".join([
    "$ErrorActionPreference = 'Stop'",
    "$m = [Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, ContentType = WindowsRuntime]",
    "$x = $m::GetTemplateContent([Windows.UI.Notifications.ToastTemplateType]::ToastText02)",
    "$t = $x.GetElementsByTagName('text')",
    "[void]$t.Item(0).AppendChild($x.CreateTextNode($env:SOMA_NOTIFY_TITLE))",
    "[void]$t.Item(1).AppendChild($x.CreateTextNode($env:SOMA_NOTIFY_BODY))",
    f"$m::CreateToastNotifier('{_POWERSHELL_APP_ID}').Show([Windows.UI.Notifications.ToastNotification]::new($x))",
])


def _command(title: str, body: str) -> list[str] | None:
    if sys.platform == "win32":
        shell = shutil.which("powershell")
        return [shell, "-NoProfile", "-NonInteractive", "-Command", WINDOWS_TOAST] if shell else None
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
    env = {**os.environ, "SOMA_NOTIFY_TITLE": title, "SOMA_NOTIFY_BODY": body}
    try:
        return subprocess.run(command, timeout=10, capture_output=True, check=False, env=env).returncode == 0
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("desktop notification failed: %s", type(exc).__name__)
        return False
