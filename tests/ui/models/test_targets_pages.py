"""The Targets list renders the pages ModelsService supplies, on a sandbox with hundreds of targets: the view
holds no network; every target read on the network is one of the service's pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from soma_desktop.network.types import TargetPage, TargetStatus
from soma_desktop.services.models import ModelsService
from soma_desktop.ui.format import amount_text
from soma_desktop.ui.models.targets import TargetsView
from tests.services.counting import CountingNetwork
from tests.ui.publish.helpers import advance, run


@dataclass(frozen=True)
class SuppliedPages(ModelsService):
    """The real service, remembering each page it handed to the view."""

    supplied: list[TargetPage] = field(default_factory=list)

    async def targets_page(self, status: TargetStatus | None, page_token: str | None = None,
                           limit: int | None = None) -> TargetPage:
        page = await super().targets_page(status, page_token, limit)
        self.supplied.append(page)
        return page


def test_the_view_renders_every_page_the_service_supplies(qtbot, wctx):
    ctx = wctx
    advance(qtbot, ctx, 2)                    # genesis + two epochs of new targets: 300 on the sandbox
    counted = CountingNetwork(ctx.cache.network)

    async def count_reads() -> None:          # on the loop, where the cache reads
        ctx.cache.network = counted
    run(ctx, count_reads())
    service = SuppliedPages(ctx.cache, ctx.services.wallet)
    view = TargetsView(models=service, chain=ctx, bridge=ctx.bridge, session=ctx.wallet)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    view.reload()
    qtbot.waitUntil(lambda: len(service.supplied) == 1 and not view._loading, timeout=10_000)
    assert view.model.rowCount() == 100 and "more available" in view.count.text()
    bar = view.table.verticalScrollBar()
    while view.next_token is not None:        # scrolling to the end asks the service for the next page
        pages = len(service.supplied)
        bar.setValue(bar.maximum())
        qtbot.waitUntil(lambda n=pages: len(service.supplied) == n + 1 and not view._loading, timeout=10_000)

    supplied = [t for page in service.supplied for t in page.targets]
    assert len(supplied) >= 250 and len(service.supplied) >= 3
    assert view.model.targets == supplied                       # in order, nothing dropped or repeated
    assert len({t.id for t in supplied}) == len(supplied)
    assert view.count.text() == f"{len(supplied)} targets loaded (all)" and not view.more.isEnabled()
    assert counted.reads["list_targets"] == len(service.supplied)
    assert max(t.reward_pool for t in supplied) > 2**32         # realistic rewards, rendered exactly as formatted
    row = max(range(len(supplied)), key=lambda i: supplied[i].reward_pool)
    assert view.model.index(row, 2).data() == amount_text(supplied[row].reward_pool, decimals=4)
