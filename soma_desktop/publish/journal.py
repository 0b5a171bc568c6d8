"""Durable commit->reveal journal (security.md §4-§5): one SQLite row per publish job.

Every state change is one `BEGIN IMMEDIATE` transaction with a compare-and-set on the previous state, written
(WAL + synchronous=FULL) BEFORE the side effect it announces. The per-commit key and the exact f32 embedding
bytes are AES-256-GCM encrypted under a key derived from the caller's 32-byte wrapping key, with the row id and
column name as associated data; they are never on disk in plaintext. Public values (commitments, checksum,
size, URL) stay readable so start-up reconciliation works before the wallet is unlocked.
"""

from __future__ import annotations

import enum
import json
import os
import secrets
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from soma_desktop.core import crypto
from soma_desktop.core.storage import atomic_write_text, open_db, transaction
from soma_desktop.network.types import Manifest

SCHEMA_VERSION = 1
_HKDF_INFO = b"soma-desktop/publish-journal/v1"


class JobKind(str, enum.Enum):
    PUBLISH = "publish"   # create -> commit -> reveal
    UPDATE = "update"     # new weights for an Active model: commit -> reveal


class JobState(str, enum.Enum):
    NEW = "new"                              # needs a weights file
    WEIGHTS_OK = "weights_ok"                # needs an embedding
    EMBEDDING_OK = "embedding_ok"            # needs encryption
    PREPARED = "prepared"                    # key + ciphertext ready; needs hosting
    HOSTED = "hosted"                        # URL known; needs verification
    UPLOAD_VERIFIED = "upload_verified"      # URL serves exactly our bytes
    CREATE_SENT = "create_sent"              # CreateModel sent, outcome not yet recorded
    CREATED = "created"                      # model id + create_epoch from chain
    COMMIT_SENT = "commit_sent"              # CommitModel sent (design B: digest unknown)
    COMMITTED = "committed"                  # commit_epoch read from chain
    REVEAL_SENT = "reveal_sent"
    REVEALED = "revealed"                    # terminal: model Active with our key
    CANCELLED = "cancelled"                  # terminal: abandoned before anything reached the chain
    COMMIT_NOT_EXECUTED = "commit_not_executed"    # terminal: the chain refused the commit for good
    COMMIT_WINDOW_MISSED = "commit_window_missed"  # terminal: Created model not committed by create_epoch+1
    MISSED_REVEAL = "missed_reveal"          # terminal: no reveal in commit_epoch+1, 50 % slashed
    UPDATE_DROPPED = "update_dropped"        # terminal: update not revealed in time (no slash)


TERMINAL = frozenset({JobState.REVEALED, JobState.CANCELLED, JobState.COMMIT_NOT_EXECUTED,
                      JobState.COMMIT_WINDOW_MISSED, JobState.MISSED_REVEAL, JobState.UPDATE_DROPPED})


class JournalError(Exception):
    """The journal cannot do what was asked (unknown job, concurrent change, wrong state)."""


class JournalIntegrityError(JournalError):
    """Secrets read back from disk do not match the recorded commitments: committing is forbidden."""


class JournalLost(JournalError):
    """The journal this data dir had is missing or empty: pending jobs and their keys are gone from it."""


class WrongWrappingKey(JournalError):
    """The stored secrets cannot be decrypted with the supplied wrapping key."""


@dataclass(frozen=True)
class Job:
    id: int
    op_id: str
    kind: JobKind
    network: str
    address: str
    state: JobState
    model_id: str | None = None
    weights_path: str | None = None
    weights_size: int | None = None
    plain_sha256: bytes | None = None
    encrypted_path: str | None = None
    checksum: bytes | None = None            # Blake2b-256 of the ciphertext = weights commitment
    size: int | None = None                  # ciphertext length
    url: str | None = None
    hosting: str | None = None               # "local", "presigned" or "url"
    key_commitment: bytes | None = None
    embedding_commitment: bytes | None = None
    embedding_dim: int | None = None
    stake: int | None = None                 # shannons
    commission: int | None = None            # bps
    create_epoch: int | None = None
    commit_epoch: int | None = None
    build_epoch: int | None = None
    key_attempt: int | None = None           # derivation attempt (publish.keys); None for a random key
    sent_epoch: int | None = None            # chain epoch when the last tx of this job was sent
    send_attempts: int = 0
    last_error: str | None = None
    slash: int | None = None                 # estimated shannons slashed (failure states)
    verify_report: str | None = None         # JSON summary of the last URL verification
    created_ms: int = 0
    updated_ms: int = 0

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL

    @property
    def manifest(self) -> Manifest | None:
        if self.url is None or self.checksum is None or self.size is None:
            return None
        return Manifest(url=self.url, checksum=self.checksum, size=self.size)


@dataclass(frozen=True)
class CommitMaterial:
    """Everything a commit/reveal sends, read back from disk and checked against the commitments."""

    key: bytes = b""
    embedding_f32: bytes = b""
    shape: tuple[int, ...] = ()

    def __repr__(self) -> str:  # never print the key
        return f"CommitMaterial(dim={self.shape}, key=<hidden>)"


_PUBLIC_COLUMNS = [f.name for f in fields(Job)]
_MUTABLE = set(_PUBLIC_COLUMNS) - {"id", "op_id", "kind", "network", "address", "state", "created_ms"}
_CLEARABLE = {"key_ct", "embedding_ct", "embedding_shape"}  # transition() may only set these to NULL

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS publish_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    network TEXT NOT NULL,
    address TEXT NOT NULL,
    state TEXT NOT NULL,
    model_id TEXT, weights_path TEXT, weights_size INTEGER, plain_sha256 BLOB,
    encrypted_path TEXT, checksum BLOB, size INTEGER, url TEXT, hosting TEXT,
    key_commitment BLOB UNIQUE, embedding_commitment BLOB, embedding_dim INTEGER,
    stake INTEGER, commission INTEGER, create_epoch INTEGER, commit_epoch INTEGER, build_epoch INTEGER,
    key_attempt INTEGER, sent_epoch INTEGER, send_attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, slash INTEGER,
    verify_report TEXT,
    key_ct BLOB, embedding_ct BLOB, embedding_shape TEXT,
    created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS job_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id INTEGER NOT NULL REFERENCES publish_jobs(id),
    at_ms INTEGER NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    note TEXT
);
CREATE TABLE IF NOT EXISTS used_keys (key_commitment BLOB PRIMARY KEY);
"""


RECOVERY_HINT = ("A committed model's weights key can be rebuilt from this wallet's recovery phrase and the exact "
                 "original weights file (publish/keys.py derives it from the seed, the owner address, the build "
                 "epoch and the file's SHA-256); keep both until the model is revealed.")


def marker_for(data_dir: Path) -> Path:
    """Where the app records that the data dir has a publish journal: beside the vault, not in publish/."""
    return Path(data_dir) / "publish-journal.marker"


def check_not_lost(path: Path, marker: Path) -> None:
    """Raise JournalLost when `marker` says a journal existed at `path` but it is now missing or empty."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        size = None
    if size or not marker.exists():
        return
    state = "missing" if size is None else "empty (0 bytes)"
    raise JournalLost(f"The publish journal {path} is {state}, but this data folder had one: pending publish "
                      f"jobs and their keys are not in it. Nothing was overwritten. If you have a backup, put "
                      f"journal.db back and reopen. {RECOVERY_HINT} To start a new, empty journal, move "
                      f"{marker} away.")


def _now_ms() -> int:
    return int(time.time() * 1000)


class Journal:
    """The publish journal of one profile. One writer per profile (the app holds a single-instance lock)."""

    def __init__(self, path: Path | str, wrapping_key: bytes, *, marker: Path | None = None):
        """`marker`: a file outside the journal's folder (beside the vault) recording that this journal
        exists, so a missing or emptied journal is reported as a loss instead of silently starting empty."""
        if len(wrapping_key) != 32:
            raise ValueError("the journal wrapping key must be 32 bytes")
        self.path = Path(path)
        self._aead = AESGCM(HKDF(hashes.SHA256(), 32, salt=None, info=_HKDF_INFO).derive(wrapping_key))
        if marker is not None:
            check_not_lost(self.path, marker)
        self._db = open_db(self.path)
        try:
            if self._db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise JournalError(f"publish journal {self.path.name} failed its integrity check")
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise JournalError(f"publish journal {self.path} is damaged ({exc}); it was left as it is. "
                               + RECOVERY_HINT) from None
        self._db.executescript(_SCHEMA)  # idempotent DDL; executescript commits on its own
        with transaction(self._db):
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        if marker is not None and not marker.exists():
            atomic_write_text(marker, json.dumps({"journal": str(self.path), "created_ms": _now_ms()}) + "\n")

    def close(self) -> None:
        self._db.close()

    # --- reading ----------------------------------------------------------------------------
    def get(self, job_id: int) -> Job:
        row = self._db.execute(f"SELECT {', '.join(_PUBLIC_COLUMNS)} FROM publish_jobs WHERE id = ?",
                               (job_id,)).fetchone()
        if row is None:
            raise JournalError(f"no publish job {job_id}")
        return _to_job(row)

    def jobs(self, *, network: str | None = None, address: str | None = None,
             include_terminal: bool = True) -> list[Job]:
        rows = self._db.execute(f"SELECT {', '.join(_PUBLIC_COLUMNS)} FROM publish_jobs ORDER BY id").fetchall()
        out = [_to_job(r) for r in rows]
        return [j for j in out if (network is None or j.network == network)
                and (address is None or j.address == address) and (include_terminal or not j.terminal)]

    def known_model_ids(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT model_id FROM publish_jobs WHERE model_id IS NOT NULL")}

    def used_key_commitments(self) -> set[bytes]:
        return {bytes(r[0]) for r in self._db.execute("SELECT key_commitment FROM used_keys")}

    def events(self, job_id: int) -> list[tuple[str | None, str, str | None]]:
        return [(r[0], r[1], r[2]) for r in self._db.execute(
            "SELECT from_state, to_state, note FROM job_events WHERE job_id = ? ORDER BY seq", (job_id,))]

    # --- writing ----------------------------------------------------------------------------
    def create_job(self, *, network: str, address: str, kind: JobKind = JobKind.PUBLISH,
                   model_id: str | None = None) -> Job:
        if kind is JobKind.UPDATE and not model_id:
            raise ValueError("an update job needs the model id")
        now = _now_ms()
        with transaction(self._db):
            cur = self._db.execute(
                "INSERT INTO publish_jobs (op_id, kind, network, address, state, model_id, created_ms, updated_ms)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (secrets.token_hex(16), kind.value, network, address, JobState.NEW.value, model_id, now, now))
            assert cur.lastrowid is not None  # set by every INSERT
            job_id = int(cur.lastrowid)
            self._event(job_id, None, JobState.NEW, kind.value)
        return self.get(job_id)

    def transition(self, job_id: int, expected: JobState | Iterable[JobState], new: JobState, *,
                   note: str | None = None, **changes: Any) -> Job:
        """Move `job_id` from `expected` to `new` and set `changes`, atomically and durably."""
        allowed = {expected} if isinstance(expected, JobState) else set(expected)
        bad = {k for k, v in changes.items() if k not in _MUTABLE and not (k in _CLEARABLE and v is None)}
        if bad:
            raise ValueError(f"not journal columns: {sorted(bad)}")
        with transaction(self._db):
            current = self._state(job_id)
            if current not in allowed:
                raise JournalError(f"job {job_id} is {current.value}, expected {sorted(s.value for s in allowed)}")
            self._update(job_id, new, changes)
            if current is not new or note:
                self._event(job_id, current, new, note)
        return self.get(job_id)

    def store_secrets(self, job_id: int, expected: JobState, new: JobState, *, key: bytes | None = None,
                      embedding_f32: bytes | None = None, shape: tuple[int, ...] | None = None,
                      **changes: Any) -> Job:
        """Encrypt and write the key and/or embedding with the state change, then read them back and check."""
        enc: dict[str, Any] = {}
        if key is not None:
            kc = crypto.key_commitment(key)
            if kc in self.used_key_commitments():
                raise JournalError("this weights key was already used; a zero-IV key must never be reused")
            enc["key_ct"] = self._seal(job_id, "key", key)
            enc["key_commitment"] = kc
        if embedding_f32 is not None:
            dims = tuple(shape) if shape is not None else (len(embedding_f32) // 4,)
            enc["embedding_ct"] = self._seal(job_id, "embedding", embedding_f32)
            enc["embedding_shape"] = json.dumps(list(dims))
            enc["embedding_commitment"] = crypto.blake2b256(crypto.bcs_soma_tensor_from_f32(embedding_f32, dims))
            enc["embedding_dim"] = len(embedding_f32) // 4
        with transaction(self._db):
            current = self._state(job_id)
            if current is not expected:
                raise JournalError(f"job {job_id} is {current.value}, expected {expected.value}")
            self._update(job_id, new, {**changes, **enc})
            if key is not None:
                self._db.execute("INSERT INTO used_keys VALUES (?)", (enc["key_commitment"],))
            self._event(job_id, current, new, "secrets stored")
        material = self.load_material(job_id, require_key=key is not None)
        if key is not None and material.key != key:
            raise JournalIntegrityError("the weights key read back from the journal differs")
        if embedding_f32 is not None and material.embedding_f32 != embedding_f32:
            raise JournalIntegrityError("the embedding read back from the journal differs")
        return self.get(job_id)

    def load_material(self, job_id: int, *, require_key: bool = True) -> CommitMaterial:
        """Decrypt the stored key and embedding and check both against the recorded commitments."""
        row = self._db.execute(
            "SELECT key_ct, embedding_ct, embedding_shape, key_commitment, embedding_commitment "
            "FROM publish_jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise JournalError(f"no publish job {job_id}")
        key_ct, emb_ct, shape_json, kc, ec = row
        key = b""
        if key_ct is not None:
            key = self._open(job_id, "key", key_ct)
            if len(key) != crypto.KEY_BYTES or crypto.key_commitment(key) != bytes(kc):
                raise JournalIntegrityError("stored weights key does not match its commitment")
        elif require_key:
            raise JournalIntegrityError("no weights key stored for this job")
        if emb_ct is None:
            raise JournalIntegrityError("no embedding stored for this job")
        emb = self._open(job_id, "embedding", emb_ct)
        shape = tuple(json.loads(shape_json))
        if crypto.blake2b256(crypto.bcs_soma_tensor_from_f32(emb, shape)) != bytes(ec):
            raise JournalIntegrityError("stored embedding does not match its commitment")
        return CommitMaterial(key=key, embedding_f32=emb, shape=shape)

    def clear_secrets(self, job_id: int, expected: JobState, new: JobState, **changes: Any) -> Job:
        """Drop key/embedding (going Back in the wizard). The key stays in used_keys forever."""
        return self.transition(job_id, expected, new, key_ct=None, embedding_ct=None, **changes)

    # --- internals --------------------------------------------------------------------------
    def _state(self, job_id: int) -> JobState:
        row = self._db.execute("SELECT state FROM publish_jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise JournalError(f"no publish job {job_id}")
        return JobState(row[0])

    def _update(self, job_id: int, new: JobState, changes: dict[str, Any]) -> None:
        values = {k: (v.value if isinstance(v, enum.Enum) else v) for k, v in changes.items()}
        values["state"] = new.value
        values["updated_ms"] = _now_ms()
        cols = ", ".join(f"{k} = ?" for k in values)
        self._db.execute(f"UPDATE publish_jobs SET {cols} WHERE id = ?", (*values.values(), job_id))

    def _event(self, job_id: int, old: JobState | None, new: JobState, note: str | None) -> None:
        self._db.execute("INSERT INTO job_events (job_id, at_ms, from_state, to_state, note) VALUES (?,?,?,?,?)",
                         (job_id, _now_ms(), old.value if old else None, new.value, note))

    def _aad(self, job_id: int, column: str) -> bytes:
        return f"soma-publish|{job_id}|{column}".encode()

    def _seal(self, job_id: int, column: str, data: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, data, self._aad(job_id, column))

    def _open(self, job_id: int, column: str, blob: bytes) -> bytes:
        blob = bytes(blob)
        try:
            return self._aead.decrypt(blob[:12], blob[12:], self._aad(job_id, column))
        except InvalidTag:
            raise WrongWrappingKey("the publish journal's secrets cannot be unlocked with this key") from None


def _to_job(row: sqlite3.Row | tuple[Any, ...]) -> Job:
    data = dict(zip(_PUBLIC_COLUMNS, row))
    data["kind"] = JobKind(data["kind"])
    data["state"] = JobState(data["state"])
    for name in ("plain_sha256", "checksum", "key_commitment", "embedding_commitment"):
        if data[name] is not None:
            data[name] = bytes(data[name])
    return Job(**data)
