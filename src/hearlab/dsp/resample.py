"""Resampling with soxr (the same library and quality as librosa's default ``soxr_hq``)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import soxr


def resample(
    audio: npt.ArrayLike, orig_sr: int, target_sr: int, *, quality: str = "HQ"
) -> npt.NDArray[np.float32]:
    """Resamples along the last axis.

    Args:
        audio: Shape ``(..., time)``.
        orig_sr: Rate of ``audio`` in Hz.
        target_sr: Wanted rate in Hz.
        quality: soxr quality recipe (``"HQ"`` matches librosa's ``res_type="soxr_hq"``,
            which the original study used through ``librosa.load(sr=16000)``).

    Returns:
        float32 array of shape ``(..., ceil(time * target_sr / orig_sr))``.
    """
    if orig_sr <= 0 or target_sr <= 0:
        raise ValueError(f"sample rates must be positive, got {orig_sr} -> {target_sr}")
    x = np.asarray(audio, dtype=np.float32)
    if orig_sr == target_sr:
        return x
    lead = x.shape[:-1]
    flat = x.reshape(-1, x.shape[-1])
    # soxr takes (time, channels): every leading index is one channel of one stream.
    y = soxr.resample(np.ascontiguousarray(flat.T), orig_sr, target_sr, quality=quality)
    y = np.asarray(y, dtype=np.float32).reshape(-1, flat.shape[0]).T
    return np.ascontiguousarray(y.reshape(*lead, y.shape[-1]))
