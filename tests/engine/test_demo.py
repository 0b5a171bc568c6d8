"""Bundled demo models: the index lists three same-shaped canonical models that each win on their domain."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from soma_desktop.engine.demo import demo_models_dir, list_demo_models
from soma_desktop.engine.errors import EngineError
from soma_desktop.engine.scorer import score_bytes
from soma_desktop.engine.weights import load_model

PROSE = (b"It was a bright cold day in April, and the clocks were striking thirteen. The people of the town "
         b"walked slowly along the river, talking about the weather and the news of the week, while children "
         b"played near the old stone bridge and their parents watched from the benches under the trees. ") * 6
PYTHON = (b"def merge(left, right):\n    result = []\n    while left and right:\n"
          b"        if left[0] <= right[0]:\n            result.append(left.pop(0))\n        else:\n"
          b"            result.append(right.pop(0))\n    return result + left + right\n\n\n"
          b"class Stack:\n    def __init__(self):\n        self._items = []\n\n    def push(self, item):\n"
          b"        self._items.append(item)\n\n") * 4
DATA = b"dtype,input,output,ulperrortol\n" + b"".join(
    b"np.float32,0x%08x,0x%08x,%d\n" % (0x3f000000 + i * 7919, 0x3e800000 + i * 104729, i % 4) for i in range(40))


@pytest.fixture(scope="module")
def demos():
    models = list_demo_models()
    assert [m.name for m in models] == ["prose", "python", "data"]
    return models


def test_index_is_consistent(demos):
    index = json.loads((demo_models_dir() / "demo_models.json").read_text())
    arch = index["architecture"]
    assert arch == {"embedding_dim": 128, "num_layers": 4, "num_heads": 8, "ffn_dim": 512, "vocab_size": 264}
    for demo in demos:
        blob = demo.weights_path.read_bytes()
        assert hashlib.blake2b(blob, digest_size=32).hexdigest() == demo.blake2b256_hex
        assert len(demo.embedding) == 128 and abs(np.linalg.norm(demo.embedding) - 1.0) < 1e-5
        assert demo.title and demo.corpus
    assert len({d.embedding for d in demos}) == 3


def test_each_demo_model_wins_its_domain(demos):
    models = [load_model(d.weights_path, device="cpu") for d in demos]  # default 8 heads
    for expected, data in enumerate((PROSE, PYTHON, DATA)):
        result = score_bytes(models, data)
        assert result.winner == expected, [round(m.loss, 4) for m in result.models]


def test_listing_validates_the_index(tmp_path):
    with pytest.raises(EngineError, match="not found"):
        list_demo_models(tmp_path)
    (tmp_path / "demo_models.json").write_text('{"version": 2, "models": []}')
    with pytest.raises(EngineError, match="unsupported"):
        list_demo_models(tmp_path)
    (tmp_path / "demo_models.json").write_text('{"version": 1, "models": [{"name": "x"}]}')
    with pytest.raises(EngineError, match="malformed"):
        list_demo_models(tmp_path)
    entry = {"name": "x", "title": "X", "weights": "x.safetensors", "corpus": "c", "embedding": [1, 0]}
    (tmp_path / "demo_models.json").write_text(json.dumps({"version": 1, "models": [entry]}))
    (model,) = list_demo_models(tmp_path)
    assert model.weights_path == tmp_path / "x.safetensors" and model.embedding == (1.0, 0.0)
