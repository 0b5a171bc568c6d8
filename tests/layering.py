"""Import-boundary checker used by tests/test_layers.py (kept separate so it can be tested itself)."""

from __future__ import annotations

import ast
from pathlib import Path

QT_MODULES = ("PySide6", "pyqtgraph", "shiboken6")


def imported_modules(source: str) -> list[tuple[int, str]]:
    """Every module an import statement names, including imports nested in functions."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            found.append((node.lineno, str(node.args[0].value)))
    return found


def violations(package_root: Path, banned: tuple[str, ...], allowed_subdirs: tuple[str, ...]) -> list[str]:
    """'path:line module' for each import of a banned module outside the allowed subpackages."""
    out = []
    for path in sorted(package_root.rglob("*.py")):
        rel = path.relative_to(package_root)
        if rel.parts and rel.parts[0] in allowed_subdirs:
            continue
        for line, module in imported_modules(path.read_text("utf-8")):
            if module.split(".")[0] in banned:
                out.append(f"{rel}:{line} {module}")
    return out
