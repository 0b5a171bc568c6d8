"""Package layout the pyproject tables cannot express (everything else is in pyproject.toml).

- The top-level `resources/` folder (the design card's layout) installs as the package `soma_desktop.resources`,
  so wheels, sdists and editable installs all read the demo models and icons with importlib.resources.
- The freedesktop files in `packaging/` install as data files under the environment's `share/` (desktops find
  them there after `pip install --user` or a system-wide install). packaging/ itself is never made a Python
  package: with an __init__.py it would shadow PyPA's `packaging` for any tool run from the repository root.
"""

from setuptools import find_packages, setup

RESOURCES = "soma_desktop.resources"
DATA_FOLDERS = [f"{RESOURCES}.icons", f"{RESOURCES}.models"]  # data only, no __init__.py
APP_ID = "org.soma.Desktop"

setup(
    packages=find_packages(include=["soma_desktop", "soma_desktop.*"]) + [RESOURCES] + DATA_FOLDERS,
    package_dir={RESOURCES: "resources"},
    data_files=[
        ("share/applications", [f"packaging/{APP_ID}.desktop"]),
        ("share/metainfo", [f"packaging/{APP_ID}.metainfo.xml"]),
        ("share/icons/hicolor/scalable/apps", [f"packaging/{APP_ID}.svg"]),
    ],
)
