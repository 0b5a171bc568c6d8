"""Local names shared by every panel: model names (per network) and the address book.

Loaded and saved on the bridge's loop thread (no file I/O on the GUI thread); `sig_changed` tells views to
redraw. Own accounts are labelled by their wallet names; contacts by the address book.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import weakref
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from soma_desktop.core.ids import normalize_id, short_id
from soma_desktop.core.name_store import NameStore, clean_name
from soma_desktop.network.factory import NetworkChoice
from soma_desktop.network.types import ModelInfo
from soma_desktop.ui.bridge import AsyncBridge

log = logging.getLogger(__name__)

MODEL_NAMES_FILE = "model_names.json"
ADDRESS_BOOK_FILE = "address_book.json"


class NamesHost(Protocol):
    """What the names need of the app (the AppContext provides it): where files live, the loop, the chain."""

    @property
    def data_dir(self) -> Path: ...

    @property
    def bridge(self) -> AsyncBridge: ...

    @property
    def choice(self) -> NetworkChoice | None: ...


# One store per host and file, shared by every panel; weak: a closed app's names go with it.
_SHARED: weakref.WeakKeyDictionary[NamesHost, dict[str, LocalNames]] = weakref.WeakKeyDictionary()


class LocalNames(QObject):
    sig_changed = Signal()
    """The names changed (loaded, set or removed); no payload."""
    sig_failed = Signal(str)
    """Loading or saving failed; a message for the user."""

    def __init__(self, host: NamesHost, filename: str, *, per_network: bool, parent: QObject | None = None):
        super().__init__(parent if parent is not None else host if isinstance(host, QObject) else None)
        self._host = weakref.ref(host)      # the network choice scopes model names; no cycle through the host
        self.bridge = host.bridge
        self.store = NameStore(host.data_dir / filename)
        self.per_network = per_network
        self.loaded = False
        self._names: dict[str, str] = {}
        self.bridge.call(asyncio.to_thread(self.store.load), on_result=self._on_loaded, on_error=self._on_failed,
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
        self.bridge.call(asyncio.to_thread(self.store.save, snapshot), on_error=self._on_failed, owner=self,
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
        host = self._host()
        choice = host.choice if host is not None else None
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


def _shared(host: NamesHost, filename: str, per_network: bool) -> LocalNames:
    stores = _SHARED.setdefault(host, {})
    if filename not in stores:
        stores[filename] = LocalNames(host, filename, per_network=per_network)
    return stores[filename]


def model_names(host: NamesHost) -> LocalNames:
    """The shared store of local model names (scoped to the network: ids differ between chains)."""
    return _shared(host, MODEL_NAMES_FILE, True)


def apply_model_names(host: NamesHost, models: list[ModelInfo]) -> list[ModelInfo]:
    """The models with each local name as its title, so every table, legend and export shows it."""
    return with_model_names(model_names(host), models)


def with_model_names(names: LocalNames, models: list[ModelInfo]) -> list[ModelInfo]:
    """The models with each local name in `names` as its title."""
    return [dataclasses.replace(m, title=names.name(m.id)) if names.name(m.id) else m for m in models]


def address_book(host: NamesHost) -> LocalNames:
    """The shared address book: contact names by address (the same on every network)."""
    return _shared(host, ADDRESS_BOOK_FILE, False)


def address_label(book: LocalNames, address: str | None, own: dict[str, str] | None = None) -> str:
    """How to show an address: the own account's name, the contact's name, or the short hex."""
    if not address:
        return ""
    try:
        address = normalize_id(address)
    except ValueError:
        return address
    if own and address in own:
        return f"{own[address]} (yours)"
    name = book.name(address)
    return f"{name} ({short_id(address)})" if name else short_id(address)
