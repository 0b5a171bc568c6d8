"""Installed as `soma_desktop.resources` (see setup.py): demo models and icons, read with importlib.resources."""
