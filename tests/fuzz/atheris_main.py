"""Coverage-guided fuzzing with atheris (optional: `pip install atheris`), for long runs on demand.

    python -m tests.fuzz.atheris_main settings|weights|vault|client_yaml|keystore [libFuzzer flags, e.g. -runs=100000]

Each target feeds raw bytes to the same entry point as the hypothesis suite and treats any exception other
than the parser's documented error as a crash (atheris then prints the input that caused it).
"""

from __future__ import annotations

import logging
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path


def _in_file(name: str, data: bytes, read: Callable[[Path], object], allowed: tuple[type[BaseException], ...]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            read(path)
        except allowed:
            pass


def settings_target(data: bytes) -> None:
    from soma_desktop.core import notices
    from soma_desktop.core.settings import load_settings

    _in_file("settings.json", data, lambda p: load_settings(p.parent), ())
    notices.take()


def weights_target(data: bytes) -> None:
    from soma_desktop.engine.errors import WeightsError
    from soma_desktop.engine.header import read_header

    _in_file("w.safetensors", data, read_header, (WeightsError,))


def vault_target(data: bytes) -> None:
    from soma_desktop.wallet.errors import VaultError
    from soma_desktop.wallet.vault import read_header

    _in_file("wallet.vault", data, read_header, (VaultError,))


def client_yaml_target(data: bytes) -> None:
    from soma_desktop.network.sdk.environments import parse_client_yaml

    try:
        parse_client_yaml(data.decode("utf-8", "replace"))
    except ValueError:
        pass


def keystore_target(data: bytes) -> None:
    from soma_desktop.wallet.cli_keystore import CliKeystoreError, parse_aliases, parse_keystore

    text = data.decode("utf-8", "replace")
    for parse in (parse_keystore, parse_aliases):
        try:
            parse(text)
        except CliKeystoreError:
            pass


TARGETS = {"settings": settings_target, "weights": weights_target, "vault": vault_target,
           "client_yaml": client_yaml_target, "keystore": keystore_target}


def main(argv: list[str]) -> None:
    import atheris  # optional dependency

    logging.disable(logging.WARNING)   # expected refusals would flood the output

    if len(argv) < 2 or argv[1] not in TARGETS:
        raise SystemExit(f"usage: python -m tests.fuzz.atheris_main {{{'|'.join(TARGETS)}}} [libFuzzer flags]")
    target = TARGETS[argv[1]]
    with atheris.instrument_imports():
        import soma_desktop.core.settings  # noqa: F401
        import soma_desktop.engine.header  # noqa: F401
        import soma_desktop.network.sdk.environments  # noqa: F401
        import soma_desktop.wallet.cli_keystore  # noqa: F401
        import soma_desktop.wallet.vault  # noqa: F401
    atheris.Setup([argv[0], *argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
