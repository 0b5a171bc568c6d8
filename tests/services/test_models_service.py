"""ModelsService targets on the real sandbox: pages of the size the service sets, and claim all (the plan's
totals are what the claimer's balance gains, minus the fees paid)."""

from __future__ import annotations

import pytest

from soma_desktop.network.sandbox import SANDBOX_DEMO_ADDRESS
from soma_desktop.network.types import TargetStatus
from soma_desktop.services.chain_cache import OPEN_TARGETS, coins_key
from soma_desktop.services.models import ModelsService
from soma_desktop.services.targets import claim_state, claimable
from soma_desktop.services.wallet import WalletService


class Signer:
    address = SANDBOX_DEMO_ADDRESS

    def secret_key(self) -> bytes:
        return b"\x07" * 32


@pytest.fixture
def models(cache, tmp_path):
    return ModelsService(cache, WalletService(cache, tmp_path), targets_page_size=40)


def test_pages_have_the_services_size_and_cover_every_target(loop, models, counted):
    everything = loop.run_until_complete(counted.list_targets(limit=1000)).targets
    counted.reset()
    seen, token = [], None
    while True:
        page = loop.run_until_complete(models.targets_page(None, token))
        assert len(page.targets) <= 40
        seen += page.targets
        token = page.next_page_token
        if token is None:
            break
    assert [t.id for t in seen] == [t.id for t in everything] and len(seen) >= 100
    assert counted.reads["list_targets"] == -(-len(seen) // 40)


def test_claim_all_pays_what_the_plan_said(loop, models, cache, counted):
    assert loop.run_until_complete(models.claim_plan()).targets == ()
    loop.run_until_complete(counted.advance_epoch())            # genesis targets expire unfilled
    plan = loop.run_until_complete(models.claim_plan())
    state = loop.run_until_complete(counted.get_system_state())
    assert len(plan.targets) >= 100 and all(claimable(t, state.epoch) for t in plan.targets)
    assert claim_state(plan.targets[0], state.epoch) == "Claimable now (0.5 % finder fee)"
    assert sum(t.reward_pool for t in plan.targets) > 2**32 and plan.claimer_total > 0 and plan.fees_total > 0
    cache.watch(coins_key(SANDBOX_DEMO_ADDRESS), OPEN_TARGETS)
    before = loop.run_until_complete(counted.get_balance(SANDBOX_DEMO_ADDRESS))
    counted.reset()
    outcome = loop.run_until_complete(models.claim_all(Signer()))
    assert outcome.failures == [] and sorted(outcome.claimed) == sorted(t.id for t in plan.targets)
    assert counted.transactions == {"claim_rewards": len(plan.targets)}
    assert counted.reads["list_coins"] == 1 and counted.reads["list_targets"] == 2   # the list, then one refresh
    after = loop.run_until_complete(counted.get_balance(SANDBOX_DEMO_ADDRESS))
    assert after - before == plan.claimer_total - outcome.fees
    left = loop.run_until_complete(counted.list_targets(status=TargetStatus.CLAIMABLE, limit=1000)).targets
    assert left == []
