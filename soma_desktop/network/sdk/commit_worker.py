"""Child process that runs soma-sdk's `commit_model`, so its GIL-holding hashing never pauses the GUI.

soma-sdk takes the encrypted weights as one `bytes` object and hashes it twice with the GIL held (measured here:
0.43 s per 256 MiB per pass, other Python threads frozen the whole time), so a 4.8 GB model would freeze the
app for ~16 s if committed in-process. The parent (`SdkNetwork.commit_model`) starts
`python -m soma_desktop.network.sdk.commit_worker`, writes one JSON request to its stdin (the signing key
travels only through this pipe: never argv, env, disk or logs) and reads one JSON reply from stdout:
`{"ok": <effects>}` or `{"error": {"type": "RuntimeError" | "ValueError" | "TimeoutError", "message": ...}}`.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

MAX_REQUEST_BYTES = 1024 * 1024


def to_plain(value: Any) -> Any:
    """A soma-sdk result tree as JSON-ready data (namespaces -> dicts, bytes -> int lists)."""
    if isinstance(value, SimpleNamespace):
        return {k: to_plain(v) for k, v in vars(value).items()}
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return list(value)
    return value


async def _commit(request: dict[str, Any]) -> Any:
    from soma_sdk import Keypair, SomaClient

    keypair = Keypair.from_secret_key(bytes.fromhex(request.pop("secret_hex")))
    client = await asyncio.wait_for(SomaClient(request["rpc_url"]), request["timeout_s"])
    data = Path(request["path"]).read_bytes()  # noqa: ASYNC240 — a one-shot child process, no event loop to share
    call = client.commit_model(keypair, request["model_id"], request["weights_url"], data,
                               request["decryption_key"], request["embedding"])
    del data
    return await asyncio.wait_for(call, request["timeout_s"])


def handle(raw: bytes) -> dict[str, Any]:
    try:
        request = json.loads(raw)
        return {"ok": to_plain(asyncio.run(_commit(request)))}
    except TimeoutError:
        return {"error": {"type": "TimeoutError", "message": "no confirmation in time"}}
    except ValueError as exc:
        return {"error": {"type": "ValueError", "message": str(exc)}}
    except RuntimeError as exc:
        return {"error": {"type": "RuntimeError", "message": str(exc)}}
    except (OSError, KeyError, TypeError) as exc:
        return {"error": {"type": "ValueError", "message": f"bad commit request: {type(exc).__name__}"}}


def main() -> int:
    raw = sys.stdin.buffer.read(MAX_REQUEST_BYTES + 1)
    if len(raw) > MAX_REQUEST_BYTES:
        reply: dict[str, Any] = {"error": {"type": "ValueError", "message": "commit request too large"}}
    else:
        reply = handle(raw)
    sys.stdout.write(json.dumps(reply))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
