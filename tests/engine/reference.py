"""Independent reference: soma-models 0.1.7 torch modules driven with the network's data contract
(soma_models tokenizer = global clamped positions), burn's CE denominator and arrgen SIGReg noise."""

from __future__ import annotations

import arrgen
import numpy as np
import torch
import torch.nn.functional as F
from soma_models.v1.configs import ModelConfig, SIGRegConfig
from soma_models.v1.tokenizer import tokenize
from soma_models.v1.torch import Model, SIGReg


def load_reference(path, arch) -> Model:
    config = ModelConfig(dropout_rate=0.0, embedding_dim=arch.embedding_dim, pwff_hidden_dim=arch.ffn_dim,
                         num_layers=arch.num_layers, num_heads=arch.num_heads)
    return Model.load(path, config).eval()


def reference_score(model: Model, data: bytes, seed: int = 0):
    """(loss, ce, sig, embedding, per-chunk nll lists) exactly per scoring.md §4 with batches of 16."""
    seqs = tokenize(data)
    sig_reg = SIGReg(SIGRegConfig(coefficient=1.0))
    dim = model.embedding.weight.shape[1]
    loss = ce_mean = sig_mean = np.float32(0)
    emb_mean = np.zeros(dim, dtype=np.float32)
    nlls = []
    with torch.no_grad():
        for b in range(0, len(seqs), 16):
            group = seqs[b:b + 16]
            tokens = torch.tensor([s.token_ids for s in group])
            targets = torch.tensor([s.targets for s in group])
            positions = torch.tensor([s.pos_ids for s in group])
            rep = model.encode(tokens, positions)
            logits = model.predict(rep)
            nll = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=256,
                                  reduction="none").reshape(targets.shape)
            for row, seq in zip(nll, group):
                mask = torch.tensor(seq.targets) != 256
                nlls.append(row[mask].numpy())
            ce = nll.sum() / nll.numel()
            noise = torch.from_numpy(arrgen.normal_array(seed + b // 16, [dim, 256], 0.0, 1.0))
            sig = sig_reg.compute(rep, noise)
            emb = rep.mean(dim=1).mean(dim=0)
            k = b // 16 + 1
            loss = loss + (np.float32(ce + 0.02 * sig) - loss) / k
            ce_mean = ce_mean + (np.float32(ce) - ce_mean) / k
            sig_mean = sig_mean + (np.float32(sig) - sig_mean) / k
            emb_mean = emb_mean + (emb.numpy() - emb_mean) / k
    return float(loss), float(ce_mean), float(sig_mean), emb_mean, nlls
