"""packaging/: the freedesktop entry, AppStream metainfo and the icon are valid."""

import configparser
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "packaging"
DESKTOP = PKG / "org.soma.Desktop.desktop"
METAINFO = PKG / "org.soma.Desktop.metainfo.xml"
REGISTERED_CATEGORIES = {"AudioVideo", "Audio", "Video", "Development", "Education", "Game", "Graphics", "Network",
                         "Office", "Science", "Settings", "System", "Utility", "ArtificialIntelligence"}


def desktop_entry() -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str
    parser.read(DESKTOP, encoding="utf-8")
    return dict(parser["Desktop Entry"])


def test_desktop_entry_keys():
    entry = desktop_entry()
    for key in ("Type", "Name", "Exec", "Icon", "Categories", "Comment"):
        assert entry.get(key), key
    assert entry["Type"] == "Application" and entry["Terminal"] == "false"
    assert entry["Exec"].split()[0] == "soma-desktop"
    assert entry["Icon"] == METAINFO.stem.replace(".metainfo", "")
    categories = [c for c in entry["Categories"].split(";") if c]
    assert categories and set(categories) <= REGISTERED_CATEGORIES and entry["Categories"].endswith(";")


def test_console_script_matches_exec():
    import tomllib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert desktop_entry()["Exec"].split()[0] in scripts


def test_metainfo_required_elements():
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == "org.soma.Desktop"
    for tag in ("metadata_license", "project_license", "name", "summary", "description", "launchable"):
        assert root.find(tag) is not None and (root.find(tag).text or list(root.find(tag))), tag
    assert root.find("launchable").text == DESKTOP.name
    assert root.find("releases/release").get("version")
    assert len(root.findtext("summary")) < 80


@pytest.mark.parametrize("icon", [PKG / "org.soma.Desktop.svg", ROOT / "resources" / "icons" / "soma-desktop.svg"])
def test_icon_is_square_svg(icon):
    root = ET.parse(icon).getroot()
    assert root.tag.endswith("svg") and root.get("width") == root.get("height")


def test_icon_renders(qapp):
    from PySide6.QtGui import QIcon

    pixmap = QIcon(str(ROOT / "resources" / "icons" / "soma-desktop.svg")).pixmap(64, 64)
    assert not pixmap.isNull() and pixmap.width() == 64


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils not installed")
def test_desktop_file_validate_tool():
    result = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(not shutil.which("appstreamcli"), reason="appstream not installed")
def test_appstreamcli_validate():
    result = subprocess.run(["appstreamcli", "validate", "--no-net", str(METAINFO)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
