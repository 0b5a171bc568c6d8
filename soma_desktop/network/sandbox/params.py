"""The sandbox's genesis constants. Protocol v5 parameters live in `soma_desktop.protocol.params`
(re-exported here for the sandbox modules)."""

from __future__ import annotations

from soma_desktop.protocol.params import *  # noqa: F401,F403 — one definition, re-exported
from soma_desktop.protocol.params import SOMA

# --- sandbox genesis (D4, D8) ---
GENESIS_VALIDATOR_STAKE = 20_000 * SOMA
GENESIS_VALIDATOR_COMMISSION_BPS = 200
GENESIS_VALIDATOR_NAMES = ("Aurora", "Borealis", "Cirrus", "Dorado")
FAUCET_RESERVE = 1_000_000 * SOMA
DEMO_ACCOUNT_COINS = (40_000 * SOMA, 30_000 * SOMA, 20_000 * SOMA, 10_000 * SOMA)
GENESIS_MODEL_STAKE = 1 * SOMA
DEFAULT_EPOCH_DURATION_MS = 10 * 60 * 1000
MAX_CATCH_UP_EPOCHS = 48          # boundaries replayed on open after the app was closed
TARGET_PAGE_DEFAULT = 100
TARGET_PAGE_MAX = 1_000
