"""Protocol v5 parameters (protocol.md §7, `protocol-config/src/lib.rs:330-432`) and hard-coded constants.

Amounts are integer shannons. These are the values the chain starts from; `value_fee_bps` evolves each epoch
(fees.adjust_value_fee) and a live network's SystemState is the authority for the current figure.
"""

from __future__ import annotations

from soma_desktop.core.amounts import SHANNONS_PER_SOMA, U64_MAX  # noqa: F401 — U64_MAX re-exported

SOMA = SHANNONS_PER_SOMA
TOTAL_SUPPLY = 10_000_000 * SOMA
PROTOCOL_VERSION = 5
BPS = 10_000

# --- fees (§6.3, §6.4) ---
BASE_FEE = 1_000
WRITE_OBJECT_FEE = 300
INITIAL_VALUE_FEE_BPS = 10
MIN_VALUE_FEE_BPS = 1
MAX_VALUE_FEE_BPS = 50
FEE_ADJUSTMENT_RATE_BPS = 1_250
TARGET_EPOCH_FEE_COLLECTION = 1 * SOMA

# --- economics (§6.1, §6.2) ---
EMISSION_PER_EPOCH = 1_370 * SOMA
VALIDATOR_REWARD_ALLOCATION_BPS = 7_000

# --- models (§3) ---
MODEL_MIN_STAKE = 1 * SOMA
MODEL_ARCHITECTURE_VERSION = 1
MODEL_REVEAL_SLASH_RATE_BPS = 5_000
MODEL_TALLY_SLASH_RATE_BPS = 9_500
MAX_COMMISSION_BPS = 10_000

# --- targets (§5) ---
TARGET_MODELS_PER_TARGET = 3
TARGET_INITIAL_DISTANCE_THRESHOLD = 1.05
TARGET_REWARD_ALLOCATION_BPS = 8_000
TARGET_HITS_PER_EPOCH = 86_400
TARGET_HITS_EMA_DECAY_BPS = 9_000
TARGET_DIFFICULTY_ADJUSTMENT_RATE_BPS = 10_000
TARGET_MAX_DISTANCE_THRESHOLD = 2.0
TARGET_MIN_DISTANCE_THRESHOLD = 0.95
TARGET_INITIAL_TARGETS_PER_EPOCH = 100
TARGET_SUBMITTER_SHARE_BPS = 4_975
TARGET_MODEL_SHARE_BPS = 4_975
TARGET_CLAIMER_INCENTIVE_BPS = 50
SUBMISSION_BOND_PER_BYTE = 65
MAX_SUBMISSION_DATA_SIZE = 1_048_576
EMBEDDING_DISTANCE_STD = 0.022
MIN_Z_STEP = 2.0
KNN_EPSILON = 1e-10

# --- validators (§4.2, types/src/committee.rs) ---
TOTAL_VOTING_POWER = 10_000
QUORUM_THRESHOLD = 6_667
MAX_VOTING_POWER = 1_000

# --- faucet (faucet/src/faucet_config.rs:15) ---
FAUCET_AMOUNT = 2 * SOMA

# No __all__: a computed one hides every name from type checkers; `import *` takes the public names.
