"""Test-only reference: the original study's simulator written plainly with librosa and numpy.

Kept independent of hearlab's code on purpose (no shared helpers): magnitude and phase are split
and recombined, the threshold is interpolated with ``numpy.interp`` in Hz, and librosa's own
``stft``/``istft`` do the framing, exactly as the study's per-clip scripts did.
"""

from __future__ import annotations

from collections.abc import Sequence

import librosa
import numpy as np


def reference_attenuate(
    y: np.ndarray,
    sr: int,
    frequencies_hz: Sequence[float],
    thresholds_db_hl: Sequence[float],
    *,
    n_fft: int = 2048,
    hop_length: int = 512,
    peak_normalize: bool = True,
) -> np.ndarray:
    """The study's algorithm on one clip; computes in the dtype of ``y``."""
    spec = librosa.stft(
        y, n_fft=n_fft, hop_length=hop_length, window="hann", center=True, pad_mode="constant"
    )
    magnitude, phase = np.abs(spec), np.angle(spec)
    bin_hz = librosa.fft_frequencies(sr=sr, n_fft=n_fft)
    loss_db = np.interp(bin_hz, frequencies_hz, thresholds_db_hl)
    magnitude = magnitude * (10.0 ** (-loss_db / 20.0))[:, None]
    out = librosa.istft(
        magnitude * np.exp(1j * phase),
        hop_length=hop_length,
        window="hann",
        center=True,
        length=len(y),
    )
    if peak_normalize:
        out = out / np.max(np.abs(out))
    return out
