"""Where the sandbox knowingly differs from SOMA protocol v5 (protocol.md §9.3), and what a user sees
differently on a real network. The UI shows DEVIATIONS (Sandbox menu). Everything else — fees, check order,
error names, staking, targets, claims, deadlines — follows the chain (protocol.md Errata included)."""

from __future__ import annotations

DEVIATIONS: list[str] = [
    "D1 No consensus, checkpoints, signatures or object versions: transactions run one at a time and the "
    "signer is not verified. Digests are synthetic, so object ids and target seeds differ from a real "
    "network. The gas coin is always the richest coin, and a missing or foreign input object is rejected "
    "before execution with no fee. On a real network: ids and digests differ; the SDK picks the gas coin at "
    "random among your 8 richest coins, and when it is not the coin being sent a transfer writes one more "
    "object, so its fee is 300 shannons above the preview (a merge first avoids it).",
    "D2 Target embeddings use soma-arrgen with make_target_seed, bit-exact with the chain for a given digest. "
    "On a real network: the same rule, but from real digests, so the targets themselves differ.",
    "D3 Every epoch boundary, manual or timed, counts as a full epoch and releases emission. On a real "
    "network: epochs last 24 hours; a localnet epoch forced early by an admin releases no emission, so "
    "validator rewards there come from fees only.",
    "D4 Four fixed synthetic validators (Aurora, Borealis, Cirrus, Dorado; 20,000 SOMA each, 200 bps). No "
    "joining or leaving validators, no validator commission changes, no reports, so the 95% report slash "
    "and forfeited submission bonds never happen here. On a real network: the validator set, its commissions "
    "and voting power change; a model reported by a quorum loses 95% of its stake, and a submission reported "
    "by a quorum forfeits its bond to the validators (the submitter gets nothing back at claim).",
    "D5 No safe mode and no protocol upgrades: the sandbox starts at protocol v5 with threshold 1.05 and a "
    "hits EMA of 0. On a real network: an upgrade can change parameters at a boundary, and after a failed "
    "boundary (safe mode) rewards and targets pause until the next successful one.",
    "D6 Scores are not verified (nor are they on chain): the claimed embedding, distance and loss are "
    "accepted as they are. On a real network: the same on chain, but validators may audit a submission in "
    "the epoch after it and report a wrong claim, which forfeits the bond (D4).",
    "D7 The embedding dimension is the sandbox's architecture (128 for the demo models by default, 2048 for "
    "full V1), the same for targets and models. On a real network: 2048 (16 on a small-model localnet); a "
    "model of another size cannot be compared with its targets.",
    "D8 Demo models are Active from genesis. Their manifests point at resource://models/<file>, with the "
    "plaintext file's checksum and size (the chain's genesis does the same) and a decryption key of 32 zero "
    "bytes. On a real network: models are encrypted files at https URLs that validators download, and "
    "genesis models (if any) are the network's own.",
    "D9 Chain bugs become errors: an embedding of the wrong length, or one holding NaN or infinity, is "
    "refused before sending (the chain would later panic). Stake sent to a timed-out Created model fails "
    "with ModelAlreadyInactive. Withdrawals that would underflow a pool are capped, and the transaction log "
    "flags it; withdrawals from a Created or Pending model's pool leave its stake at once instead of at the "
    "next boundary. Copied as they are: a never-committed model is slashed again every epoch (with a "
    "warning), and the value fee sticks at 7 bps on a quiet chain. KNN ties go to the lowest model id. On a "
    "real network: these transactions can be accepted and later halt target generation, panic the "
    "validator, or pay out more than the pool holds; a model's shown stake drops only at the boundary; "
    "exact KNN ties may pick another model.",
    "Timed epochs: after the app was closed, missed boundaries are replayed one at a time on open, at most "
    "48 of them. After that, the current epoch starts now. On a real network: the chain keeps running while "
    "the app is closed; a reveal window that passed meanwhile is lost.",
]
