"""Resources are package data: the top-level resources/ folder is the installed package soma_desktop.resources,
read through importlib.resources (setup.py maps it)."""

from __future__ import annotations

import filecmp
from importlib.resources import files
from pathlib import Path

from soma_desktop.core.paths import resources_dir
from soma_desktop.engine.demo import demo_models_dir, list_demo_models

REPO = Path(__file__).resolve().parents[1]


def test_resources_are_the_installed_package_with_the_repository_files():
    assert resources_dir() == Path(str(files("soma_desktop.resources")))
    for name in ("models/demo_models.json", "icons/soma-desktop.svg"):
        assert filecmp.cmp(resources_dir() / name, REPO / "resources" / name, shallow=False)


def test_demo_models_and_icon_come_from_the_package():
    assert demo_models_dir() == resources_dir() / "models"
    assert [d.weights_path.is_file() for d in list_demo_models()] == [True, True, True]
    icon = resources_dir() / "icons" / "soma-desktop.svg"
    assert icon.is_file() and filecmp.cmp(icon, REPO / "packaging" / "org.soma.Desktop.svg", shallow=False)


def test_window_icon_renders(qapp):
    from soma_desktop.ui.application import window_icon

    assert not window_icon().pixmap(64, 64).isNull()   # found and decoded (the SVG image plugin is present)


def test_packaging_folder_never_shadows_pypa_packaging():
    """packaging/ ships as wheel data files; as a Python package it would hide PyPA's `packaging` (python -m build
    run from the repository root then fails)."""
    import packaging.version

    assert not (REPO / "packaging" / "__init__.py").exists()
    assert Path(packaging.version.__file__).resolve().parent != (REPO / "packaging").resolve()
