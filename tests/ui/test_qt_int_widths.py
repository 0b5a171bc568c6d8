"""Qt's `int` is 32-bit: a Signal/Slot/QSpinBox declared with int silently drops (OverflowError on stderr) any
value above 2^31 − 1 — every send of 2.147483648 SOMA or more did nothing (issue 11). Static scan of ui/:
- a Signal whose name says it carries money, a size, an offset, a count or an epoch never declares `int`;
- every other `int` in a Signal/Slot declaration and every QSpinBox carries an `# int: <why it is small>` comment
  on its line or the line above."""

from __future__ import annotations

import ast
import re
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "soma_desktop" / "ui"
# Names of signals that carry money (the actions that move it too), sizes, offsets, counts or epochs.
WIDE_NAMES = re.compile(r"amount|shannon|stake|balance|fee|reward|principal|supply|send|transfer|withdraw|claim|"
                        r"create|publish|pay|size|offset|bytes|count|total|epoch|progress|ranked", re.IGNORECASE)
JUSTIFIED = "# int:"


def _has_int(call: ast.Call) -> bool:
    return any(isinstance(a, ast.Name) and a.id == "int" for a in call.args)


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def scan(root: Path) -> list[str]:
    problems = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text("utf-8")
        lines = text.splitlines()
        tree = ast.parse(text)
        names = {}   # Signal call node id -> the class attribute it is assigned to
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                names[id(node.value)] = " ".join(t.id for t in node.targets if isinstance(t, ast.Name))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            callee = _callee(node)
            where = f"{path.relative_to(root)}:{node.lineno}"
            line = lines[node.lineno - 1] + (lines[node.lineno - 2] if node.lineno > 1 else "")  # or the line above
            if callee in ("Signal", "Slot") and _has_int(node):
                name = names.get(id(node), "")
                if callee == "Signal" and WIDE_NAMES.search(name):
                    problems.append(f"{where} {name} declares int")
                elif JUSTIFIED not in line:
                    problems.append(f"{where} {callee} with int and no '{JUSTIFIED}' reason")
            elif callee == "QSpinBox" and JUSTIFIED not in line:
                problems.append(f"{where} QSpinBox (32-bit) with no '{JUSTIFIED}' reason")
    return sorted(problems, key=lambda p: (p.split(':')[0], int(p.split(':')[1].split()[0])))


def test_no_qt_int_carries_an_amount_size_or_offset():
    assert scan(UI) == []


def test_the_scan_catches_each_kind_of_violation(tmp_path):
    (tmp_path / "bad.py").write_text(
        "class D:\n"
        "    sig_send_confirmed = Signal(str, int)   # int: says so, but the name carries an amount\n"
        "    sig_offset_clicked = Signal(int)\n"
        "    sig_job = Signal(int)\n"
        "    sig_ok = Signal(int)   # int: job id\n"
        "    sig_wide = Signal(str, object)\n"
        "    @Slot(int)\n"
        "    def f(self, x): self.spin = QSpinBox()\n"
        "    def g(self): self.amount = QSpinBox()   # int: percent, 0..100\n")
    assert scan(tmp_path) == [
        "bad.py:2 sig_send_confirmed declares int",
        "bad.py:3 sig_offset_clicked declares int",
        "bad.py:4 Signal with int and no '# int:' reason",
        "bad.py:7 Slot with int and no '# int:' reason",
        "bad.py:8 QSpinBox (32-bit) with no '# int:' reason",
    ]
