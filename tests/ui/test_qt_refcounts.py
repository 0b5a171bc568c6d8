"""Guard against Qt bindings that corrupt CPython's refcounts (PySide6 6.12.0 on 3.11 drops a reference
to None per void call and to True per emit, aborting a long-running app within hours)."""

import subprocess
import sys

PROBE = """
import sys
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(['probe', '-platform', 'offscreen'])
label = QLabel()
class Emitter(QObject):
    sig_pinged = Signal(int)
emitter = Emitter()
emitter.sig_pinged.connect(lambda _v: None)
none0, true0 = sys.getrefcount(None), sys.getrefcount(True)
for i in range(3000):
    label.setText('x'); label.show(); emitter.sig_pinged.emit(i)
print(sys.getrefcount(None) - none0, sys.getrefcount(True) - true0)
"""


def test_void_calls_and_emits_keep_refcounts():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-1000:]
    none_delta, true_delta = map(int, out.stdout.split())
    assert none_delta > -100 and true_delta > -100, (none_delta, true_delta)
