"""The original study's hearing-loss simulator: STFT magnitude attenuation by the audiogram.

Per clip (at the rate it was given, 16 kHz in the study): STFT (``n_fft`` 2048, hop 512, periodic
Hann, centred with zero padding) → every bin's magnitude times ``10 ** (-dB / 20)``, ``dB`` the
audiogram interpolated linearly in Hz at the bin's frequency and held constant beyond its end
points → inverse STFT with the original phase and length → peak normalisation.

A real gain leaves the phase untouched, so the complex STFT is scaled directly rather than split
into magnitude and phase and put back together: the same numbers, without the round trip.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
import torch

from hearlab.audiogram import Audiogram
from hearlab.dsp.level import peak_normalize
from hearlab.dsp.stft import spectral_gain

Normalize = Literal["peak", "none"]


class SilentAudioWarning(UserWarning):
    """A clip was silent (all zeros), so peak normalisation left it silent."""


def attenuation_gains(
    audiogram: Audiogram,
    sample_rate: int,
    n_fft: int = 2048,
    *,
    scale: Literal["linear", "log"] = "linear",
) -> npt.NDArray[np.float64]:
    """Linear amplitude gain per STFT bin for an audiogram.

    Args:
        audiogram: Thresholds in dB HL, read as attenuation in dB.
        sample_rate: In Hz; bin ``k`` lies at ``k * sample_rate / n_fft`` Hz.
        n_fft: FFT size.
        scale: Interpolate thresholds in Hz (``"linear"``, the original study) or in
            log-frequency (``"log"``).

    Returns:
        Shape ``(n_fft // 2 + 1,)``, float64: ``10 ** (-threshold_db / 20)``.
    """
    bin_hz = np.arange(n_fft // 2 + 1, dtype=np.float64) * sample_rate / n_fft
    return np.asarray(10.0 ** (-audiogram.thresholds_at(bin_hz, scale=scale) / 20.0))


def attenuate(
    audio: torch.Tensor,
    sample_rate: int,
    audiogram: Audiogram,
    *,
    n_fft: int = 2048,
    hop_length: int = 512,
    normalize: Normalize = "peak",
    lengths: torch.Tensor | Sequence[int] | None = None,
    scale: Literal["linear", "log"] = "linear",
) -> torch.Tensor:
    """Simulates what a listener with ``audiogram`` hears, exactly as the original study did.

    Args:
        audio: Shape ``(..., time)`` on any device. float64 is computed in float64; every other
            dtype in float32.
        sample_rate: Rate of ``audio`` in Hz (the study resampled to 16 kHz first).
        audiogram: The listener's thresholds.
        n_fft: FFT size in samples.
        hop_length: Hop in samples.
        normalize: ``"peak"`` divides each clip by its maximum absolute sample (the study's
            choice; it cancels any flat loss, so ``normal`` is the identity up to scale).
            ``"none"`` keeps the absolute attenuation.
        lengths: Shape ``(...)``: each clip's length in samples when clips of different lengths
            are zero-padded into one batch. Each clip then comes out exactly as it does alone;
            samples past its length are zero.
        scale: Frequency scale for interpolating the audiogram (``"linear"``: the study).

    Returns:
        The simulated audio, same shape as ``audio``; float32 or float64.

    Warns:
        SilentAudioWarning: When a clip is all zeros (it stays all zeros, never NaN).
    """
    if not isinstance(audio, torch.Tensor):
        raise TypeError(f"audio must be a torch.Tensor, not {type(audio).__name__}")
    if normalize not in ("peak", "none"):
        raise ValueError(f"normalize must be 'peak' or 'none', not {normalize!r}")
    if sample_rate <= 0:
        raise ValueError(f"sample_rate must be positive, got {sample_rate}")
    if audio.ndim == 0 or audio.shape[-1] == 0:
        raise ValueError(
            f"audio must have shape (..., time) with time > 0, got {tuple(audio.shape)}"
        )
    dtype = torch.float64 if audio.dtype == torch.float64 else torch.float32
    lead, n_samples = audio.shape[:-1], audio.shape[-1]
    flat = audio.to(dtype).reshape(-1, n_samples)

    flat_lengths = _flat_lengths(lengths, lead, n_samples, audio.device)
    if flat_lengths is not None:
        index = torch.arange(n_samples, device=audio.device)
        flat = flat * (index.unsqueeze(0) < flat_lengths.unsqueeze(1))

    gain = torch.as_tensor(
        attenuation_gains(audiogram, sample_rate, n_fft, scale=scale), dtype=dtype
    ).to(audio.device)
    silent = ~flat.ne(0).any(dim=-1)
    n_silent = int(silent.sum())
    if n_silent:
        warnings.warn(
            f"{n_silent} of {silent.numel()} clip(s) are silent (all zeros); they stay silent",
            SilentAudioWarning,
            stacklevel=2,
        )
    out = spectral_gain(flat, gain, n_fft=n_fft, hop_length=hop_length, lengths=flat_lengths)
    if normalize == "peak":
        out, _ = peak_normalize(out)
    return out.reshape(*lead, n_samples)


def _flat_lengths(
    lengths: torch.Tensor | Sequence[int] | None,
    lead: torch.Size,
    n_samples: int,
    device: torch.device,
) -> torch.Tensor | None:
    if lengths is None:
        return None
    flat = torch.as_tensor(lengths, dtype=torch.int64, device=device)
    if tuple(flat.shape) != tuple(lead):
        raise ValueError(
            f"lengths must have the batch shape {tuple(lead)}, got {tuple(flat.shape)}"
        )
    flat = flat.reshape(-1)
    if flat.numel() and (int(flat.min()) < 1 or int(flat.max()) > n_samples):
        raise ValueError(f"lengths must lie in 1..{n_samples} (the padded time axis)")
    return flat
