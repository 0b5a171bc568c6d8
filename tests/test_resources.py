"""Resources are package data: the top-level resources/ folder is the installed package soma_desktop.resources,
read through importlib.resources (setup.py maps it)."""

from __future__ import annotations

import filecmp
from importlib.resources import files
from pathlib import Path

from soma_desktop.core.paths import resources_dir
from soma_desktop.engine.demo import demo_models_dir, list_demo_models

REPO = Path(__file__).resolve().parents[1]


def test_resource_packages_are_the_repository_folders():
    # An editable install maps the packages onto the repository folders, so edits there are live.
    assert resources_dir() == Path(str(files("soma_desktop.resources")))
    assert resources_dir().samefile(REPO / "resources")


def test_demo_models_and_icon_come_from_the_package():
    assert demo_models_dir() == resources_dir() / "models"
    assert [d.weights_path.is_file() for d in list_demo_models()] == [True, True, True]
    icon = resources_dir() / "icons" / "soma-desktop.svg"
    assert icon.is_file() and filecmp.cmp(icon, REPO / "packaging" / "org.soma.Desktop.svg", shallow=False)


def test_window_icon_renders(qapp):
    from soma_desktop.ui.application import window_icon

    assert not window_icon().pixmap(64, 64).isNull()   # found and decoded (the SVG image plugin is present)
