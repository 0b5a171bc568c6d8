import sys

from soma_desktop.cli import main

sys.exit(main())
