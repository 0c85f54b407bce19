"""``hearlab demo``: the built-in profiles on a generated signal, end to end through the files path.

Until the full study lands (issue 5) the demo writes a speech-like signal followed by a sine
sweep, simulates every requested profile with
:func:`~hearlab.pipeline.simulate_files.simulate_files` (the same code as ``hearlab simulate``),
measures how much each octave band lost, and plots the audiograms and spectrograms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hearlab.audiogram import Audiogram, plot_audiograms
from hearlab.dsp.signals import log_sweep, speech_like
from hearlab.io import read_audio, write_audio
from hearlab.pipeline.simulate_files import SimulateReport, SimulateSettings, simulate_files
from hearlab.report.plots import plot_spectrograms

BAND_CENTRES_HZ = (250.0, 500.0, 1000.0, 2000.0, 4000.0)
SAMPLE_RATE = 16000


@dataclass(frozen=True)
class DemoResult:
    """Outputs of the demo and the measured level change per octave band (dB, output - input)."""

    out_dir: Path
    report: SimulateReport
    band_change_db: dict[str, tuple[float, ...]]
    files: tuple[Path, ...]


def demo_signal(sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """3 s of speech-like sound, 0.25 s of silence, then a 3 s sweep from 100 Hz to 7.5 kHz."""
    gap = np.zeros(sample_rate // 4)
    return np.concatenate(
        [speech_like(3.0, sample_rate, seed=1), gap, log_sweep(100.0, 7500.0, 3.0, sample_rate)]
    )


def band_levels_db(audio: np.ndarray, sample_rate: int) -> tuple[float, ...]:
    """Energy in each octave band around :data:`BAND_CENTRES_HZ`, in dB."""
    spectrum = np.abs(np.fft.rfft(audio)) ** 2
    freqs = np.fft.rfftfreq(len(audio), 1 / sample_rate)
    levels = []
    for centre in BAND_CENTRES_HZ:
        band = (freqs >= centre / np.sqrt(2)) & (freqs < centre * np.sqrt(2))
        levels.append(float(10 * np.log10(np.sum(spectrum[band]) + 1e-30)))
    return tuple(levels)


def run_demo(out_dir: Path, audiograms: Sequence[Audiogram]) -> DemoResult:
    """Runs the demo into ``out_dir`` (created); see the module docstring."""
    out_dir.mkdir(parents=True, exist_ok=True)
    source = write_audio(out_dir / "input" / "demo.flac", demo_signal(), SAMPLE_RATE, bit_depth=24)
    settings = SimulateSettings(normalize="none", bit_depth=24)
    report = simulate_files([source], audiograms, out_dir / "simulated", settings)
    original, _ = read_audio(source)
    signals: list[tuple[str, np.ndarray]] = [("input", original)]
    reference = band_levels_db(original, SAMPLE_RATE)
    changes: dict[str, tuple[float, ...]] = {}
    for audiogram in audiograms:
        simulated, _ = read_audio(out_dir / "simulated" / audiogram.name / "demo.flac")
        signals.append((f"{audiogram.name} ({audiogram.who_grade()})", simulated))
        level = band_levels_db(simulated, SAMPLE_RATE)
        changes[audiogram.name] = tuple(o - i for o, i in zip(level, reference, strict=True))
    audiogram_png = out_dir / "audiograms.png"
    spectrogram_png = out_dir / "spectrograms.png"
    plot_audiograms(list(audiograms), audiogram_png, title="Simulated listeners")
    plot_spectrograms(signals, SAMPLE_RATE, spectrogram_png)
    return DemoResult(out_dir, report, changes, (source, audiogram_png, spectrogram_png))
