"""Submit… from Evaluate, end to end on the real sandbox: evaluate a file with a model assigned to an open target
whose threshold the data meets, click Submit…, sign, and find the target filled and exactly bond + fee taken."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from soma_desktop.network.sandbox.genesis import SANDBOX_DEMO_ADDRESS, SANDBOX_DEMO_MNEMONIC
from soma_desktop.network.types import TargetStatus
from soma_desktop.protocol.fees import ChainTx, FeeParams, estimate_fee, submit_writes
from soma_desktop.protocol.params import SUBMISSION_BOND_PER_BYTE
from soma_desktop.protocol.targets import can_fund
from soma_desktop.services.evaluate.results import ModelRef
from soma_desktop.ui.evaluate.submit_dialog import SubmitDialog
from soma_desktop.ui.wallet_session import WalletSession
from soma_desktop.wallet.vault import Argon2Params, VaultPolicy
from tests.ui.conftest import run

FAST = Argon2Params(m_kib=64, t=1, p=1)


def _unlock_demo_wallet(qtbot, ctx, panel=None) -> WalletSession:
    """A fast-KDF session for the demo account; it replaces the panel's (the panel takes its wallet when built)."""
    wallet = WalletSession(ctx.wallet_env(), policy=VaultPolicy(default_kdf=FAST, floor=FAST))
    ctx.wallet = wallet
    if panel is not None:
        panel.wallet = wallet
    with qtbot.waitSignal(wallet.sig_unlocked, timeout=20_000):
        wallet.create("correct horse battery", mnemonic=SANDBOX_DEMO_MNEMONIC, on_done=lambda _v: None,
                      on_error=lambda exc: None)
    assert wallet.current_account().address == SANDBOX_DEMO_ADDRESS
    return wallet


def _rig_target(ctx, threshold: float) -> tuple[str, str]:
    """Test set-up through the sandbox store: an open target assigned to an active model, with `threshold`."""
    chain = ctx.network.chain

    async def rig() -> tuple[str, str]:
        model_id = next(m.id for m in chain.list_models() if m.state.value == "active")
        target = next(t for t in chain.list_targets(status=TargetStatus.OPEN, limit=100).targets)
        with chain.conn:
            record = chain.store.target(target.id)
            record.distance_threshold = threshold
            record.model_ids = [model_id, *[m for m in record.model_ids if m != model_id]]
            chain.store.put_target(record)
        return target.id, model_id

    return run(ctx, rig())


def _evaluate(qtbot, panel, path: Path, weights: Path, model_id: str) -> None:
    ref = ModelRef("tiny assigned model", str(weights), "local", model_id=model_id)
    with qtbot.waitSignal(panel.controller.sig_run_ended, timeout=60_000):
        panel.controller.start([(path, path.read_bytes(), False, False)], [ref], threads=1)
    qtbot.waitUntil(panel.controller.thread_finished, timeout=10_000)
    panel.tabs.setCurrentWidget(panel.embedding_tab)


def _select(qtbot, panel, target_id: str) -> None:
    tab = panel.embedding_tab
    qtbot.waitUntil(lambda: any(t.id == target_id for t in tab.targets), timeout=20_000)
    tab.table.select_target(target_id)


def test_submit_from_evaluate_fills_the_target_and_takes_bond_plus_fee(qtbot, ctx, panel, tiny_models, text_file):
    _unlock_demo_wallet(qtbot, ctx, panel)
    target_id, model_id = _rig_target(ctx, threshold=2.0)      # any cosine distance meets 2.0
    _evaluate(qtbot, panel, text_file, tiny_models[0], model_id)
    _select(qtbot, panel, target_id)
    tab = panel.embedding_tab
    qtbot.waitUntil(tab.submit_button.isEnabled, timeout=10_000)

    qtbot.mouseClick(tab.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(getattr(panel, "submit_dialog", None), SubmitDialog)
                    and panel.submit_dialog.isVisible(), timeout=20_000)
    dialog = panel.submit_dialog
    size = text_file.stat().st_size
    bond = size * SUBMISSION_BOND_PER_BYTE
    assert f"{bond:,} shannons" in dialog.summary.text() and target_id in dialog.summary.text()
    assert not dialog.submit_button.isDefault() and dialog.cancel_button.isDefault()

    state = run(ctx, ctx.network.get_system_state())
    spawns = can_fund(state.emission_balance, state.targets_generated_this_epoch, state.reward_per_target)
    fee = estimate_fee(ChainTx.SUBMIT_DATA, FeeParams.from_state(state), writes=submit_writes(spawns)).total
    before = run(ctx, ctx.network.get_balance(SANDBOX_DEMO_ADDRESS))
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.cancel_button.isEnabled(), timeout=30_000)   # disabled while in flight
    assert "Submitted." in dialog.status.text(), dialog.status.text()
    assert dialog.submitted is not None and dialog.submitted.digest in dialog.status.text()

    after = run(ctx, ctx.network.get_balance(SANDBOX_DEMO_ADDRESS))
    assert before - after == bond + fee
    target = run(ctx, ctx.network.get_target(target_id))
    assert target.status is TargetStatus.FILLED and target.submitter == SANDBOX_DEMO_ADDRESS
    assert target.data_manifest is not None and target.data_manifest.size == size
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)


def test_submit_is_not_offered_when_the_data_is_too_far(qtbot, ctx, panel, tiny_models, text_file):
    target_id, model_id = _rig_target(ctx, threshold=0.0)      # nothing but the target itself meets 0
    _evaluate(qtbot, panel, text_file, tiny_models[0], model_id)
    _select(qtbot, panel, target_id)
    tab = panel.embedding_tab
    qtbot.waitUntil(lambda: tab.table.selected_id() == target_id, timeout=10_000)
    assert not tab.submit_button.isEnabled() and "open target" in tab.submit_button.toolTip()


def test_a_file_changed_after_evaluation_is_not_submitted_and_says_why(qtbot, ctx, panel, tiny_models, text_file):
    _unlock_demo_wallet(qtbot, ctx, panel)
    target_id, model_id = _rig_target(ctx, threshold=2.0)
    _evaluate(qtbot, panel, text_file, tiny_models[0], model_id)
    _select(qtbot, panel, target_id)
    qtbot.waitUntil(panel.embedding_tab.submit_button.isEnabled, timeout=10_000)
    qtbot.mouseClick(panel.embedding_tab.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(panel, "submit_dialog", None) is not None
                    and panel.submit_dialog.isVisible(), timeout=20_000)
    dialog = panel.submit_dialog
    text_file.write_bytes(text_file.read_bytes() + b"edited\n")
    before = run(ctx, ctx.network.get_balance(SANDBOX_DEMO_ADDRESS))
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Not submitted" in dialog.status.text(), timeout=30_000)
    assert "changed since it was evaluated" in dialog.status.text() and dialog.submit_button.isEnabled()
    assert run(ctx, ctx.network.get_balance(SANDBOX_DEMO_ADDRESS)) == before
    assert run(ctx, ctx.network.get_target(target_id)).status is TargetStatus.OPEN


def test_on_a_real_network_the_user_gives_the_url_and_an_unusable_one_is_refused_before_signing(
        qtbot, ctx, tmp_path):
    from soma_desktop.services.submit import plan_submission

    wallet = _unlock_demo_wallet(qtbot, ctx)
    target_id, model_id = _rig_target(ctx, threshold=2.0)
    target = run(ctx, ctx.network.get_target(target_id))
    data = tmp_path / "data.txt"
    data.write_bytes(b"submitted bytes\n" * 64)
    plan = plan_submission(target, model_id, data, data.read_bytes(), [0.5] * len(target.embedding), 2.0, ctx.state)
    dialog = SubmitDialog(plan=plan, builtin_hosting=False, evaluate=ctx.services.evaluate,   # the user hosts it
                          wallet=wallet, chain=ctx, bridge=ctx.bridge, settings=ctx.settings)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.url_edit.isVisible() and "the URL below" in dialog.summary.text()
    before = run(ctx, ctx.network.get_balance(SANDBOX_DEMO_ADDRESS))
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert "Enter the public URL" in dialog.status.text()
    dialog.url_edit.setText("http://127.0.0.1:9/data.txt")   # loopback: only sandbox/localnet may use it
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Not submitted" in dialog.status.text(), timeout=20_000)
    assert "could not be read back" in dialog.status.text() and "local addresses" in dialog.status.text()
    assert run(ctx, ctx.network.get_balance(SANDBOX_DEMO_ADDRESS)) == before
    assert run(ctx, ctx.network.get_target(target_id)).status is TargetStatus.OPEN
