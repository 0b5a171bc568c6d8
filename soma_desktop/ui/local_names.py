"""Local names shared by every panel: model names (per network) and the address book.

Loaded and saved on the bridge's loop thread (no file I/O on the GUI thread); `sig_changed` tells views to
redraw. Own accounts are labelled by their wallet names; contacts by the address book.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

from PySide6.QtCore import QObject, Signal

from soma_desktop.core.ids import normalize_id, short_id
from soma_desktop.core.name_store import NameStore, clean_name
from soma_desktop.network.types import ModelInfo

log = logging.getLogger(__name__)

MODEL_NAMES_FILE = "model_names.json"
ADDRESS_BOOK_FILE = "address_book.json"


class LocalNames(QObject):
    sig_changed = Signal()
    """The names changed (loaded, set or removed); no payload."""
    sig_failed = Signal(str)
    """Loading or saving failed; a message for the user."""

    def __init__(self, ctx, filename: str, *, per_network: bool, parent: QObject | None = None):
        super().__init__(parent if parent is not None else ctx)
        self.ctx = ctx
        self.store = NameStore(ctx.data_dir / filename)
        self.per_network = per_network
        self.loaded = False
        self._names: dict[str, str] = {}
        ctx.bridge.call(asyncio.to_thread(self.store.load), on_result=self._on_loaded, on_error=self._on_failed,
                        owner=self, label=f"reading {filename}")

    # ---- Public API ----------------------------------------------------------------------------
    def name(self, key: str) -> str:
        return self._names.get(self._key(key), "")

    def set_name(self, key: str, name: str) -> None:
        key, name = self._key(key), clean_name(name)
        if name:
            self._names[key] = name
        else:
            self._names.pop(key, None)
        snapshot = dict(self._names)
        self.ctx.bridge.call(asyncio.to_thread(self.store.save, snapshot), on_error=self._on_failed, owner=self,
                             label="saving names")
        self.sig_changed.emit()

    def entries(self) -> list[tuple[str, str]]:
        """(key without the network prefix, name) for the current network, sorted by name."""
        prefix = self._prefix()
        out = [(k[len(prefix):], v) for k, v in self._names.items() if k.startswith(prefix)]
        return sorted(out, key=lambda kv: kv[1].casefold())

    def label(self, key: str, *, head: int = 6) -> str:
        """'Name (0xabcdef…1234)' when named, else the short id."""
        name = self.name(key)
        return f"{name} ({short_id(key, head)})" if name else short_id(key, head)

    # ---- Private -------------------------------------------------------------------------------
    def _prefix(self) -> str:
        if not self.per_network:
            return ""
        choice = getattr(self.ctx, "choice", None)
        return f"{choice.key if choice is not None else 'sandbox'}:"

    def _key(self, key: str) -> str:
        try:
            key = normalize_id(key)
        except ValueError:
            pass
        return self._prefix() + key

    def _on_loaded(self, names: dict[str, str]) -> None:
        self._names = {**names, **self._names}       # names set before the file was read win
        self.loaded = True
        self.sig_changed.emit()

    def _on_failed(self, exc: BaseException) -> None:
        log.warning("names file: %s", exc)
        self.loaded = True
        self.sig_failed.emit(f"Local names: {exc}")


def model_names(ctx) -> LocalNames:
    """The shared store of local model names (scoped to the network: ids differ between chains)."""
    names = getattr(ctx, "model_names", None)
    if names is None:
        names = LocalNames(ctx, MODEL_NAMES_FILE, per_network=True)
        ctx.model_names = names
    return names


def apply_model_names(ctx, models: list) -> list:
    """The models with each local name as its title, so every table, legend and export shows it."""
    return with_model_names(model_names(ctx), models)


def with_model_names(names: LocalNames, models: list[ModelInfo]) -> list[ModelInfo]:
    """The models with each local name in `names` as its title."""
    return [dataclasses.replace(m, title=names.name(m.id)) if names.name(m.id) else m for m in models]


def address_book(ctx) -> LocalNames:
    """The shared address book: contact names by address (the same on every network)."""
    book = getattr(ctx, "address_book", None)
    if book is None:
        book = LocalNames(ctx, ADDRESS_BOOK_FILE, per_network=False)
        ctx.address_book = book
    return book


def address_label(ctx, address: str | None, own: dict[str, str] | None = None) -> str:
    """How to show an address: the own account's name, the contact's name, or the short hex."""
    if not address:
        return ""
    try:
        address = normalize_id(address)
    except ValueError:
        return address
    if own and address in own:
        return f"{own[address]} (yours)"
    name = address_book(ctx).name(address)
    return f"{name} ({short_id(address)})" if name else short_id(address)
