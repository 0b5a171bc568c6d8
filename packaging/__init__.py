"""Installed as `soma_desktop.packaging` (see setup.py): the desktop entry, AppStream metainfo and icon."""
