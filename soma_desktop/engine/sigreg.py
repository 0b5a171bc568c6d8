"""SIGReg exactly as the network computes it (scoring.md §4.2), decomposed per token.

SIG_b is a mean over the batch's positions of a per-token term, so summing the term chunk by chunk and
dividing by 1024·n_seq when the batch completes gives the network's value without holding the batch.
"""

from __future__ import annotations

import arrgen
import numpy as np
import torch

T_MAX = 3.0
POINTS = 17
SLICES = 256
COEFFICIENT = 0.02


def _grid(device: torch.device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    t = torch.linspace(0, T_MAX, POINTS, dtype=torch.float32, device=device)
    dt = T_MAX / (POINTS - 1)
    weights = torch.full((POINTS,), 2 * dt, dtype=torch.float32, device=device)  # doubled trapezoid, as upstream
    weights[0] = dt
    weights[-1] = dt
    phi = torch.exp(-0.5 * t**2)
    return t, phi, weights * phi


def batch_noise(seed: int, batch_index: int, dim: int) -> np.ndarray:
    """arrgen.normal_array(seed + batch_index, [D, 256], 0, 1): the network's noise for that batch."""
    return arrgen.normal_array(seed + batch_index, [dim, SLICES], 0.0, 1.0)


class SigReg:
    """Per-token SIGReg terms for one batch's noise."""

    def __init__(self, noise: np.ndarray, device: torch.device):
        a = torch.from_numpy(np.ascontiguousarray(noise, dtype=np.float32)).to(device)
        self.projection: torch.Tensor = a / torch.norm(a, dim=0)   # torch.norm is typed Any
        self.t, self.phi, self.weights = _grid(device)

    def token_terms(self, representations: torch.Tensor) -> torch.Tensor:
        """[..., D] f32 → [...] per-token terms; their mean over a batch's positions is SIG_b (coefficient 1).

        Loops over the 17 points instead of materialising [..., 256, 17] (18 MB per chunk): same values,
        far fewer large allocations (page faults dominated small models)."""
        x = representations.to(torch.float32) @ self.projection
        terms = torch.zeros(x.shape[:-1], dtype=torch.float32, device=x.device)
        for t, phi, weight in zip(self.t.tolist(), self.phi.tolist(), self.weights.tolist()):
            x_t = x * t
            err = (torch.cos(x_t).mean(dim=-1) - phi) ** 2 + torch.sin(x_t).mean(dim=-1) ** 2
            terms += err * weight
        return terms * x.shape[-1]
