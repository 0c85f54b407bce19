"""Spectrogram comparison figures (matplotlib, no pyplot: safe in headless workers)."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt


def plot_spectrograms(
    signals: Sequence[tuple[str, npt.ArrayLike]],
    sample_rate: int,
    path: str | os.PathLike[str],
    *,
    n_fft: int = 1024,
    hop_length: int = 256,
    floor_db: float = -100.0,
) -> None:
    """Writes a PNG with one log-magnitude spectrogram per signal, stacked, on one colour scale.

    Args:
        signals: ``(title, audio)`` pairs; audio of shape ``(time,)`` at ``sample_rate``.
        sample_rate: In Hz.
        path: PNG destination.
        n_fft: STFT size for display.
        hop_length: STFT hop for display.
        floor_db: Lowest level shown, dB relative to full scale.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    window = np.hanning(n_fft)
    fig = Figure(figsize=(9, 2.2 * len(signals)), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(signals), 1, sharex=True, squeeze=False)[:, 0]
    image = None
    for ax, (title, audio) in zip(axes, signals, strict=True):
        x = np.asarray(audio, dtype=np.float64)
        if len(x) < n_fft:
            x = np.pad(x, (0, n_fft - len(x)))
        frames = np.lib.stride_tricks.sliding_window_view(x, n_fft)[::hop_length] * window
        power = np.abs(np.fft.rfft(frames, axis=-1)) ** 2 / np.sum(window) ** 2 * 4
        level_db = 10 * np.log10(np.maximum(power, 10 ** (floor_db / 10)))
        extent = (0.0, len(x) / sample_rate, 0.0, sample_rate / 2 / 1000)
        image = ax.imshow(
            level_db.T,
            origin="lower",
            aspect="auto",
            extent=extent,
            vmin=floor_db,
            vmax=0.0,
            cmap="magma",
        )
        ax.set_title(title, fontsize=10, loc="left")
        ax.set_ylabel("kHz")
    axes[-1].set_xlabel("time (s)")
    if image is not None:
        fig.colorbar(image, ax=list(axes), label="dB FS", shrink=0.8)
    fig.savefig(os.fspath(path), dpi=110)
