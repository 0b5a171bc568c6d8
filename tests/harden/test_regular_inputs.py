"""Inputs must be regular files: a device, a FIFO or a folder gets a message, never a hang or an OOM."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from soma_desktop.core.regular_file import NotRegularFile, check_regular_file, read_regular
from soma_desktop.services.evaluate.inputs import read_input

ROOT = Path(__file__).resolve().parents[2]


def _limit_memory() -> None:  # a regression must fail, not take the machine down
    resource.setrlimit(resource.RLIMIT_AS, (3 * 1024 ** 3, 3 * 1024 ** 3))


def _eval(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "soma_desktop", "eval", *args], capture_output=True, text=True,
                          timeout=60, env=env, preexec_fn=_limit_memory)


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def test_eval_device_as_data_is_refused(tmp_path):
    weights = tmp_path / "w.safetensors"
    weights.write_bytes(b"\0" * 16)
    result = _eval("--weights", str(weights), "/dev/zero")
    assert result.returncode == 1
    assert "/dev/zero is a device, not a regular file" in result.stderr
    assert "Traceback" not in result.stderr


def test_eval_fifo_as_weights_is_refused_without_hanging(tmp_path, fifo):
    data = tmp_path / "data.txt"
    data.write_bytes(b"hello world " * 100)
    result = _eval("--weights", str(fifo), str(data))
    assert result.returncode == 1
    assert f"{fifo} is a pipe (FIFO), not a regular file" in result.stderr


def test_eval_folder_as_weights_is_refused(tmp_path):
    data = tmp_path / "data.txt"
    data.write_bytes(b"x" * 1000)
    result = _eval("--weights", str(tmp_path), str(data))
    assert result.returncode == 1 and "is a folder" in result.stderr


@pytest.mark.parametrize("make", ["fifo", "device", "folder"])
def test_dropped_non_regular_files_get_a_message(tmp_path, fifo, make):
    path = {"fifo": fifo, "device": Path("/dev/zero"), "folder": tmp_path}[make]
    item = read_input(path)
    assert item.data is None or item.data == b""
    assert item.problem and ("not a regular file" in item.problem or "folder" in item.problem)


def test_core_helper_reads_only_regular_files(tmp_path, fifo):
    plain = tmp_path / "plain.bin"
    plain.write_bytes(os.urandom(1024 * 1024 + 5))
    assert len(read_regular(plain, 1024 * 1024 + 1)) == 1024 * 1024 + 1
    assert check_regular_file(plain).st_size == 1024 * 1024 + 5
    for bad in (fifo, Path("/dev/zero"), tmp_path):
        with pytest.raises(NotRegularFile):
            read_regular(bad, 10)


@pytest.mark.parametrize("make", ["fifo", "device", "folder"])
def test_publish_embedding_file_must_be_regular(tmp_path, fifo, make):
    from soma_desktop.publish.embedding import load_embedding_json

    path = {"fifo": fifo, "device": Path("/dev/zero"), "folder": tmp_path}[make]
    with pytest.raises(ValueError, match="not a regular file"):
        load_embedding_json(path, 16)
