from __future__ import annotations

import csv
import os
import stat

import pytest

from soma_desktop.wallet.history import TxHistory, TxKind, TxStatus

ALICE = "0x" + "a1" * 32
BOB = "b0b"  # short form, normalised on the way in


class Clock:
    def __init__(self):
        self.now = 1_700_000_000.0

    def __call__(self):
        self.now += 1
        return self.now


@pytest.fixture
def history(data_dir):
    h = TxHistory.in_data_dir(data_dir)
    h._clock = Clock()
    yield h
    h.close()


def test_add_update_get_and_persist(history, data_dir):
    rec = history.add("Sandbox", ALICE, TxKind.TRANSFER, 1_500_000_000, counterparty=BOB, fee=2_000)
    assert rec.status is TxStatus.PENDING and rec.counterparty == "0x" + "0" * 61 + "b0b"
    done = history.update(rec.id, status="confirmed", digest="8kq3Digest")
    assert done.status is TxStatus.CONFIRMED and done.digest == "8kq3Digest" and done.updated_ms > rec.updated_ms
    failed = history.add("Sandbox", ALICE, "stake", 10)
    history.update(failed.id, status=TxStatus.FAILED, reason="InsufficientGas")
    history.close()
    reopened = TxHistory.in_data_dir(data_dir)
    assert reopened.get(failed.id).reason == "InsufficientGas"
    assert reopened.find_by_digest("8kq3Digest").id == rec.id
    assert reopened._db().execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert reopened._db().execute("PRAGMA synchronous").fetchone()[0] == 2
    reopened.close()


def test_filters_and_ordering(history):
    a = history.add("Sandbox", ALICE, "faucet", 2)
    b = history.add("Testnet", ALICE, "transfer", 3)
    c = history.add("Testnet", BOB, "stake", 4)
    assert [r.id for r in history.records()] == [c.id, b.id, a.id]
    assert [r.id for r in history.records(network="Testnet")] == [c.id, b.id]
    assert [r.id for r in history.records(account=ALICE, kind="transfer")] == [b.id]
    assert [r.id for r in history.pending("Sandbox")] == [a.id]
    assert [r.id for r in history.records(limit=1, offset=1)] == [b.id]


def test_amounts_are_validated(history):
    for bad in (-1, 1.5, True, 2**63, "5"):
        with pytest.raises((ValueError, TypeError)):
            history.add("Sandbox", ALICE, "transfer", bad)
    with pytest.raises(ValueError):
        history.add("Sandbox", ALICE, "not-a-kind", 1)
    with pytest.raises(ValueError):
        history.add("Sandbox", "not an address", "transfer", 1)
    with pytest.raises(KeyError):
        history.update(999, status="confirmed")


def test_csv_export_is_exact_and_defused(history, tmp_path):
    history.add("Sandbox", ALICE, "transfer", 1_000_000_001, fee=5)
    r = history.add("Sandbox", ALICE, "stake", 7)
    history.update(r.id, status="failed", reason="=HYPERLINK(\"http://evil\")")
    out = tmp_path / "history.csv"
    assert history.export_csv(out, network="Sandbox") == 2
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    rows = list(csv.DictReader(out.open()))
    assert rows[1]["amount_shannons"] == "1000000001" and rows[1]["amount_soma"] == "1.000000001"
    assert rows[1]["fee_shannons"] == "5" and rows[0]["fee_shannons"] == ""
    assert rows[0]["reason"].startswith("'=") and rows[0]["status"] == "failed"
    assert rows[0]["created_utc"].endswith("Z")
