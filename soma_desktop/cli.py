"""`soma-desktop` entry point: the GUI by default, headless subcommands beside it.

Imports neither Qt nor torch at module level, so `--help` and subcommands start instantly and the
GUI path pays only for Qt.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from soma_desktop import __version__

SUBCOMMANDS = {
    "eval": ("soma_desktop.engine.cli", "score files with one or more models, exactly like the network"),
    "guard": ("soma_desktop.guardian.guard", "reveal guardian: send due reveals without the window open"),
}

EPILOG = """\
networks:
  sandbox    embedded local simulation of SOMA protocol v5 (default; offline, no real money)
  testnet    SOMA testnet through soma-sdk
  localnet   a local `soma start localnet` (RPC 127.0.0.1:9000, faucet :9123, scoring :9124, admin :9125)
  URL        any SOMA fullnode RPC URL, e.g. https://fullnode.example.org:443
  env:ALIAS  an environment from the SOMA CLI's client.yaml

headless commands:
{commands}

Run `soma-desktop COMMAND --help` for a command's options.
environment:
  SOMA_DESKTOP_DATA_DIR   default data directory
  QT_QPA_PLATFORM         Qt platform plugin (e.g. offscreen for headless runs)
"""


def build_parser() -> argparse.ArgumentParser:
    commands = "\n".join(f"  {name:<10} {text}" for name, (_, text) in SUBCOMMANDS.items())
    parser = argparse.ArgumentParser(
        prog="soma-desktop",
        description="SOMA Desktop: wallet, staking, model publishing and evaluation for SOMA model owners.",
        epilog=EPILOG.format(commands=commands),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data-dir", type=Path, metavar="DIR",
                        help="where settings, vault, journal and sandbox live (default: the per-user data dir)")
    parser.add_argument("--network", metavar="NAME",
                        help="sandbox | testnet | localnet | URL | env:ALIAS (default: last used, else sandbox)")
    parser.add_argument("--version", action="version", version=f"soma-desktop {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        import importlib

        module = importlib.import_module(SUBCOMMANDS[argv[0]][0])
        return int(module.main(argv[1:]) or 0)
    args = build_parser().parse_args(argv)
    from soma_desktop.app import run_gui

    return run_gui(data_dir=args.data_dir, network=args.network)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
