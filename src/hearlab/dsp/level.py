"""Levels and normalisation on batched tensors."""

from __future__ import annotations

import torch


def peak_normalize(audio: torch.Tensor, *, eps: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Divides every clip by its own maximum absolute sample.

    Args:
        audio: Shape ``(..., time)``; samples past a clip's length must already be zero.
        eps: Peaks at or below this are treated as silence.

    Returns:
        ``(normalized, silent)``: the normalised audio (silent clips left unchanged, so zeros
        stay zeros and never become NaN) and a boolean mask of shape ``(...)`` marking them.
    """
    peak = audio.abs().amax(dim=-1, keepdim=True)
    silent = peak <= eps
    scale = torch.where(silent, torch.ones_like(peak), peak)
    return audio / scale, silent.squeeze(-1)
