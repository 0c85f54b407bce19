"""The original study's simulator: agreement with librosa, tones, batching, dtypes, edge cases."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from hearlab.audiogram import Audiogram, get_builtin
from hearlab.hearing import SilentAudioWarning, attenuate, attenuation_gains
from tests.hearing.librosa_reference import reference_attenuate
from tests.signals import noise, speech_like, tone

SR = 16000
PROFILES = ["normal", "lfloss", "hfloss", "N3", "S2"]


def snr_db(reference: np.ndarray, estimate: np.ndarray) -> float:
    return float(10 * np.log10(np.sum(reference**2) / np.sum((reference - estimate) ** 2)))


def reference(y: np.ndarray, audiogram: Audiogram, **kwargs: object) -> np.ndarray:
    return reference_attenuate(
        y, SR, audiogram.frequencies_hz, audiogram.thresholds_db_hl, **kwargs
    )


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize(
    ("kind", "duration_s"),
    [("speech", 0.05), ("speech", 0.9), ("speech", 3.21), ("noise", 1.0), ("noise", 7.3)],
)
def test_matches_librosa_reference(profile: str, kind: str, duration_s: float) -> None:
    y = speech_like(duration_s) if kind == "speech" else noise(duration_s, seed=3)
    audiogram = get_builtin(profile)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # librosa: n_fft too large for 0.05 s
        expected = reference(y, audiogram)
    got = attenuate(torch.from_numpy(y).float(), SR, audiogram).double().numpy()
    assert got.shape == y.shape
    assert np.max(np.abs(got - expected)) <= 1e-4
    assert snr_db(expected, got) >= 80


def test_float64_matches_reference_to_machine_precision() -> None:
    y = speech_like(2.0, seed=5)
    audiogram = get_builtin("hfloss")
    got = attenuate(torch.from_numpy(y), SR, audiogram)
    assert got.dtype == torch.float64
    np.testing.assert_allclose(got.numpy(), reference(y, audiogram), atol=1e-12)


def test_float32_close_to_float64() -> None:
    y = torch.from_numpy(noise(2.5, seed=9))
    audiogram = get_builtin("S3")
    out64 = attenuate(y, SR, audiogram)
    out32 = attenuate(y.float(), SR, audiogram)
    assert out32.dtype == torch.float32
    assert torch.max(torch.abs(out32.double() - out64)) < 1e-5


def test_normalize_none_matches_reference_without_peak() -> None:
    y = speech_like(1.5, seed=2)
    audiogram = get_builtin("lfloss")
    got = attenuate(torch.from_numpy(y), SR, audiogram, normalize="none").numpy()
    np.testing.assert_allclose(got, reference(y, audiogram, peak_normalize=False), atol=1e-12)


@pytest.mark.parametrize("freq_hz", [250.0, 1000.0, 4000.0])
@pytest.mark.parametrize("profile", ["lfloss", "hfloss", "N4", "S2"])
def test_tone_is_attenuated_by_interpolated_threshold(freq_hz: float, profile: str) -> None:
    audiogram = get_builtin(profile)
    y = tone(freq_hz, 2.0)
    out = attenuate(torch.from_numpy(y), SR, audiogram, normalize="none").numpy()
    middle = slice(SR // 2, -SR // 2)  # away from the edges
    rms_in = np.sqrt(np.mean(y[middle] ** 2))
    rms_out = np.sqrt(np.mean(out[middle] ** 2))
    measured_db = 20 * np.log10(rms_in / rms_out)
    expected_db = float(np.interp(freq_hz, audiogram.frequencies_hz, audiogram.thresholds_db_hl))
    assert measured_db == pytest.approx(expected_db, abs=0.5)


def test_tone_attenuation_with_non_bin_centred_frequency() -> None:
    # 1234.5 Hz lies between bins and between audiogram points: still within ±0.5 dB.
    audiogram = get_builtin("hfloss")
    y = tone(1234.5, 2.0)
    out = attenuate(torch.from_numpy(y), SR, audiogram, normalize="none").numpy()
    middle = slice(SR // 2, -SR // 2)
    measured_db = 20 * np.log10(np.std(y[middle]) / np.std(out[middle]))
    assert measured_db == pytest.approx(audiogram.thresholds_at(1234.5), abs=0.5)


def test_normal_profile_is_identity_up_to_scale() -> None:
    y = speech_like(1.0, seed=4)
    out = attenuate(torch.from_numpy(y), SR, get_builtin("normal")).numpy()
    np.testing.assert_allclose(out, y / np.max(np.abs(y)), atol=1e-10)
    quiet = attenuate(torch.from_numpy(y), SR, get_builtin("normal"), normalize="none").numpy()
    np.testing.assert_allclose(quiet, y * 10 ** (-10 / 20), atol=1e-10)


def test_batch_of_different_lengths_equals_each_clip_alone() -> None:
    audiogram = get_builtin("hfloss")
    clips = [speech_like(d, seed=i) for i, d in enumerate([2.0, 1.37, 0.52, 0.031, 1.999])]
    width = max(len(c) for c in clips)
    batch = torch.zeros(len(clips), width)
    for i, clip in enumerate(clips):
        batch[i, : len(clip)] = torch.from_numpy(clip).float()
    lengths = [len(c) for c in clips]
    out = attenuate(batch, SR, audiogram, lengths=lengths)
    for i, clip in enumerate(clips):
        alone = attenuate(torch.from_numpy(clip).float(), SR, audiogram)
        torch.testing.assert_close(out[i, : len(clip)], alone, atol=1e-6, rtol=0)
        assert torch.all(out[i, len(clip) :] == 0)


def test_padded_batch_without_lengths_differs_at_the_end() -> None:
    # Why `lengths` exists: treating padding as signal changes the clip's tail.
    audiogram = get_builtin("lfloss")
    clip = noise(0.7, seed=1)
    batch = torch.zeros(2, SR)
    batch[0, : len(clip)] = torch.from_numpy(clip).float()
    batch[1] = torch.from_numpy(noise(1.0, seed=2)).float()
    naive = torch.istft(
        torch.stft(
            batch,
            2048,
            512,
            window=torch.hann_window(2048),
            center=True,
            pad_mode="constant",
            return_complex=True,
        )
        * torch.from_numpy(attenuation_gains(audiogram, SR)).float()[:, None],
        2048,
        512,
        window=torch.hann_window(2048),
        length=SR,
    )[0, : len(clip)]
    alone = attenuate(torch.from_numpy(clip).float(), SR, audiogram, normalize="none")
    ours = attenuate(batch, SR, audiogram, normalize="none", lengths=[len(clip), SR])[0]
    torch.testing.assert_close(ours[: len(clip)], alone, atol=1e-7, rtol=0)
    wrong = torch.nonzero(torch.abs(naive - alone) > 1e-4 * alone.abs().max()).flatten()
    assert len(wrong) > 100  # the naive inverse changes the clip's tail...
    assert int(wrong.min()) >= len(clip) - 2048  # ...and only its last n_fft samples


def test_leading_dimensions_and_lengths_shape() -> None:
    audiogram = get_builtin("S1")
    x = torch.from_numpy(np.stack([noise(0.5, seed=s) for s in range(6)])).float().reshape(2, 3, -1)
    out = attenuate(x, SR, audiogram)
    assert out.shape == x.shape
    for i in range(2):
        for j in range(3):
            torch.testing.assert_close(out[i, j], attenuate(x[i, j], SR, audiogram))
    lengths = torch.tensor([[8000, 4000, 100], [8000, 8000, 7999]])
    out = attenuate(x, SR, audiogram, lengths=lengths)
    assert out.shape == x.shape
    torch.testing.assert_close(
        out[0, 1, :4000], attenuate(x[0, 1, :4000], SR, audiogram), atol=1e-6, rtol=0
    )
    with pytest.raises(ValueError, match="batch shape"):
        attenuate(x, SR, audiogram, lengths=[8000, 8000])
    with pytest.raises(ValueError, match="lengths must lie"):
        attenuate(x, SR, audiogram, lengths=torch.full((2, 3), 9000))


def test_large_batch_equals_loop() -> None:
    # Large enough that the CPU path processes it in several cache-sized groups.
    audiogram = get_builtin("N2")
    clips = [noise(3.0 - 0.1 * i, seed=i) for i in range(12)]
    batch = torch.zeros(len(clips), len(clips[0]))
    for i, clip in enumerate(clips):
        batch[i, : len(clip)] = torch.from_numpy(clip).float()
    out = attenuate(batch, SR, audiogram, lengths=[len(c) for c in clips])
    for i, clip in enumerate(clips):
        alone = attenuate(torch.from_numpy(clip).float(), SR, audiogram)
        torch.testing.assert_close(out[i, : len(clip)], alone, atol=1e-6, rtol=0)


def test_silent_clip_stays_silent_with_warning() -> None:
    batch = torch.zeros(3, SR)
    batch[1] = torch.from_numpy(noise(1.0)).float()
    with pytest.warns(SilentAudioWarning, match="2 of 3"):
        out = attenuate(batch, SR, get_builtin("hfloss"))
    assert torch.all(out[0] == 0) and torch.all(out[2] == 0)
    assert torch.isfinite(out).all()
    assert out[1].abs().max() == pytest.approx(1.0)
    with pytest.warns(SilentAudioWarning):
        out = attenuate(torch.zeros(SR), SR, get_builtin("normal"), normalize="none")
    assert torch.all(out == 0)


def test_non_silent_clip_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", SilentAudioWarning)
        attenuate(torch.from_numpy(noise(0.5)).float(), SR, get_builtin("hfloss"))


def test_other_sample_rates_use_their_bin_frequencies() -> None:
    rate = 44100
    y = tone(1000.0, 1.0, sr=rate)
    audiogram = get_builtin("hfloss")
    out = attenuate(torch.from_numpy(y), rate, audiogram, normalize="none").numpy()
    middle = slice(rate // 4, -rate // 4)
    measured_db = 20 * np.log10(np.std(y[middle]) / np.std(out[middle]))
    assert measured_db == pytest.approx(55.0, abs=0.5)  # hfloss: 55 dB HL at 1 kHz
    expected = reference_attenuate(
        y, rate, audiogram.frequencies_hz, audiogram.thresholds_db_hl, peak_normalize=False
    )
    np.testing.assert_allclose(out, expected, atol=1e-12)


def test_gains_follow_linear_interpolation_in_hz() -> None:
    audiogram = get_builtin("hfloss")
    gains = attenuation_gains(audiogram, SR, 2048)
    assert gains.shape == (1025,)
    bin_hz = np.arange(1025) * SR / 2048
    expected_db = np.interp(bin_hz, audiogram.frequencies_hz, audiogram.thresholds_db_hl)
    np.testing.assert_allclose(-20 * np.log10(gains), expected_db, atol=1e-12)
    assert gains[0] == pytest.approx(10 ** (-10 / 20))  # held constant below 125 Hz
    log_gains = attenuation_gains(audiogram, SR, 2048, scale="log")
    assert not np.allclose(gains, log_gains)


def test_bad_arguments() -> None:
    audiogram = get_builtin("normal")
    with pytest.raises(TypeError, match=r"torch\.Tensor"):
        attenuate(np.zeros(100), SR, audiogram)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="normalize"):
        attenuate(torch.zeros(100), SR, audiogram, normalize="rms")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="sample_rate"):
        attenuate(torch.ones(100), 0, audiogram)
    with pytest.raises(ValueError, match="time > 0"):
        attenuate(torch.ones(2, 0), SR, audiogram)


def test_integer_like_and_half_inputs_compute_in_float32() -> None:
    y = torch.from_numpy(noise(0.3)).half()
    out = attenuate(y, SR, get_builtin("hfloss"))
    assert out.dtype == torch.float32


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_gpu_equals_cpu() -> None:
    audiogram = get_builtin("hfloss")
    clips = [speech_like(d, seed=i) for i, d in enumerate([1.5, 0.7, 0.2])]
    batch = torch.zeros(len(clips), len(clips[0]))
    for i, clip in enumerate(clips):
        batch[i, : len(clip)] = torch.from_numpy(clip).float()
    lengths = [len(c) for c in clips]
    cpu = attenuate(batch, SR, audiogram, lengths=lengths)
    gpu = attenuate(batch.cuda(), SR, audiogram, lengths=lengths)
    assert gpu.device.type == "cuda"
    torch.testing.assert_close(gpu.cpu(), cpu, atol=1e-5, rtol=0)
