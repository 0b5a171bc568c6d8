"""`soma-desktop eval`: exact JSON schema, human table, one-line errors with non-zero exits."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from soma_desktop.engine.cli import main
from soma_desktop.engine.scorer import score_bytes
from tests.engine.conftest import random_bytes

REPO = Path(__file__).resolve().parents[2]


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_json_output_schema(tmp_path, tiny_weights, tiny_weights_b, tiny_model, capsys):
    a = _file(tmp_path, "a.bin", random_bytes(1500))
    b = _file(tmp_path, "b.bin", random_bytes(2048, seed=3))
    target = tmp_path / "target.json"
    target.write_text(json.dumps([0.5] * 32))
    rc = main(["--weights", str(tiny_weights), "--weights", str(tiny_weights_b), "--num-heads", "4",
               "--device", "cpu", "--target-embedding", str(target), "--json", str(a), str(b)])
    out = capsys.readouterr()
    assert rc == 0 and out.err == ""
    doc = json.loads(out.out)
    assert list(doc) == ["results"] and [r["file"] for r in doc["results"]] == [str(a), str(b)]
    first = doc["results"][0]
    assert list(first) == ["file", "size", "winner", "models"] and first["size"] == 1500
    model = first["models"][0]
    assert list(model) == ["weights", "loss", "cross_entropy", "sigreg", "bits_per_byte", "embedding",
                           "distance", "per_byte_nll"]
    assert model["weights"] == str(tiny_weights) and len(model["embedding"]) == 32
    expected = score_bytes([tiny_model], a.read_bytes(), target_embedding=[0.5] * 32).models[0]
    assert model["loss"] == pytest.approx(expected.loss, abs=1e-7)
    assert model["distance"] == pytest.approx(expected.distance, abs=1e-7)
    nll = model["per_byte_nll"]
    assert len(nll) == 1501 and nll[0] is None and nll[1024] is None and nll[1500] is not None
    second = doc["results"][1]["models"][1]["per_byte_nll"]
    assert len(second) == 2049 and second[2048] is None and second[1024] is None
    losses = [m["loss"] for m in first["models"]]
    assert first["winner"] == min(range(2), key=lambda i: (losses[i], i))


def test_human_table(tmp_path, tiny_weights, capsys):
    path = _file(tmp_path, "t.txt", b"hello world\n" * 20)
    assert main(["--weights", str(tiny_weights), "--num-heads", "4", str(path)]) == 0
    out = capsys.readouterr().out
    assert "240 bytes" in out and "loss" in out and "* " in out


@pytest.mark.parametrize("content,needle", [(None, "not found"), (b"", "empty"), (bytes(1_048_577), "1 MiB")])
def test_bad_data_files(tmp_path, tiny_weights, capsys, content, needle):
    path = tmp_path / "data.bin"
    if content is not None:
        path.write_bytes(content)
    assert main(["--weights", str(tiny_weights), "--num-heads", "4", str(path)]) == 1
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1


def test_bad_weights_and_usage(tmp_path, tiny_weights, capsys):
    data = _file(tmp_path, "d.bin", b"abc")
    bad = _file(tmp_path, "bad.safetensors", b"\x10\0\0\0\0\0\0\0{not json}      ")
    assert main(["--weights", str(bad), str(data)]) == 1
    assert capsys.readouterr().err.count("\n") == 1
    assert main(["--weights", str(tiny_weights), "--precision", "half", str(data)]) == 2
    assert main([str(data)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "Traceback" not in err
    target = _file(tmp_path, "t.json", b"[1, 2]")
    assert main(["--weights", str(tiny_weights), "--num-heads", "4", "--target-embedding", str(target), str(data)]) == 1
    assert "32 dimensions" in capsys.readouterr().err


def test_subprocess_never_prints_a_traceback(tmp_path):
    data = _file(tmp_path, "d.bin", b"abc")
    truncated = _file(tmp_path, "w.safetensors", b"\xff" * 7)
    run = subprocess.run([sys.executable, "-m", "soma_desktop.engine.cli", "--weights", str(truncated), str(data)],
                         capture_output=True, text=True, cwd=REPO, timeout=120)
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr.startswith("soma-desktop eval: error:") and run.stderr.count("\n") == 1


def test_package_import_does_not_import_torch():
    code = ("import sys, soma_desktop.engine, soma_desktop.engine.demo, soma_desktop.engine.cli; "
            "assert 'torch' not in sys.modules, 'torch imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, timeout=120)


def test_json_never_contains_nan(tmp_path, capsys):
    """NaN weights give null numbers (valid JSON), never NaN tokens."""
    import numpy as np
    import torch

    from soma_desktop.engine.model import V1Model
    from soma_desktop.engine.weights import save_model
    from tests.engine.conftest import TINY

    model = V1Model(TINY).init_random(torch.Generator().manual_seed(0))
    with torch.no_grad():
        model.predictor.bias.fill_(float("nan"))
    path = tmp_path / "nan.safetensors"
    save_model(model, path)
    data = _file(tmp_path, "d.bin", b"abcdef")
    assert main(["--weights", str(path), "--num-heads", "4", "--json", str(data)]) == 0
    doc = json.loads(capsys.readouterr().out, parse_constant=lambda c: pytest.fail(f"JSON holds {c}"))
    assert doc["results"][0]["models"][0]["loss"] is None
    assert not any(isinstance(v, float) and math.isnan(v) for v in doc["results"][0]["models"][0]["embedding"])
    assert np.isfinite(1.0)
