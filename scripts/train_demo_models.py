#!/usr/bin/env python3
"""Train the three bundled demo models (resources/models/) reproducibly on local corpora.

All three share one V1 shape (D=128, 4 layers, 8 heads, FFN 512, vocab 264) and are saved in the
canonical SOMA safetensors layout. Each gets its domain embedding: the L2-normalised mean of the
network scorer's data embedding over held-out pieces of its corpus (scoring.md §8).

    .venv/bin/python scripts/train_demo_models.py [--steps N] [--out resources/models]

Seeded and single-process; about 6 minutes on 2 CPU cores.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import sys
import sysconfig
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from soma_desktop.core.crypto import hash_file  # noqa: E402
from soma_desktop.core.storage import atomic_write_text  # noqa: E402
from soma_desktop.engine.architecture import Architecture  # noqa: E402
from soma_desktop.engine.contract import PAD, make_chunk, num_chunks  # noqa: E402
from soma_desktop.engine.model import V1Model  # noqa: E402
from soma_desktop.engine.scorer import score_bytes, suggest_model_embedding  # noqa: E402
from soma_desktop.engine.weights import load_model, save_model  # noqa: E402

ARCH = Architecture(embedding_dim=128, num_layers=4, num_heads=8, ffn_dim=512)
CORPUS_CAP = 2 * 1024 * 1024
HELD_OUT = 256 * 1024  # the corpus tail, never trained on, gives the domain embedding
EMBED_PIECE = 16 * 1024


def _read_all(paths: list[Path], cap: int = CORPUS_CAP) -> bytes:
    out = bytearray()
    for path in paths:
        try:
            out += path.read_bytes() + b"\n"
        except OSError:
            continue
        if len(out) >= cap:
            break
    return bytes(out[:cap])


def prose_corpus() -> tuple[bytes, str]:
    """Python's documentation topics (pydoc_data) and the system's licence texts: English prose."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    topics = ast.literal_eval((stdlib / "pydoc_data" / "topics.py").read_text(encoding="utf-8").split("=", 1)[1])
    text = "\n\n".join(topics[key] for key in sorted(topics)).encode("utf-8")
    licences = sorted(p for p in Path("/usr/share/common-licenses").glob("*") if p.is_file())
    return (text + _read_all(licences))[:CORPUS_CAP], \
        f"Python {sys.version.split()[0]} pydoc_data/topics.py documentation text + /usr/share/common-licenses"


def python_corpus() -> tuple[bytes, str]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    return _read_all(sorted(stdlib.glob("*.py"))), f"Python {sys.version.split()[0]} standard library *.py sources"


def data_corpus() -> tuple[bytes, str]:
    """Structured data: numpy's CSV test tables and JSON files shipped in site-packages."""
    site = Path(np.__file__).resolve().parents[1]
    csv = sorted(Path(np.__file__).resolve().parent.rglob("*.csv"))
    js = sorted(site.rglob("*.json"))
    mixed = [p for pair in zip(csv, js) for p in pair] + csv[len(js):] + js[len(csv):]
    return _read_all(mixed), "numpy test-data *.csv and site-packages *.json files (interleaved)"


def sample_batch(corpus: bytes, rng: np.random.Generator, batch: int) -> tuple[torch.Tensor, ...]:
    """Chunks drawn through the network's own data contract: random file slices, random chunk of each."""
    tokens, targets, positions = [], [], []
    for _ in range(batch):
        length = int(rng.integers(64, 8192)) if rng.random() < 0.25 else int(rng.integers(1024, 65536))
        start = int(rng.integers(0, max(1, len(corpus) - length)))
        piece = corpus[start:start + length]
        chunk = make_chunk(piece, int(rng.integers(0, num_chunks(len(piece)))))
        tokens.append(chunk.tokens)
        targets.append(chunk.targets)
        positions.append(chunk.positions)
    return tuple(torch.from_numpy(np.stack(a)) for a in (tokens, targets, positions))


def sigreg_penalty(rep: torch.Tensor, generator: torch.Generator, positions: int = 64) -> torch.Tensor:
    """The network's SIGReg term, estimated on a random subset of positions (its cos/sin tensor dominates cost)."""
    noise = torch.randn(rep.shape[-1], 256, generator=generator)
    pick = torch.randperm(rep.shape[1], generator=generator)[:positions]
    x = rep[:, pick] @ (noise / noise.norm(dim=0))
    t = torch.linspace(0, 3.0, 17)
    dt = 3.0 / 16
    w = torch.full((17,), 2 * dt)
    w[0] = w[-1] = dt
    phi = torch.exp(-0.5 * t**2)
    xt = x.unsqueeze(-1) * t
    err = (torch.cos(xt).mean(-2) - phi) ** 2 + torch.sin(xt).mean(-2) ** 2
    return ((err * w * phi).sum(-1) * 256).mean()


PEAK_LR = 4e-3


def train(corpus: bytes, seed: int, steps: int, batch: int, log) -> V1Model:
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = V1Model(ARCH).init_random(generator)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=PEAK_LR, betas=(0.9, 0.95), weight_decay=0.01)
    warmup = max(1, steps // 20)
    for step in range(steps):
        lr = PEAK_LR * min(1.0, (step + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * step / steps))
        for group in opt.param_groups:
            group["lr"] = lr
        tokens, targets, positions = sample_batch(corpus, rng, batch)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            rep = model.encode(tokens, positions)
            logits = model.predict(rep)
        ce = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=PAD)
        loss = ce + 0.02 * sigreg_penalty(rep.float(), generator)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 50 == 0 or step == steps - 1:
            log(f"  step {step:4d}  ce {ce.item():.3f} nats/byte  lr {lr:.2e}")
    return model.eval()


def domain_embedding(weights: Path, held_out: bytes) -> list[float]:
    model = load_model(weights, num_heads=ARCH.num_heads, device="cpu")
    pieces = [held_out[i:i + EMBED_PIECE] for i in range(0, len(held_out), EMBED_PIECE)]
    return [float(v) for v in suggest_model_embedding(model, pieces)]


SPECS = [("prose", "English prose", prose_corpus, 101),
         ("python", "Python source code", python_corpus, 202),
         ("data", "Structured data (CSV, JSON)", data_corpus, 303)]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--batch", type=int, default=6)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "models")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    entries = []
    begun = time.time()
    for name, title, build, seed in SPECS:
        started = time.time()
        corpus, provenance = build()
        train_part, held_out = corpus[:-HELD_OUT], corpus[-HELD_OUT:]
        print(f"{name}: corpus {len(corpus)} bytes ({provenance})", flush=True)
        model = train(train_part, seed, args.steps, args.batch, lambda m: print(m, flush=True))
        weights = args.out / f"{name}.safetensors"
        save_model(model, weights, metadata={"soma_desktop_demo": name})
        digest, _ = hash_file(weights)
        held = score_bytes([load_model(weights, device="cpu")], held_out[:EMBED_PIECE]).models[0]
        print(f"  held-out 16 KiB: loss {held.loss:.4f}, {held.bits_per_byte:.3f} bits/byte "
              f"({time.time() - started:.0f} s)", flush=True)
        entries.append({"name": name, "title": title, "weights": weights.name,
                        "corpus": f"{provenance}; {len(corpus)} bytes, last {HELD_OUT} held out",
                        "blake2b256_hex": digest.hex(), "embedding": domain_embedding(weights, held_out)})
    index = {"version": 1, "architecture": {"embedding_dim": ARCH.embedding_dim, "num_layers": ARCH.num_layers,
                                            "num_heads": ARCH.num_heads, "ffn_dim": ARCH.ffn_dim,
                                            "vocab_size": ARCH.vocab_size}, "models": entries}
    atomic_write_text(args.out / "demo_models.json", json.dumps(index, indent=1) + "\n", mode=0o644)
    print(f"wrote {args.out / 'demo_models.json'} in {time.time() - begun:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
