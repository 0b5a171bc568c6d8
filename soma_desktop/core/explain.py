"""Technical error text → what happened and what to do, in plain words; the original goes behind "Details".

Qt-free and pure, so the rules are testable alone. Unknown text passes through unchanged (no details).
"""

from __future__ import annotations

import re

# (pattern, plain text); the first match wins. Plain text may use the match's groups by name.
RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"weights header declares \d+ bytes; the limit is \d+"),
     "This file is not a SOMA model weights file: its header is damaged, or it is another kind of file. "
     "Choose the .safetensors file of a SOMA V1 model."),
    (re.compile(r"weights file is truncated"),
     "The weights file is incomplete: it was probably cut off while downloading or copying. Download or copy "
     "it again."),
    (re.compile(r"(not a safetensors|safetensors header|invalid header|header is not valid JSON)", re.I),
     "This file is not a valid .safetensors weights file. Choose the .safetensors file of a SOMA V1 model."),
    (re.compile(r"(dtype|F32|float32).*(expected|only)", re.I),
     "The weights are stored in a number format SOMA does not use (it needs 32-bit floats, F32). Export the "
     "model again in F32."),
    (re.compile(r"(missing tensor|unexpected tensor|shape)", re.I),
     "The weights do not match the SOMA V1 architecture (a tensor is missing or has the wrong shape). Check "
     "that the file was exported for SOMA V1."),
    (re.compile(r"Permission denied|PermissionError"),
     "The app may not read or write that file (permission denied). Choose another place or fix the file's "
     "permissions."),
    (re.compile(r"No space left on device"),
     "The disk is full. Free some space, then try again."),
)


def explain(text: str) -> tuple[str, str]:
    """(plain message, technical details); details is "" when the text needs no translation."""
    for pattern, plain in RULES:
        if pattern.search(text):
            return _keep_subject(text, plain), text
    return text, ""


def _keep_subject(text: str, plain: str) -> str:
    """Keep a leading 'model.safetensors is not a usable V1 model:'-style subject so the user knows which file."""
    match = re.match(r"^(?P<subject>[^:]{1,120}?(?: is not a usable V1 model| cannot be used)):", text)
    return f"{match.group('subject')}. {plain}" if match else plain
