"""Screenshots of every panel, light and dark, on a populated sandbox (run by scripts/screenshots.sh).

A throwaway data dir gets a wallet with two accounts, faucet coins, a transfer, a stake that earns, a contact
and a local model name, so the panels show real content; then each panel is grabbed at 1366×768.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from soma_desktop.core.settings import Settings
from soma_desktop.network.factory import parse_choice
from soma_desktop.ui.application import make_qapplication
from soma_desktop.ui.bridge import AsyncBridge
from soma_desktop.ui.context import AppContext
from soma_desktop.ui.local_names import address_book, model_names
from soma_desktop.ui.main_window import PANELS, MainWindow
from soma_desktop.ui.theme import apply_theme

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
PHRASE = " ".join(["abandon"] * 11 + ["about"])
SOMA = 10**9


def pump(seconds: float, until=lambda: False) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end and not until():
        QApplication.processEvents()
        time.sleep(0.02)


def run(ctx: AppContext, coro):
    return ctx.bridge.run_blocking(coro, 30.0)


def populate(ctx: AppContext) -> None:
    session = ctx.wallet
    done: list = []
    session.create("screenshot password", mnemonic=PHRASE, first_name="Savings", on_done=done.append,
                   on_error=lambda exc: sys.exit(f"wallet: {exc}"))
    pump(30, lambda: bool(done))
    session.add_account("Daily", lambda _a: done.append(1), lambda exc: sys.exit(f"account: {exc}"))
    pump(10, lambda: len(session.accounts()) == 2)
    first, second = session.accounts()
    net = ctx.network
    for _ in range(3):
        run(ctx, net.request_faucet(first.address))
    run(ctx, net.merge_coins(first))
    run(ctx, net.transfer_coin(first, second.address, 1 * SOMA + 250_000_000))
    validator = run(ctx, net.get_validators())[0].address
    run(ctx, net.add_stake(first, validator, 2 * SOMA))
    for _ in range(2):
        run(ctx, net.advance_epoch())
    friend = "0x" + "5a" * 32
    address_book(ctx).set_name(friend, "Alice")
    run(ctx, net.request_faucet(friend))
    run(ctx, net.transfer_coin(type("Friend", (), {"address": friend, "secret_key": lambda self: b""})(),
                               first.address, 700_000_000))
    active = [m for m in run(ctx, net.list_models()) if m.state.value == "active"]
    if active:
        model_names(ctx).set_name(active[0].id, "Poetry model (mine)")
    ctx.refresh()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    app = make_qapplication()
    data_dir = Path(tempfile.mkdtemp(prefix="soma-screens-"))
    settings = Settings(sandbox_timed_epochs=False)
    ctx = AppContext(data_dir, settings, AsyncBridge(default_timeout=20.0, tx_timeout=30.0))
    ctx.connect_to(parse_choice("sandbox"))
    pump(30, lambda: ctx.state is not None)
    populate(ctx)
    window = MainWindow(ctx)
    window.show()
    window.setGeometry(0, 0, 1366, 768)
    pump(2)
    for theme in ("light", "dark"):
        window.set_theme(theme)
        apply_theme(app, theme)
        for spec in PANELS:
            window.show_panel(spec.key)
            pump(2.5)
            path = OUT / f"{spec.key}-{theme}.png"
            if not window.grab().save(str(path)):
                print(f"could not write {path}", file=sys.stderr)
                return 1
            print(path)
    window.set_theme("system")
    window.close()
    ctx.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
