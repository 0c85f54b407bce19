"""Audio I/O: decoding every supported format, the mono policy, resampling, and bad files."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import soxr

from hearlab.dsp import resample
from hearlab.io import AudioFileError, audio_info, read_audio, write_audio
from tests.signals import noise, tone

SR = 16000


def test_wav_and_flac_round_trip(tmp_path: Path) -> None:
    y = tone(440.0, 0.5).astype(np.float32)
    for suffix, bits in [(".wav", 16), (".flac", 16), (".flac", 24), (".wav", 24)]:
        path = write_audio(tmp_path / f"x{bits}{suffix}", y, SR, bit_depth=bits)  # type: ignore[arg-type]
        back, rate = read_audio(path)
        assert rate == SR and back.dtype == np.float32 and back.shape == y.shape
        np.testing.assert_allclose(back, y, atol=2.0 ** -(bits - 1))
    assert not list(tmp_path.glob(".*tmp")), "atomic write left a temporary file"


@pytest.mark.parametrize("fmt", ["OGG", "MP3"])
def test_lossy_formats_decode(tmp_path: Path, fmt: str) -> None:
    y = tone(1000.0, 1.0, sr=44100).astype(np.float32)
    path = tmp_path / f"clip.{fmt.lower()}"
    sf.write(path, y, 44100, format=fmt)
    back, rate = read_audio(path, sample_rate=SR)
    assert rate == SR
    assert abs(len(back) - SR) < SR * 0.1  # codec delay/padding, not a different duration
    spectrum = np.abs(np.fft.rfft(back))
    peak_hz = np.argmax(spectrum) * SR / len(back)
    assert peak_hz == pytest.approx(1000.0, abs=5.0)


def test_stereo_is_averaged_to_mono_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    left, right = tone(300.0, 0.2), tone(700.0, 0.2, amplitude=0.25)
    path = tmp_path / "stereo.wav"
    sf.write(path, np.stack([left, right], axis=1), SR, subtype="FLOAT")
    with caplog.at_level(logging.INFO, logger="hearlab.io"):
        mono, _ = read_audio(path)
    np.testing.assert_allclose(mono, (left + right) / 2, atol=1e-6)
    assert "averaged 2 channels" in caplog.text and "stereo.wav" in caplog.text
    both, _ = read_audio(path, mono=False)
    assert both.shape == (2, len(left))


def test_resampling_uses_soxr_hq_and_keeps_the_tone(tmp_path: Path) -> None:
    y = tone(1000.0, 1.0, sr=44100)
    path = tmp_path / "cd.wav"
    sf.write(path, y, 44100, subtype="FLOAT")
    back, rate = read_audio(path, sample_rate=SR)
    assert rate == SR and len(back) == SR
    expected = soxr.resample(y.astype(np.float32), 44100, SR, quality="HQ")
    np.testing.assert_allclose(back, expected, atol=1e-6)
    middle = back[1000:-1000]
    assert np.sqrt(np.mean(middle**2)) == pytest.approx(0.5 / np.sqrt(2), rel=1e-3)


def test_resample_keeps_leading_dimensions() -> None:
    x = np.stack([noise(0.5, sr=48000, seed=s) for s in range(6)]).reshape(2, 3, -1)
    y = resample(x, 48000, SR)
    assert y.shape == (2, 3, SR // 2)
    np.testing.assert_allclose(y[1, 2], resample(x[1, 2], 48000, SR), atol=1e-6)
    assert resample(x, SR, SR).shape == x.shape
    with pytest.raises(ValueError, match="positive"):
        resample(x, 0, SR)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AudioFileError, match=r"nothere\.wav: does not exist"):
        read_audio(tmp_path / "nothere.wav")
    with pytest.raises(AudioFileError, match="not a file"):
        read_audio(tmp_path)


def test_corrupt_file_names_the_file_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.mp3"
    path.write_bytes(np.random.default_rng(0).bytes(5000))
    with pytest.raises(AudioFileError) as info:
        read_audio(path)
    message = str(info.value)
    assert "corrupt.mp3" in message and "cannot be decoded" in message
    assert "re-export" in message
    with pytest.raises(AudioFileError, match=r"corrupt\.mp3"):
        audio_info(path)


def test_empty_files(tmp_path: Path) -> None:
    zero_bytes = tmp_path / "zero.wav"
    zero_bytes.write_bytes(b"")
    with pytest.raises(AudioFileError, match=r"zero\.wav: is empty \(0 bytes\)"):
        read_audio(zero_bytes)
    no_samples = tmp_path / "nosamples.wav"
    sf.write(no_samples, np.zeros(0, dtype=np.float32), SR)
    with pytest.raises(AudioFileError, match=r"nosamples\.wav: holds no audio"):
        read_audio(no_samples)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_samples(tmp_path: Path, bad: float) -> None:
    y = noise(0.1)
    y[100] = bad
    path = tmp_path / "broken.wav"
    sf.write(path, y, SR, subtype="FLOAT")
    with pytest.raises(AudioFileError, match=r"broken\.wav: holds 1 NaN or infinite"):
        read_audio(path)


def test_info_reads_the_header(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "a.flac", noise(1.5), SR)
    info = audio_info(path)
    assert (info.sample_rate, info.frames, info.channels, info.format) == (SR, 24000, 1, "FLAC")
    assert info.duration_s == pytest.approx(1.5)


def test_write_refuses_bad_requests(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="use one of"):
        write_audio(tmp_path / "a.mp3", noise(0.1), SR)
    with pytest.raises(ValueError, match="bit_depth"):
        write_audio(tmp_path / "a.flac", noise(0.1), SR, bit_depth=8)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-finite"):
        write_audio(tmp_path / "a.flac", np.array([0.0, np.nan]), SR)
    assert not list(tmp_path.iterdir())


def test_write_replaces_existing_file_atomically(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "a.flac"
    write_audio(path, noise(0.2, seed=1), SR)
    write_audio(path, noise(0.1, seed=2), SR)
    back, _ = read_audio(path)
    assert len(back) == SR // 10
    assert sorted(p.name for p in path.parent.iterdir()) == ["a.flac"]
