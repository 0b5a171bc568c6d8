"""Plain-words text for network errors, shown by every panel (Qt-free so it is testable alone)."""

from __future__ import annotations

from soma_desktop.network.errors import (
    InvalidInput,
    NetworkError,
    NetworkUnavailable,
    StatusUnknown,
    TransactionFailed,
    Unsupported,
)

CHAIN_ERRORS: dict[str, str] = {
    "InsufficientCoinBalance": "Not enough SOMA in one coin to cover the amount plus fees.",
    "InsufficientGas": "Not enough SOMA to pay the transaction fee.",
    "ModelMinStakeNotMet": "A model needs at least the minimum stake (1 SOMA).",
    "ModelCommissionRateTooHigh": "Commission cannot exceed 100% (10,000 bps).",
    "ModelArchitectureVersionMismatch": "The network expects a different model architecture version.",
    "ModelNotFound": "No model with that id exists on this network.",
    "NotModelOwner": "Only the model's owner can do that.",
    "ModelInvalidState": "The model is not in a state that allows this.",
    "ModelNotActive": "The model is not active.",
    "ModelNoPendingUpdate": "There is no committed update to reveal.",
    "ModelAlreadyInactive": "The model is inactive; it no longer accepts stake.",
    "ModelRevealEpochMismatch": "A reveal is only accepted in the epoch right after the commit.",
    "ModelDecryptionKeyCommitmentMismatch": "The key does not match the one committed.",
    "ModelEmbeddingCommitmentMismatch": "The embedding does not match the one committed.",
    "ModelEmbeddingDimensionMismatch": "The embedding has the wrong number of dimensions for this network.",
    "ValidatorNotFound": "No active validator with that address.",
    "StakingPoolNotFound": "That stake's pool no longer exists.",
    "InvalidArguments": "The transaction's arguments are invalid.",
    "ObjectNotFound": "A coin or object used by the transaction no longer exists.",
    "InvalidOwnership": "That object belongs to another account.",
    "InvalidObjectType": "That object is not a coin.",
    "TargetNotOpen": "The target is no longer open.",
    "TargetExpired": "The target expired at the end of its epoch.",
    "ModelNotInTarget": "That model is not assigned to the target.",
    "EmbeddingDimensionMismatch": "The embedding has the wrong number of dimensions.",
    "DistanceExceedsThreshold": "The data's embedding is too far from the target.",
    "DataExceedsMaxSize": "Submitted data is larger than 1 MiB.",
    "InsufficientBond": "Not enough SOMA for the submission bond.",
    "AuditWindowOpen": "Rewards can be claimed two epochs after the fill (audit window still open).",
    "AuditWindowClosed": "The audit window for this target has closed.",
    "TargetNotFilled": "The target is still open in its epoch; it can be claimed after it expires.",
    "NoActiveModels": "There are no active models yet.",
    # The rest of ExecutionFailureStatus (types/src/effects/mod.rs L694-900 in soma-org/soma).
    "InvalidTransactionType": "This kind of transaction is not allowed here.",
    "DuplicateValidator": "That validator is already registered.",
    "DuplicateValidatorMetadata": "Another validator already uses that address or key.",
    "MissingProofOfPossession": "The validator's proof of key possession is missing.",
    "InvalidProofOfPossession": "The validator's proof of key possession is invalid.",
    "NotAValidator": "Only a validator can do that.",
    "ValidatorAlreadyRemoved": "That validator has already left the committee.",
    "AdvancedToWrongEpoch": "The epoch change did not match the chain's epoch.",
    "ModelNotPending": "The model is not waiting for a reveal (it was never committed, or already revealed).",
    "ModelNotCreated": "The model is not in its Created state; it was already committed or is inactive.",
    "TargetNotFound": "No target with that id exists on this network.",
    "TargetAlreadyClaimed": "This target's rewards were already claimed.",
    "InsufficientEmissionBalance": "The network's emission pool cannot pay this reward now.",
    "CoinBalanceOverflow": "The coin balance would overflow.",
    "ArithmeticOverflow": "An amount in the transaction is too large.",
    "CannotReportOneself": "A validator cannot report itself.",
    "ReportRecordNotFound": "There is no report to undo.",
    "InputObjectDeleted": "A coin or object used by the transaction was deleted meanwhile.",
    "CertificateDenied": "The validators refused to execute the transaction.",
    "ExecutionCancelledDueToSharedObjectCongestion": "The network was congested and cancelled the transaction "
                                                     "without changing anything but the fee; try again.",
    "SomaError": "The network reported an internal error while executing the transaction.",
    "ObjectLockConflict": "A coin is in use by another pending transaction; try again shortly.",
    "TransactionRejected": "The network refused the transaction before executing it; nothing changed.",
}

# Failures after which sending the same transaction again can succeed without any change by the user.
RETRYABLE_CHAIN_ERRORS = frozenset({"ExecutionCancelledDueToSharedObjectCongestion", "ObjectLockConflict"})


def describe_error(exc: BaseException) -> str:
    """One or two sentences a user can act on; never a traceback, never a secret."""
    if isinstance(exc, TransactionFailed):
        friendly = CHAIN_ERRORS.get(exc.error_name)
        detail = str(exc) if str(exc) != exc.error_name else ""
        base = friendly or f"The network rejected the transaction ({exc.error_name})."
        return f"{base} [{exc.error_name}]" + (f" {detail}" if detail and not friendly else "")
    if isinstance(exc, StatusUnknown):
        return ("Sent, but not confirmed yet. Do not resend: the app will re-check the chain. " + str(exc)).strip()
    if isinstance(exc, NetworkUnavailable):
        return f"The network is unreachable: {exc}" if str(exc) else "The network is unreachable."
    if isinstance(exc, (InvalidInput, Unsupported)):
        return str(exc)
    if isinstance(exc, NetworkError):
        return str(exc) or type(exc).__name__
    if isinstance(exc, TimeoutError):
        return "No answer in time."
    return f"Unexpected error ({type(exc).__name__}). Details are in the log."
