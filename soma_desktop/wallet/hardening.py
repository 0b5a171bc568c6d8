"""Process hardening for a process that holds unlocked keys (security.md §2.5)."""

from __future__ import annotations


def disable_core_dumps() -> bool:
    """Set RLIMIT_CORE to 0 (soft and hard) so a crash never writes key material to a core file.

    Returns False where the platform has no such limit (Windows) or refuses the change.
    Call once at application start-up, before any vault is unlocked.
    """
    try:
        import resource
    except ImportError:
        return False
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):
        return False
    return resource.getrlimit(resource.RLIMIT_CORE) == (0, 0)
