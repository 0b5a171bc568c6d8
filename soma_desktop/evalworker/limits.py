"""OS limits of the worker process: address-space and data-segment caps derived from the memory budget.

The limits are set after torch is imported, on top of what the process already maps, so the budget
covers the evaluation itself (weights, activations, outputs). A model that outgrows them raises
MemoryError (or torch's allocation error) inside the worker instead of swapping the machine to death.
"""

from __future__ import annotations

import os

DATA_SLACK = 768 * 2**20              # allocator fragmentation, Python objects, torch's caches
AS_SLACK = 2 * 2**30                  # thread stacks and per-thread malloc arenas (address space only)
AS_SLACK_PER_CPU = 256 * 2**20


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def apply_memory_limits(budget: int) -> dict[str, int]:
    """Set RLIMIT_DATA and RLIMIT_AS where the OS has them; returns what was set (name → bytes)."""
    try:
        import resource
    except ImportError:   # Windows: no rlimits; the header-based budget check still applies
        return {}
    applied: dict[str, int] = {}
    data_kib, vm_kib = _status_kib("VmData"), _status_kib("VmSize")
    wanted = {
        "RLIMIT_DATA": (data_kib * 1024 if data_kib else 0) + budget + DATA_SLACK,
        "RLIMIT_AS": ((vm_kib * 1024 if vm_kib else 0) + budget + AS_SLACK
                      + AS_SLACK_PER_CPU * (os.cpu_count() or 1)),
    }
    for name, limit in wanted.items():
        which = getattr(resource, name, None)
        if which is None:
            continue
        try:
            _soft, hard = resource.getrlimit(which)
            if hard != resource.RLIM_INFINITY:
                limit = min(limit, hard)
            resource.setrlimit(which, (limit, hard))
            applied[name] = limit
        except (ValueError, OSError):
            continue   # e.g. macOS refuses RLIMIT_AS below the current mapping; keep the other one
    return applied


def lower_priority(increment: int = 10) -> None:
    """Background priority so the GUI process wins the CPU when both want it."""
    try:
        os.nice(increment)
    except (AttributeError, OSError):
        pass
