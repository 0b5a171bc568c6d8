"""Where the sandbox knowingly differs from SOMA protocol v5 (protocol.md §9.3). The UI shows DEVIATIONS."""

from __future__ import annotations

DEVIATIONS: list[str] = [
    "D1 No consensus, checkpoints, signatures or object versions: transactions run one at a time and the "
    "signer is not verified. Digests are synthetic, so object ids and target seeds differ from a real "
    "network. The gas coin is always the richest coin (the SDK picks among the 8 richest). Merge puts every "
    "coin into one. A missing or foreign input object is rejected before execution, with no fee.",
    "D2 Target embeddings use soma-arrgen with make_target_seed, bit-exact with the chain for a given digest.",
    "D3 Every epoch boundary, manual or timed, counts as a full epoch and releases emission (a real localnet "
    "releases none on an admin-forced early epoch).",
    "D4 Four fixed synthetic validators (Aurora, Borealis, Cirrus, Dorado; 20,000 SOMA each, 200 bps). No "
    "joining or leaving validators, no validator commission changes, no reports, so the 95% report slash "
    "and forfeited submission bonds never happen here.",
    "D5 No safe mode and no protocol upgrades: the sandbox starts at protocol v5 with threshold 1.05 and a "
    "hits EMA of 0.",
    "D6 Scores are not verified (nor are they on chain): the claimed embedding, distance and loss are "
    "accepted as they are.",
    "D7 The embedding dimension is the sandbox's architecture (128 for the demo models by default, 2048 for "
    "full V1), the same for targets and models.",
    "D8 Demo models are Active from genesis. Their manifests point at resource://models/<file>, with the "
    "plaintext file's checksum and size (the chain's genesis does the same) and a decryption key of 32 zero "
    "bytes.",
    "D9 Chain bugs become errors: an embedding of the wrong length, or one holding NaN or infinity, is "
    "refused before sending (the chain would later panic). Stake sent to a timed-out Created model fails "
    "with ModelAlreadyInactive. Withdrawals that would underflow a pool are capped, and the transaction log "
    "flags it. Copied as they are: a never-committed model is slashed again every epoch (with a warning), "
    "and the value fee sticks at 7 bps on a quiet chain. KNN ties go to the lowest model id.",
    "Timed epochs: after the app was closed, missed boundaries are replayed one at a time on open, at most "
    "48 of them. After that, the current epoch starts now.",
]
