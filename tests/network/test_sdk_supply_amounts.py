"""Amounts up to the total supply (10^16 shannons) across soma-sdk's float boundary (issue 11): an amount the
SDK can carry arrives exact to the shannon; one it cannot is refused with a message before anything is sent."""

from __future__ import annotations

import pytest
from soma_sdk import SomaClient

from soma_desktop.network.errors import InvalidInput
from soma_desktop.network.sdk.amounts import sdk_amount
from tests.network.conftest import demo_signer, fresh_signer, open_backend, run

TOTAL_SUPPLY = 10**16                    # 10M SOMA in shannons
NOT_CARRIED = TOTAL_SUPPLY - 1           # no f64 f satisfies (f * 1e9) as u64 == 9,999,999,999,999,999


@pytest.mark.parametrize("shannons", [TOTAL_SUPPLY, 2**33, 12_345 * 10**9, 5_123_456_789, 5_123_456_789_012_345])
def test_supply_sized_amounts_reach_the_sdk_exactly(shannons):
    assert SomaClient.to_shannons(sdk_amount(shannons)) == shannons


def test_an_amount_the_sdk_cannot_carry_is_refused_with_a_message():
    with pytest.raises(InvalidInput) as caught:
        sdk_amount(NOT_CARRIED, field="stake_amount")
    assert str(caught.value).startswith("9999999999999999 shannons cannot be passed exactly through soma-sdk")
    assert "use a rounder amount" in str(caught.value) and caught.value.field == "stake_amount"


def test_the_sdk_network_refuses_before_sending(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as backend:
            with pytest.raises(InvalidInput, match="cannot be passed exactly"):
                await backend.network.transfer_coin(demo_signer(), fresh_signer().address, NOT_CARRIED)
            assert "transfer_coin" not in backend.chain.calls
    run(scenario())
