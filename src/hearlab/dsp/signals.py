"""Deterministic test and demonstration signals: tones, sweeps, noise, speech-like sound.

Used by ``hearlab demo`` and by the tests; every generator is a pure function of its arguments
(noise takes a seed), float64, shape ``(time,)``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Signal = npt.NDArray[np.float64]


def tone(freq_hz: float, duration_s: float, sr: int = 16000, amplitude: float = 0.5) -> Signal:
    """A sine at ``freq_hz`` Hz, ``duration_s`` seconds long, peak ``amplitude``."""
    t = np.arange(round(duration_s * sr)) / sr
    return np.asarray(amplitude * np.sin(2 * np.pi * freq_hz * t))


def log_sweep(
    start_hz: float, stop_hz: float, duration_s: float, sr: int = 16000, amplitude: float = 0.5
) -> Signal:
    """An exponential sine sweep from ``start_hz`` to ``stop_hz`` (equal time per octave)."""
    t = np.arange(round(duration_s * sr)) / sr
    rate = np.log(stop_hz / start_hz)
    phase = 2 * np.pi * start_hz * duration_s / rate * (np.exp(t / duration_s * rate) - 1)
    return np.asarray(amplitude * np.sin(phase))


def white_noise(
    duration_s: float, sr: int = 16000, seed: int = 0, amplitude: float = 0.1
) -> Signal:
    """Gaussian white noise with standard deviation ``amplitude``."""
    return amplitude * np.random.default_rng(seed).standard_normal(round(duration_s * sr))


def speech_like(duration_s: float, sr: int = 16000, seed: int = 0) -> Signal:
    """Syllable-rate voiced sound with moving formants and fricative bursts.

    A pulse-like harmonic series on a gliding 80-200 Hz fundamental, weighted by two moving
    formant-like resonances, amplitude-modulated at 4 syllables per second, plus bursts of noise.
    Not speech, but with speech's spread of energy over 100 Hz-8 kHz and its modulation. Peak 0.8.
    """
    rng = np.random.default_rng(seed)
    n = round(duration_s * sr)
    t = np.arange(n) / sr
    f0 = 140 + 60 * np.sin(2 * np.pi * 0.7 * t + rng.uniform(0, 6))
    phase = 2 * np.pi * np.cumsum(f0) / sr
    formant_1 = 500 + 200 * np.sin(2 * np.pi * 1.3 * t)
    formant_2 = 1500 + 400 * np.sin(2 * np.pi * 0.9 * t)
    voiced = np.zeros(n)
    for harmonic in range(1, 40):
        freq = harmonic * f0
        weight = (
            np.exp(-(((freq - formant_1) / 150.0) ** 2))
            + np.exp(-(((freq - formant_2) / 150.0) ** 2))
            + 0.02
        )
        voiced += weight * np.sin(harmonic * phase) * (freq < sr / 2)
    syllables = 0.5 * (1 - np.cos(2 * np.pi * 4.0 * t))
    fricative = rng.standard_normal(n) * (np.sin(2 * np.pi * 1.1 * t) > 0.8) * 0.3
    out = voiced * syllables + fricative
    peak = np.max(np.abs(out)) if n else 1.0
    return np.asarray(out / peak * 0.8)
