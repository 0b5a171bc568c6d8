"""History rows and the CSV export keep amounts up to the total supply exact (issue 11)."""

from __future__ import annotations

import csv

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from soma_desktop.core.amounts import parse_soma
from soma_desktop.wallet.history import TxHistory

ALICE = "0x" + "a1" * 32
BOB = "0x" + "b2" * 32
TOTAL_SUPPLY = 10**16
AMOUNTS = st.one_of(st.sampled_from([TOTAL_SUPPLY, TOTAL_SUPPLY - 1, 2**33, 2**31, 5_123_456_789]),
                    st.integers(min_value=2**31, max_value=TOTAL_SUPPLY))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amount=AMOUNTS, fee=AMOUNTS)
def test_supply_sized_amounts_survive_history_and_csv(tmp_path_factory, amount, fee):
    folder = tmp_path_factory.mktemp("history")
    history = TxHistory.in_data_dir(folder)
    record = history.add("Sandbox", ALICE, "transfer", amount, fee=fee, counterparty=BOB)
    history.close()
    reopened = TxHistory.in_data_dir(folder)
    assert (reopened.get(record.id).amount, reopened.get(record.id).fee) == (amount, fee)
    path = folder / "history.csv"
    assert reopened.export_csv(path) == 1
    reopened.close()
    with path.open(newline="", encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    assert int(row["amount_shannons"]) == amount and int(row["fee_shannons"]) == fee
    assert parse_soma(row["amount_soma"]) == amount       # the SOMA column is exact too, no float rounding
