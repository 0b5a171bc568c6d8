"""No silent failure: every uncaught exception (slot, worker thread, network callback) and every critical Qt
message is logged with its traceback and shown to the user as an error banner.

The banner goes to the panel that started the action: the innermost frame of the traceback whose `self` is a
QObject inside a panel (a widget with a `banner`) names it, and the slot's name gives the verb
("_on_send_clicked" → "Could not send: …"). When no panel can be found, the main window's banner shows it.
Log lines pass through core/redact.py, so a key or phrase quoted by an exception never reaches the file.
"""

from __future__ import annotations

import html
import logging
import re
import sys
import threading
import traceback
from types import TracebackType
from typing import Any

import shiboken6
from PySide6.QtCore import QMessageLogContext, QObject, Qt, QtMsgType, Signal, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from soma_desktop.core.redact import install_redaction

log = logging.getLogger("soma_desktop.errors")

BANNER_ATTRIBUTES = ("error_banner", "banner")
_SLOT_NAME = re.compile(r"^_?on_(?P<verb>[a-z0-9_]+?)_(?:clicked|confirmed|requested|triggered|activated|accepted|"
                        r"pressed|selected|chosen)$")
# Slot verbs that do not read well after "Could not …".
_VERBS = {"faucet": "get SOMA from the faucet", "merge": "merge coins", "max": "compute the maximum",
          "review": "prepare the review", "button": "do that", "create": "create the model"}


def verb_for(frames: list[str]) -> str:
    """The action a traceback was performing, from the outermost slot name that says one."""
    for name in frames:
        match = _SLOT_NAME.match(name)
        if match:
            verb = match.group("verb")
            return _VERBS.get(verb, verb.replace("_", " "))
    return "complete that action"


def error_text(verb: str, exc: BaseException) -> str:
    detail = str(exc).strip() or type(exc).__name__
    return f"Could not {verb}: {detail}"


def banner_of(obj: Any) -> Any:
    """The error banner of the panel `obj` lives in (walking up the parents), or None."""
    from soma_desktop.ui.panels.common import Banner

    seen = 0
    while isinstance(obj, QObject) and shiboken6.isValid(obj) and seen < 64:
        for name in BANNER_ATTRIBUTES:
            banner = getattr(obj, name, None)
            if isinstance(banner, Banner) and shiboken6.isValid(banner):
                return banner
        obj, seen = obj.parent(), seen + 1
    return None


def _frames(tb: TracebackType | None) -> list[Any]:
    out = []
    while tb is not None:
        out.append(tb.tb_frame)
        tb = tb.tb_next
    return out


def _panel_banner(frames: list[Any]) -> Any:
    for frame in reversed(frames):          # innermost first: closest to the code that failed
        banner = banner_of(frame.f_locals.get("self"))
        if banner is not None:
            return banner
    return None


def main_window_banner() -> Any:
    app = QApplication.instance()
    if app is None:
        return None
    for widget in app.topLevelWidgets():
        if isinstance(widget, QMainWindow) and shiboken6.isValid(widget):
            banner = banner_of(widget)
            if banner is not None:
                return banner
    return None


class ErrorReporter(QObject):
    """Lives on the GUI thread; `report` may be called from any thread (the banner is shown there)."""

    _reported = Signal(object, str)   # (banner or None, text)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._reported.connect(self._on_reported)
        self.shown: list[str] = []     # every message shown, newest last (for tests and the log)

    def report(self, exc: BaseException, tb: TracebackType | None = None, *, where: str = "",
               owner: Any = None) -> str:
        """Log `exc` with its traceback and show it on the panel that started it. Returns the text shown."""
        tb = tb if tb is not None else exc.__traceback__
        frames = _frames(tb)
        text = error_text(verb_for([f.f_code.co_name for f in frames]), exc)
        log.error("uncaught %s in %s: %s\n%s", type(exc).__name__, where or "a slot", exc,
                  "".join(traceback.format_exception(type(exc), exc, tb)).rstrip())
        on_gui = threading.current_thread() is threading.main_thread()
        banner = banner_of(owner) if on_gui else None
        if banner is None and on_gui:
            banner = _panel_banner(frames)
        self._reported.emit(banner, text)
        return text

    def _on_reported(self, banner: Any, text: str) -> None:
        if banner is None or not shiboken6.isValid(banner):
            banner = main_window_banner()
        self.shown.append(text)
        if banner is not None:
            banner.show_message(html.escape(text), "error")
            return
        box = QMessageBox(QMessageBox.Icon.Critical, "SOMA Desktop", text)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()


_reporter: ErrorReporter | None = None
_previous: tuple[Any, Any, Any] | None = None   # the hooks install() replaced


def reporter() -> ErrorReporter | None:
    return _reporter


def report(exc: BaseException, *, where: str = "", owner: Any = None) -> None:
    """For code that catches an error it cannot handle: log it and show it (falls back to the log alone)."""
    if _reporter is not None and shiboken6.isValid(_reporter):
        _reporter.report(exc, where=where, owner=owner)
    else:
        log.error("unhandled %s in %s: %s", type(exc).__name__, where or "a callback", exc, exc_info=exc)


def _excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    assert _reporter is not None
    _reporter.report(exc, tb, where="a slot")


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None or issubclass(args.exc_type, SystemExit):
        return
    thread = args.thread.name if args.thread is not None else "a thread"
    assert _reporter is not None
    _reporter.report(args.exc_value, args.exc_traceback, where=f"thread {thread}")


_QT_LEVELS = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}


def _qt_message_handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    level = _QT_LEVELS.get(mode, logging.WARNING)
    where = f" ({context.file}:{context.line})" if context.file else ""
    logging.getLogger("qt").log(level, "%s%s", message, where)
    if level >= logging.ERROR and _reporter is not None and shiboken6.isValid(_reporter):
        _reporter._reported.emit(None, f"Qt reported an error: {message}")


def install(app: QApplication) -> ErrorReporter:
    """Install the hooks once per process; later calls return the same reporter."""
    global _reporter, _previous
    if _reporter is not None and shiboken6.isValid(_reporter):
        return _reporter
    install_redaction()
    _reporter = ErrorReporter(app)
    previous_qt = qInstallMessageHandler(_qt_message_handler)
    _previous = (sys.excepthook, threading.excepthook, previous_qt)
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook
    return _reporter


def uninstall() -> None:
    """Put back the hooks install() replaced (tests)."""
    global _reporter, _previous
    if _previous is not None:
        sys.excepthook, threading.excepthook, previous_qt = _previous
        qInstallMessageHandler(previous_qt)
    _previous = None
    if _reporter is not None and shiboken6.isValid(_reporter):
        _reporter.deleteLater()
    _reporter = None


__all__ = ["ErrorReporter", "banner_of", "error_text", "install", "report", "reporter", "uninstall", "verb_for"]
