"""PyInstaller entry point of the desktop bundle: the same `soma-desktop` command as the console script."""

import multiprocessing
import sys

if __name__ == "__main__":
    # The evaluation worker is a *spawned* process: in a frozen app the child runs this same executable, and
    # freeze_support() turns that run into the worker instead of a second copy of the app.
    multiprocessing.freeze_support()
    from soma_desktop.cli import main

    sys.exit(main())
