"""`soma-desktop eval`: score files with one or more V1 models exactly like the network.

soma-desktop eval --weights W [--weights W2 ...] [--seed N] [--device D] [--precision exact|fast]
                  [--num-heads N] [--threads N] [--target-embedding FILE] [--json] FILE...
soma-desktop eval --list-demos

W is a safetensors file or a bundled demo model by name (demo:prose, demo:python, demo:data).

Errors are one line on stderr with a non-zero exit (1: bad input/weights, 2: usage, 130: interrupted).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from soma_desktop.core.regular_file import NotRegularFile, check_regular_file, read_regular
from soma_desktop.engine.contract import MAX_DATA_SIZE
from soma_desktop.engine.demo import describe_demos, resolve_weights
from soma_desktop.engine.errors import DataError, EngineError

if TYPE_CHECKING:
    from soma_desktop.engine.results import EvalResult

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line instead of usage + message
        raise _UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="soma-desktop eval", description="Score files with SOMA V1 models like the network does.")
    parser.add_argument("--weights", action="append", metavar="W",
                        help="canonical V1 safetensors file or a demo model (demo:python); repeat for several "
                             "models (winner = lowest loss)")
    parser.add_argument("--list-demos", action="store_true", help="list the bundled demo models and exit")
    parser.add_argument("--seed", type=int, default=0, help="SIGReg noise seed (the network uses 0)")
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
    parser.add_argument("--precision", choices=("exact", "fast"), default="exact",
                        help="exact: f32 network parity; fast: bf16 (loss within ~1e-3, per-byte NLL within ~0.15)")
    parser.add_argument("--num-heads", type=int, default=None, help="attention heads (V1: 8; small test models)")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads for torch")
    parser.add_argument("--target-embedding", type=Path, default=None, metavar="FILE",
                        help="JSON list of floats; reports the cosine distance to it")
    parser.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="score the models in N parallel worker processes (helps with several models)")
    parser.add_argument("--memory-budget", default=None, metavar="SIZE",
                        help="refuse models whose estimated peak memory exceeds SIZE (e.g. 8G; default: half the "
                             "RAM, or $SOMA_EVAL_MEMORY_BUDGET)")
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE")
    return parser


def _read_data(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_DATA_SIZE:
            raise DataError(f"{path}: {size} bytes; the network accepts at most {MAX_DATA_SIZE} bytes (1 MiB)")
        data = read_regular(path, MAX_DATA_SIZE + 1)
    except NotRegularFile as exc:
        raise DataError(str(exc)) from None
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a directory") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not data:
        raise DataError(f"{path}: file is empty; the network cannot score empty data")
    if len(data) > MAX_DATA_SIZE:
        raise DataError(f"{path}: {len(data)} bytes; the network accepts at most {MAX_DATA_SIZE} bytes (1 MiB)")
    return data


def _check_weights_path(path: Path) -> None:
    try:
        check_regular_file(path)
    except NotRegularFile as exc:
        raise DataError(str(exc)) from None
    except OSError:
        pass  # missing or unreadable: load_model says so in its own words


def _read_target(path: Path) -> list[float]:
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"target embedding {path}: file not found") from None
    except (OSError, ValueError) as exc:
        raise DataError(f"target embedding {path}: not a JSON list of numbers ({exc})") from None
    if (not isinstance(values, list) or not values
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in values)):
        raise DataError(f"target embedding {path}: not a non-empty JSON list of finite numbers")
    return [float(v) for v in values]


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _result_json(path: Path, result: EvalResult, weights: list[str]) -> dict[str, Any]:
    return {"file": str(path), "size": result.size, "winner": result.winner, "models": [
        {"weights": name, "loss": _finite(m.loss), "cross_entropy": _finite(m.cross_entropy),
         "sigreg": _finite(m.sigreg), "bits_per_byte": _finite(m.bits_per_byte),
         "embedding": [_finite(v) for v in m.embedding.tolist()], "distance": _finite(m.distance),
         "per_byte_nll": [_finite(v) for v in m.per_byte_nll_list()]}
        for name, m in zip(weights, result.models)]}


def _print_table(path: Path, result: EvalResult, weights: list[str]) -> None:
    print(f"{path}  ({result.size} bytes)")
    print(f"  {'':2}{'model':<32} {'loss':>10} {'CE':>10} {'SIGReg':>9} {'bits/byte':>9} {'distance':>9}")
    for index, (name, m) in enumerate(zip(weights, result.models)):
        mark = "* " if index == result.winner else "  "
        distance = "-" if m.distance is None else f"{m.distance:.6f}"
        label = name if len(name) <= 32 else "…" + name[-31:]
        print(f"  {mark}{label:<32} {m.loss:>10.6f} {m.cross_entropy:>10.6f} {m.sigreg:>9.5f} "
              f"{m.bits_per_byte:>9.4f} {distance:>9}")
    print("  * winner (lowest network loss). bits/byte is the true mean NLL per predicted byte, not the network loss.")


def _list_demos() -> int:
    print("\n".join(describe_demos()))
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.list_demos:
        return _list_demos()
    if not args.weights or not args.files:
        raise _UsageError("the following arguments are required: " +
                          ", ".join(n for n, v in (("--weights", args.weights), ("FILE", args.files)) if not v))
    if args.num_heads is not None and args.num_heads < 1:
        raise _UsageError("--num-heads must be at least 1")
    if args.threads is not None and args.threads < 1:
        raise _UsageError("--threads must be at least 1")
    target = _read_target(args.target_embedding) if args.target_embedding else None
    files = [(path, _read_data(path)) for path in args.files]
    weight_paths = [resolve_weights(w) for w in args.weights]   # demo:NAME → its bundled file
    for weights in weight_paths:
        _check_weights_path(Path(weights))
    memory = _memory_budget(args, max(len(data) for _path, data in files), weight_paths)
    if args.jobs > 1:
        return _run_parallel(args, files, target, memory, weight_paths)

    from soma_desktop.engine.scorer import score_bytes  # torch is imported only once the inputs look sane
    from soma_desktop.engine.weights import load_model, set_threads

    if args.threads:
        set_threads(args.threads)
    models = [load_model(path, num_heads=args.num_heads, device=args.device) for path in weight_paths]
    if target is not None:
        for name, model in zip(args.weights, models):
            if model.architecture.embedding_dim != len(target):
                raise DataError(f"target embedding has {len(target)} values, {name} embeds in "
                                f"{model.architecture.embedding_dim} dimensions")
    results = (score_bytes(models, data, seed=args.seed, precision=args.precision, target_embedding=target)
               for _path, data in files)      # lazy: each table prints as soon as its file is scored
    return _report(args, files, results)


def _report(args: argparse.Namespace, files: list[tuple[Path, bytes]], results: Iterable[EvalResult]) -> int:
    """One table per file, or exactly one JSON object on stdout."""
    out = []
    for (path, _data), result in zip(files, results):
        if args.json:
            out.append(_result_json(path, result, args.weights))
        else:
            _print_table(path, result, args.weights)
    if args.json:
        sys.stdout.write(json.dumps({"results": out}, allow_nan=False) + "\n")
    return 0


def _memory_budget(args: argparse.Namespace, size: int, weight_paths: list[Path]) -> int:
    """Parse --memory-budget and refuse, from the headers alone, any model that would not fit."""
    from soma_desktop.engine.budget import check_weights_file, default_budget, parse_size

    if args.jobs < 1:
        raise _UsageError("--jobs must be at least 1")
    try:
        memory = parse_size(args.memory_budget) if args.memory_budget else default_budget()
    except ValueError as exc:
        raise _UsageError(f"--memory-budget: {exc}") from None
    for weights in weight_paths:
        check_weights_file(weights, size, memory, precision=args.precision, num_heads=args.num_heads)
    return memory


def _run_parallel(args: argparse.Namespace, files: list[tuple[Path, bytes]], target: Sequence[float] | None,
                  memory: int, weight_paths: list[Path]) -> int:
    from soma_desktop.evalworker.parallel import score_parallel

    results = score_parallel([data for _path, data in files], [str(p) for p in weight_paths],
                             jobs=args.jobs, budget=memory,
                             threads=args.threads, precision=args.precision, device=args.device, seed=args.seed,
                             num_heads=args.num_heads, target_embedding=None if target is None else tuple(target))
    return _report(args, files, results)


def main(argv: list[str]) -> int:
    try:
        args = _parser().parse_args(argv)
    except _UsageError as exc:
        print(f"soma-desktop eval: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return _run(args)
    except _UsageError as exc:
        print(f"soma-desktop eval: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except EngineError as exc:
        print(f"soma-desktop eval: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("soma-desktop eval: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (OSError, MemoryError, RuntimeError, ValueError) as exc:
        # Last line of defence: a user-facing CLI must never dump a traceback for a bad input.
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        print(f"soma-desktop eval: error: {type(exc).__name__}: {first}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
