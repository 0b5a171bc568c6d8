"""Package layout the pyproject tables cannot express: the top-level `resources/` and `packaging/` folders (the
design card's layout) are installed as the packages `soma_desktop.resources` and `soma_desktop.packaging`, so
wheels, sdists and editable installs all read them with importlib.resources. Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

DATA_PACKAGES = {"soma_desktop.resources": "resources", "soma_desktop.packaging": "packaging"}
DATA_FOLDERS = ["soma_desktop.resources.icons", "soma_desktop.resources.models"]  # data only, no __init__.py

setup(
    packages=find_packages(include=["soma_desktop", "soma_desktop.*"]) + list(DATA_PACKAGES) + DATA_FOLDERS,
    package_dir=DATA_PACKAGES,
)
