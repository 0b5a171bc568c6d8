"""Demo models by name: `demo:NAME` wherever `soma-desktop eval` asks for weights, and `--list-demos`."""

from __future__ import annotations

import json

import pytest

from soma_desktop.engine.cli import main
from soma_desktop.engine.demo import list_demo_models, resolve_weights
from soma_desktop.engine.errors import EngineError

PYTHON_SOURCE = b"def add(a, b):\n    return a + b\n\n\nclass Point:\n    def __init__(self, x, y):\n" \
                b"        self.x = x\n        self.y = y\n" * 40


def test_list_demos_prints_one_line_per_model(capsys):
    assert main(["--list-demos"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["demo:prose", "demo:python", "demo:data"]
    titles = {d.name: d.title for d in list_demo_models()}
    for line, name in zip(lines, ("prose", "python", "data")):
        assert titles[name] in line


def test_demo_name_resolves_to_the_packaged_file():
    path = resolve_weights("demo:python")
    assert path.is_file() and path.name == "python.safetensors"
    assert resolve_weights("models/mine.safetensors").as_posix() == "models/mine.safetensors"


def test_unknown_demo_names_the_known_ones():
    with pytest.raises(EngineError, match="demo:prose, demo:python, demo:data"):
        resolve_weights("demo:poetry")


def test_eval_scores_a_file_with_demo_models(tmp_path, capsys):
    source = tmp_path / "x.py"
    source.write_bytes(PYTHON_SOURCE)
    assert main(["--weights", "demo:prose", "--weights", "demo:python", "--json", str(source)]) == 0
    (result,) = json.loads(capsys.readouterr().out)["results"]
    assert [m["weights"] for m in result["models"]] == ["demo:prose", "demo:python"]
    assert result["size"] == len(PYTHON_SOURCE) and result["winner"] == 1   # the code model wins on code


def test_unknown_demo_is_refused_before_scoring(tmp_path, capsys):
    source = tmp_path / "x.py"
    source.write_bytes(PYTHON_SOURCE)
    assert main(["--weights", "demo:nope", str(source)]) == 1
    err = capsys.readouterr().err
    assert "unknown demo model 'demo:nope'" in err and "--list-demos" in err


@pytest.mark.parametrize("argv, missing", [(["x.py"], "--weights"), (["--weights", "demo:python"], "FILE")])
def test_weights_and_files_are_still_required(argv, missing, capsys):
    assert main(argv) == 2
    assert missing in capsys.readouterr().err
