"""Publish pipeline throughput on a large file (default 512 MiB), printed as MB/s.

Measures: plaintext SHA-256 (wizard weights step), AES-256-CTR + Blake2b-256 streaming encryption
(core.crypto.encrypt_file), the read-back hash of the ciphertext (core.crypto.hash_file), URL verification
through the built-in blob server (Range probes + full download + decrypt + both hashes), and the safe
downloader in validator-style 5 MiB Range parts. Peak RSS shows that memory stays bounded.

    .venv/bin/python benchmarks/bench_publish_encrypt.py [--mib 512] [--dir /tmp]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from soma_desktop.core import crypto  # noqa: E402
from soma_desktop.publish.blob_server import BlobServer  # noqa: E402
from soma_desktop.publish.downloader import PART_SIZE, UrlPolicy, download  # noqa: E402
from soma_desktop.publish.verify import verify_hosted  # noqa: E402


def _timed(label: str, size: int, fn):
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    print(f"{label:<44} {elapsed:7.2f} s  {size / elapsed / 1e6:8.1f} MB/s")
    return result


def _make_file(path: Path, size: int) -> None:
    # safetensors framing + random payload: the verify step checks the decrypted header
    header = b'{"w":{"dtype":"U8","shape":[%d],"data_offsets":[0,%d]}}' % (size, size)
    header += b" " * (-len(header) % 8)
    block = os.urandom(8 * 1024 * 1024)
    with open(path, "wb") as out:
        out.write(len(header).to_bytes(8, "little") + header)
        left = size
        while left:
            out.write(block[:min(left, len(block))])
            left -= min(left, len(block))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=512)
    parser.add_argument("--dir", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        root = Path(tmp)
        plain = root / "model.safetensors"
        _make_file(plain, args.mib * 1024 * 1024)
        size = plain.stat().st_size
        print(f"file: {size / 2**20:.0f} MiB  python {sys.version.split()[0]}  cpus {os.cpu_count()}")

        def sha256() -> bytes:
            h = hashlib.sha256()
            with open(plain, "rb") as fh:
                while chunk := fh.read(crypto.STREAM_CHUNK):
                    h.update(chunk)
            return h.digest()

        plain_sha = _timed("sha256 of plaintext (weights step)", size, sha256)
        key = crypto.new_weights_key()
        enc = _timed("encrypt AES-256-CTR + blake2b (encrypt_file)", size,
                     lambda: crypto.encrypt_file(plain, root / "model.enc", key))
        digest, _ = _timed("read-back blake2b (hash_file)", size, lambda: crypto.hash_file(enc.path))
        assert digest == enc.checksum
        with BlobServer(root / "blobs") as server:
            url = server.publish(enc.path, "model.bin")
            report = _timed("verify URL (range+download+decrypt+hashes)", size,
                            lambda: verify_hosted(url, size=enc.size, checksum=enc.checksum, key=key,
                                                  plain_sha256=plain_sha, policy=UrlPolicy(allow_loopback=True)))
            assert report.ok, report.problems
            _timed("download in 5 MiB Range parts + blake2b", size,
                   lambda: download(url, root / "copy.enc", expected_size=enc.size, expected_checksum=enc.checksum,
                                    policy=UrlPolicy(allow_loopback=True), part_size=PART_SIZE))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS {rss:.0f} MiB (file {size / 2**20:.0f} MiB)")


if __name__ == "__main__":
    main()
