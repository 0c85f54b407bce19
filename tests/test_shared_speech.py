"""Real speech from ``../shared/data`` (skipped when absent, as in a user's fresh clone).

``hearlab simulate`` on every real utterance, each profile and a custom audiogram file, compared
sample by sample with the independent librosa implementation of the study's algorithm.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from hearlab.audiogram import Audiogram, get_builtin
from hearlab.cli import app
from hearlab.io import read_audio
from tests.hearing.librosa_reference import reference_attenuate

SPEECH = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "speech"
pytestmark = pytest.mark.skipif(not SPEECH.is_dir(), reason=f"{SPEECH} is absent")
SR = 16000


def test_simulate_real_speech_matches_librosa_reference(tmp_path: Path) -> None:
    custom = Audiogram((250.0, 500.0, 1000.0, 2000.0, 4000.0), (5.0, 15.0, 35.0, 60.0, 80.0), "ski")
    custom_file = tmp_path / "ski.json"
    custom.save(custom_file)
    out = tmp_path / "out"
    args = ["simulate", str(SPEECH), "-o", str(out), "-a", str(custom_file), "--bit-depth", "24"]
    for name in ("normal", "lfloss", "hfloss"):
        args += ["-p", name]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    sources = sorted(p for p in SPEECH.rglob("*") if p.suffix in (".wav", ".flac"))
    assert len(sources) >= 20
    for audiogram in (get_builtin("normal"), get_builtin("lfloss"), get_builtin("hfloss"), custom):
        for source in sources:
            clean, _ = read_audio(source, sample_rate=SR)
            expected = reference_attenuate(
                clean.astype(np.float64), SR, audiogram.frequencies_hz, audiogram.thresholds_db_hl
            )
            target = out / audiogram.name / source.relative_to(SPEECH).with_suffix(".flac")
            written, rate = read_audio(target)
            assert rate == SR and written.shape == expected.shape
            assert np.max(np.abs(written - expected)) <= 1e-4, (audiogram.name, source.name)
