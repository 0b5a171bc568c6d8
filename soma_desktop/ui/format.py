"""Display formatting shared by widgets (amounts stay ints until here)."""

from __future__ import annotations

from soma_desktop.core.amounts import format_soma

HIDDEN = "••••••"


def amount_text(shannons: int | None, *, hidden: bool = False, decimals: int = 9) -> str:
    if shannons is None:
        return "—"
    return HIDDEN + " SOMA" if hidden else format_soma(shannons, max_decimals=decimals)


def duration_text(ms: int) -> str:
    """Countdown text: '2d 03:04:05', '03:04:05' or '04:05'."""
    seconds = max(0, ms) // 1000
    days, rem = divmod(seconds, 86_400)
    hours, rem = divmod(rem, 3600)
    minutes, secs = divmod(rem, 60)
    clock = f"{hours:02d}:{minutes:02d}:{secs:02d}" if hours or days else f"{minutes:02d}:{secs:02d}"
    return f"{days}d {clock}" if days else clock


def bps_text(bps: int) -> str:
    return f"{bps / 100:.2f}%".replace(".00%", "%")
