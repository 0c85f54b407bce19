"""Audio files in and out: decoding with soundfile, resampling with soxr, an explicit mono policy.

This is adapter code (see ARCHITECTURE.md): it touches disk and validates what it reads, so the
kernels never have to. Every problem with a file raises :class:`AudioFileError`, whose message
names the file, what is wrong and what to do about it.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import soundfile as sf

from hearlab.dsp.resample import resample
from hearlab.errors import InputError

log = logging.getLogger(__name__)

READABLE_SUFFIXES = (".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3")
"""File name endings that :func:`read_audio` and the folder walkers treat as audio."""

WRITE_FORMATS = {"flac": "FLAC", "wav": "WAV"}
"""Output formats by file suffix (without the dot) and their soundfile names."""

BIT_DEPTHS = {16: "PCM_16", 24: "PCM_24"}


class AudioFileError(InputError):
    """A file that cannot be used as audio: missing, undecodable, empty or holding NaN/Inf."""


@dataclass(frozen=True)
class AudioInfo:
    """What a file holds before it is decoded.

    Attributes:
        sample_rate: Native sample rate in Hz.
        frames: Number of samples per channel.
        channels: Number of channels.
        format: soundfile's container name (``"WAV"``, ``"FLAC"``, ``"MP3"``...).
    """

    sample_rate: int
    frames: int
    channels: int
    format: str

    @property
    def duration_s(self) -> float:
        """Duration in seconds."""
        return self.frames / self.sample_rate


def audio_info(path: str | os.PathLike[str]) -> AudioInfo:
    """Reads a file's header without decoding its samples.

    Raises:
        AudioFileError: The file is missing or not a format soundfile can open.
    """
    _check_exists(path)
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError, TypeError) as error:
        raise AudioFileError(path, f"cannot be opened as audio ({error})", _DECODE_FIX) from error
    return AudioInfo(int(info.samplerate), int(info.frames), int(info.channels), str(info.format))


_DECODE_FIX = (
    "Check that it is a complete WAV, FLAC, OGG or MP3 file (re-export or re-download it), "
    "or remove it from the input"
)


def read_audio(
    path: str | os.PathLike[str],
    *,
    sample_rate: int | None = None,
    mono: bool = True,
) -> tuple[npt.NDArray[np.float32], int]:
    """Decodes an audio file to float32, optionally mixed to mono and resampled.

    Mono policy: channels are averaged (not summed, not the first taken); when that happens it is
    logged at INFO level with the file name.

    Args:
        path: A WAV, FLAC, OGG (Vorbis/Opus) or MP3 file.
        sample_rate: Target rate in Hz; resampled with soxr (HQ) when the file's rate differs.
            ``None`` keeps the file's rate.
        mono: Average the channels to one. With ``False`` the result has shape
            ``(channels, time)``.

    Returns:
        ``(audio, rate)``: audio of shape ``(time,)`` (or ``(channels, time)``), float32 in the
        file's own scale (no normalisation), and its sample rate in Hz.

    Raises:
        AudioFileError: Missing, undecodable, empty, or containing NaN/Inf samples.
    """
    _check_exists(path)
    try:
        data, file_rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as error:
        raise AudioFileError(path, f"cannot be decoded ({error})", _DECODE_FIX) from error
    if data.shape[0] == 0:
        raise AudioFileError(
            path, "holds no audio (0 samples)", "Re-export the recording or remove the file"
        )
    n_bad = int(data.size - np.count_nonzero(np.isfinite(data)))
    if n_bad:
        raise AudioFileError(
            path,
            f"holds {n_bad} NaN or infinite sample(s)",
            "The file is damaged or was written from a broken computation; re-create it",
        )
    audio = np.ascontiguousarray(data.T)  # (channels, time)
    if mono and audio.shape[0] > 1:
        log.info("%s: averaged %d channels to mono", path, audio.shape[0])
        audio = audio.mean(axis=0, keepdims=True)
    rate = int(file_rate)
    if sample_rate is not None and sample_rate != rate:
        audio = resample(audio, rate, sample_rate)
        rate = sample_rate
    out = audio[0] if mono else audio
    return np.ascontiguousarray(out, dtype=np.float32), rate


def write_audio(
    path: str | os.PathLike[str],
    audio: npt.ArrayLike,
    sample_rate: int,
    *,
    bit_depth: Literal[16, 24] = 16,
) -> Path:
    """Writes audio atomically (a temporary file in the same folder, then a rename).

    A reader never sees a half-written file, and a run killed mid-write leaves at most a hidden
    ``.*.tmp`` file that the next write of the same path replaces.

    Args:
        path: Destination; the suffix (``.flac`` or ``.wav``) chooses the format. Parent folders
            are created.
        audio: Shape ``(time,)`` or ``(channels, time)``, float in [-1, 1] (values beyond are
            clipped by the encoder).
        sample_rate: In Hz.
        bit_depth: 16 or 24 bit integer PCM.

    Returns:
        The path written.

    Raises:
        ValueError: Unknown suffix or bit depth, or audio that is empty or not finite.
    """
    out = Path(path)
    fmt = WRITE_FORMATS.get(out.suffix.lower().lstrip("."))
    if fmt is None:
        raise ValueError(f"{out}: cannot write {out.suffix!r}; use one of .flac, .wav")
    if bit_depth not in BIT_DEPTHS:
        raise ValueError(f"bit_depth must be 16 or 24, not {bit_depth}")
    data = np.asarray(audio, dtype=np.float32)
    if data.ndim == 2:
        data = data.T  # soundfile wants (time, channels)
    if data.size == 0 or not np.all(np.isfinite(data)):
        raise ValueError(f"{out}: refusing to write empty or non-finite audio")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            sf.write(handle, data, sample_rate, format=fmt, subtype=BIT_DEPTHS[bit_depth])
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def _check_exists(path: str | os.PathLike[str]) -> None:
    p = Path(path)
    if not p.exists():
        raise AudioFileError(path, "does not exist", "Check the path")
    if not p.is_file():
        raise AudioFileError(path, "is not a file", "Give an audio file, or a folder to walk")
    if p.stat().st_size == 0:
        raise AudioFileError(
            path, "is empty (0 bytes)", "Re-export or re-download it, or remove it from the input"
        )
