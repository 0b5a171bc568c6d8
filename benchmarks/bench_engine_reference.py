#!/usr/bin/env python3
"""The comparison baseline: soma-models 0.1.7 torch modules scoring a file with the network's contract.

This is what one would write with the reference package alone: `Model.load` (random init, load, transposed
copies), soma-models' tokenizer (global positions), batches of 16 chunks, burn's CE denominator and
`SIGReg.compute` with arrgen noise.

    .venv/bin/python benchmarks/bench_engine_reference.py WEIGHTS FILE [--num-heads N] [--fast]
"""

from __future__ import annotations

import argparse
import json
import sys
import time

T0 = time.perf_counter()

import arrgen  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from safetensors import safe_open  # noqa: E402
from soma_models.v1.configs import ModelConfig, SIGRegConfig  # noqa: E402
from soma_models.v1.tokenizer import tokenize  # noqa: E402
from soma_models.v1.torch import Model, SIGReg  # noqa: E402


def config_from_file(path: str, num_heads: int) -> ModelConfig:
    with safe_open(path, framework="pt") as handle:
        keys = list(handle.keys())
        vocab, dim = handle.get_slice("embedding.weight").get_shape()
        ffn = handle.get_slice("encoder.layers.0.pwff.linear_inner.weight").get_shape()[1]
    layers = len({k.split(".")[2] for k in keys if k.startswith("encoder.layers.")})
    return ModelConfig(dropout_rate=0.0, embedding_dim=dim, pwff_hidden_dim=ffn, num_layers=layers,
                       num_heads=num_heads, vocab_size=vocab)


def reference_score(model: Model, data: bytes, seed: int = 0, fast: bool = False) -> dict:
    seqs = tokenize(data)
    sig_reg = SIGReg(SIGRegConfig(coefficient=1.0))
    dim = model.embedding.weight.shape[1]
    loss = ce_mean = sig_mean = 0.0
    emb_mean = np.zeros(dim, dtype=np.float32)
    with torch.inference_mode():
        for b in range(0, len(seqs), 16):
            group = seqs[b:b + 16]
            tokens = torch.tensor([s.token_ids for s in group])
            targets = torch.tensor([s.targets for s in group])
            positions = torch.tensor([s.pos_ids for s in group])
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=fast):
                rep = model.encode(tokens, positions)
                logits = model.predict(rep)
            rep, logits = rep.float(), logits.float()
            nll = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=256,
                                  reduction="none")
            ce = float(nll.sum() / nll.numel())
            noise = torch.from_numpy(arrgen.normal_array(seed + b // 16, [dim, 256], 0.0, 1.0))
            sig = float(sig_reg.compute(rep, noise))
            k = b // 16 + 1
            loss += (ce + 0.02 * sig - loss) / k
            ce_mean += (ce - ce_mean) / k
            sig_mean += (sig - sig_mean) / k
            emb_mean += (rep.mean(dim=1).mean(dim=0).numpy() - emb_mean) / k
    return {"loss": loss, "cross_entropy": ce_mean, "sigreg": sig_mean, "embedding": emb_mean.tolist()}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("weights")
    parser.add_argument("file")
    parser.add_argument("--num-heads", type=int, default=8)
    parser.add_argument("--fast", action="store_true")
    args = parser.parse_args(argv)
    model = Model.load(args.weights, config_from_file(args.weights, args.num_heads)).eval()
    loaded = time.perf_counter()
    with open(args.file, "rb") as handle:
        result = reference_score(model, handle.read(), fast=args.fast)
    done = time.perf_counter()
    result.update(load_s=loaded - T0, score_s=done - loaded)
    print(json.dumps({k: v for k, v in result.items() if k != "embedding"}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
