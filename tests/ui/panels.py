"""Build the Models and Publish panels from an AppContext the way main_window's factories do: each panel
receives only the typed pieces it uses."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from soma_desktop.services.models import ModelsService
from soma_desktop.services.publish import PublishOpener
from soma_desktop.ui.context import AppContext
from soma_desktop.ui.local_names import model_names
from soma_desktop.ui.navigator import Navigator
from soma_desktop.ui.panels.models import ModelsPanel
from soma_desktop.ui.panels.publish import PublishPanel


def models_panel(ctx: AppContext, parent: QWidget | None = None, *, navigator: Navigator | None = None,
                 models: ModelsService | None = None) -> ModelsPanel:
    return ModelsPanel(models=models or ctx.services.models, chain=ctx, changes=ctx.chain, bridge=ctx.bridge,
                       session=ctx.wallet, names=model_names(ctx), navigator=navigator, parent=parent)


def publish_panel(ctx: AppContext, parent: QWidget | None = None, *,
                  navigator: Navigator | None = None) -> PublishPanel:
    return PublishPanel(opener=PublishOpener(ctx.cache, ctx.data_dir), chain=ctx, wallet=ctx.wallet,
                        wallet_service=ctx.services.wallet, bridge=ctx.bridge, names=model_names(ctx),
                        navigator=navigator, parent=parent)
