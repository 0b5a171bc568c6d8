from __future__ import annotations

import subprocess
import sys

CHILD = """
from soma_desktop.wallet.hardening import disable_core_dumps
ok = disable_core_dumps()
try:
    import resource
    print(ok, resource.getrlimit(resource.RLIMIT_CORE))
except ImportError:
    print(ok, None)
"""


def test_core_dumps_are_disabled_in_a_child_process():
    # A child process, so the test runner keeps its own limits.
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ("False None" if sys.platform == "win32" else "True (0, 0)")
