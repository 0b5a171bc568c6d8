"""Helpers shared by the publish tests (imported as a plain module; pytest puts this folder on sys.path)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

from soma_desktop.network.sandbox import SANDBOX_DEMO_ADDRESS, SandboxConfig, open_sandbox

EMBED_DIM = 16
ONE_SOMA = 1_000_000_000


class TestSigner:
    """The sandbox does not check signatures; this only carries the address."""

    __test__ = False

    def __init__(self, address: str = SANDBOX_DEMO_ADDRESS):
        self.address = address

    def secret_key(self) -> bytes:
        return b"\x07" * 32


def make_safetensors(path: Path, n: int = 64, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    save_file({"embed.weight": rng.standard_normal((n, 8)).astype(np.float32),
               "final_norm.weight": np.ones(8, dtype=np.float32)}, str(path))
    return path


def embedding(seed: int = 1, dim: int = EMBED_DIM) -> list[float]:
    rng = np.random.default_rng(seed)
    vec = rng.standard_normal(dim)
    return [float(v) for v in vec / np.linalg.norm(vec)]


def sandbox_config() -> SandboxConfig:
    return SandboxConfig(embedding_dim=EMBED_DIM, timed=False)


def open_test_sandbox(path: Path):
    return open_sandbox(path, sandbox_config())


async def drive(runner, net, job_id: int, weights: Path, *, max_steps: int = 40):
    """Play the whole wizard the way a user would, from whatever state the job is in, to the end."""
    from soma_desktop.publish.workflow import Action

    for _ in range(max_steps):
        decision = await runner.decide(job_id)
        action = decision.action
        if action in (Action.DONE, Action.FAILED):
            return decision
        if action is Action.ASK_WEIGHTS:
            await runner.set_weights(job_id, weights)
        elif action is Action.ASK_EMBEDDING:
            await runner.set_embedding(job_id, embedding())
        elif action is Action.ASK_HOSTING:
            await runner.host_local(job_id)
        elif action is Action.ASK_CREATE:
            await runner.create(job_id, ONE_SOMA, 100)
        elif action is Action.WAIT_EPOCH:
            await net.advance_epoch()
        elif action in (Action.COMMIT, Action.REVEAL, Action.ENCRYPT, Action.VERIFY, Action.RECONCILE):
            await runner.advance(job_id, confirm=True)
    raise AssertionError(f"the wizard did not finish: {decision}")
