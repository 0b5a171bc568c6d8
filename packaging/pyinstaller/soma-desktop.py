"""PyInstaller entry point of the desktop bundle: the same `soma-desktop` command as the console script."""

import sys

from soma_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
