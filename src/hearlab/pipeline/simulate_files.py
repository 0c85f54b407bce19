"""``hearlab simulate``: audio files or folders in, one folder of simulated audio per profile out.

Every input is accounted for: it is either written once per profile or listed in
``failures.tsv`` with the reason, and :func:`simulate_files` checks ``inputs = written + failed``
for every profile before it returns. ``run.json`` beside the outputs records what ran.

Each file is decoded and resampled once; the batch of decoded clips then goes through the kernel
once per profile. Decoding and writing run in a small thread pool (soundfile and soxr release the
GIL); memory is bounded by one batch.
"""

from __future__ import annotations

import csv
import json
import logging
import platform
import re
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import torch

from hearlab.audiogram import Audiogram
from hearlab.hearing import SilentAudioWarning, attenuate
from hearlab.io import READABLE_SUFFIXES, AudioFileError, read_audio, write_audio

log = logging.getLogger(__name__)

PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class SimulateSettings:
    """How ``simulate`` turns inputs into outputs (saved in ``run.json``).

    Attributes:
        sample_rate: Every input is resampled to this rate (Hz) before simulation; the original
            study used 16 kHz.
        n_fft: STFT size in samples.
        hop_length: STFT hop in samples.
        normalize: ``"peak"`` (the study) or ``"none"``.
        format: Output container, ``"flac"`` or ``"wav"``.
        bit_depth: Output PCM bit depth, 16 or 24.
        batch_size: Files decoded and simulated together.
        workers: Threads for decoding and writing.
    """

    sample_rate: int = 16000
    n_fft: int = 2048
    hop_length: int = 512
    normalize: Literal["peak", "none"] = "peak"
    format: Literal["flac", "wav"] = "flac"
    bit_depth: Literal[16, 24] = 16
    batch_size: int = 8
    workers: int = 2


@dataclass(frozen=True)
class Source:
    """One input file and where its outputs go, relative to each profile folder."""

    path: Path
    relative: Path


@dataclass(frozen=True)
class Failure:
    """An input that produced no output, and why.

    Attributes:
        path: The input file.
        reason: What went wrong and how to fix it.
        profile: The one profile that has no output for it, or ``""`` for all of them.
    """

    path: str
    reason: str
    profile: str = ""


@dataclass
class SimulateReport:
    """What a run did: counts per profile, the failures, and timings."""

    inputs: int
    written: dict[str, int]
    failures: list[Failure]
    audio_seconds: float = 0.0
    wall_seconds: float = 0.0
    unaccounted: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nothing failed and every input is accounted for in every profile."""
        return not self.failures and not self.unaccounted


def discover_sources(
    inputs: Sequence[Path], exclude: Path | None = None
) -> tuple[list[Source], list[Failure]]:
    """Expands files and folders into sources with their output-relative paths.

    A folder contributes every file under it whose suffix is an audio suffix (recursively,
    sorted), keeping its path relative to that folder; a file given directly keeps its name.
    Anything under ``exclude`` (the output folder) is skipped so a re-run never reads its own
    outputs. A missing input, or two inputs that would write the same output, become failures.
    """
    sources: list[Source] = []
    failures: list[Failure] = []
    claimed: dict[Path, Path] = {}
    excluded = exclude.resolve() if exclude is not None else None

    def add(path: Path, relative: Path) -> None:
        key = relative.with_suffix("")
        if key in claimed:
            failures.append(
                Failure(
                    str(path),
                    f"its output name {key} is already used by {claimed[key]}; "
                    "rename one of them or simulate them in separate runs",
                )
            )
            return
        claimed[key] = path
        sources.append(Source(path, relative))

    for item in inputs:
        if item.is_dir():
            for path in sorted(p for p in item.rglob("*") if p.is_file()):
                if path.suffix.lower() not in READABLE_SUFFIXES:
                    continue
                if excluded is not None and path.resolve().is_relative_to(excluded):
                    continue
                add(path, path.relative_to(item))
        elif item.exists():
            add(item, Path(item.name))
        else:
            failures.append(Failure(str(item), "does not exist; check the path"))
    return sources, failures


def simulate_files(
    inputs: Sequence[Path],
    audiograms: Sequence[Audiogram],
    out_dir: Path,
    settings: SimulateSettings | None = None,
    *,
    on_progress: Callable[[int, int], None] | None = None,
) -> SimulateReport:
    """Simulates every profile on every input file and writes the results.

    Writes ``out_dir/<profile>/<relative path>.<format>`` for each input, ``failures.tsv``
    (``path``, ``profile`` — ``*`` for all —, ``reason``; header only when nothing failed) and
    ``run.json``.

    Args:
        inputs: Audio files and/or folders.
        audiograms: One per output folder, named by ``Audiogram.name``.
        out_dir: Output root (created).
        settings: Processing settings; defaults reproduce the original study.
        on_progress: Called as ``on_progress(done, total)`` after each batch.

    Returns:
        The report; ``report.ok`` is False when any input failed or an input is unaccounted for.

    Raises:
        ValueError: No audiograms, duplicate profile names, or a name unfit for a folder.
    """
    settings = settings or SimulateSettings()
    _check_profile_names(audiograms)
    started = time.perf_counter()
    sources, failures = discover_sources(inputs, exclude=out_dir)
    n_inputs = len(sources) + len(failures)
    written = {a.name: 0 for a in audiograms}
    audio_seconds = 0.0
    out_dir.mkdir(parents=True, exist_ok=True)

    with ThreadPoolExecutor(max_workers=max(1, settings.workers)) as pool:
        done = 0
        for batch in _batches(sources, settings.batch_size):
            decoded = list(pool.map(lambda s: _decode(s, settings.sample_rate), batch))
            clips: list[tuple[Source, npt.NDArray[np.float32]]] = []
            for source, result in zip(batch, decoded, strict=True):
                if isinstance(result, Failure):
                    failures.append(result)
                    log.warning("skipped %s: %s", result.path, result.reason)
                else:
                    clips.append((source, result))
            audio_seconds += sum(len(a) for _, a in clips) / settings.sample_rate
            for source, audio in clips:
                if not np.any(audio):
                    log.warning("%s is silent (all zeros); its outputs are silent too", source.path)
            for audiogram in audiograms:
                outputs = _simulate_batch([a for _, a in clips], audiogram, settings)
                jobs = [
                    pool.submit(_write, out_dir, audiogram.name, source, audio, settings)
                    for (source, _), audio in zip(clips, outputs, strict=True)
                ]
                for job in jobs:
                    outcome = job.result()
                    if isinstance(outcome, Failure):
                        failures.append(outcome)
                        log.warning("could not write %s: %s", outcome.path, outcome.reason)
                    else:
                        written[audiogram.name] += 1
            done += len(batch)
            if on_progress is not None:
                on_progress(done, len(sources))

    unaccounted = {}
    for name, count in written.items():
        failed = sum(1 for f in failures if f.profile in ("", name))
        if count + failed != n_inputs:
            unaccounted[name] = n_inputs - count - failed
    report = SimulateReport(
        inputs=n_inputs,
        written=written,
        failures=failures,
        audio_seconds=audio_seconds,
        wall_seconds=time.perf_counter() - started,
        unaccounted=unaccounted,
    )
    _write_failures(out_dir / "failures.tsv", failures)
    _write_run_json(out_dir / "run.json", inputs, audiograms, settings, report)
    return report


def _check_profile_names(audiograms: Sequence[Audiogram]) -> None:
    if not audiograms:
        raise ValueError("no profile given: name at least one built-in profile or audiogram file")
    names = [a.name for a in audiograms]
    for name in names:
        if not PROFILE_NAME.match(name):
            raise ValueError(
                f"profile name {name!r} cannot name an output folder; use letters, digits, "
                "'.', '_' or '-' (set 'name' in the audiogram file)"
            )
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(
            f"profile name(s) {', '.join(duplicates)} given twice; each profile needs its own "
            "output folder (give audiogram files distinct 'name' fields)"
        )


def _batches(sources: Sequence[Source], size: int) -> Iterator[Sequence[Source]]:
    step = max(1, size)
    for start in range(0, len(sources), step):
        yield sources[start : start + step]


def _decode(source: Source, sample_rate: int) -> npt.NDArray[np.float32] | Failure:
    try:
        audio, _ = read_audio(source.path, sample_rate=sample_rate)
    except AudioFileError as error:
        return Failure(str(source.path), f"{error.problem}. {error.fix}")
    return audio


def _simulate_batch(
    clips: Sequence[npt.NDArray[np.float32]], audiogram: Audiogram, settings: SimulateSettings
) -> list[npt.NDArray[np.float32]]:
    if not clips:
        return []
    # Longest first: the kernel's CPU path groups neighbouring clips, so similar lengths pad less.
    order = sorted(range(len(clips)), key=lambda i: -len(clips[i]))
    lengths = [len(clips[i]) for i in order]
    batch = torch.zeros(len(clips), lengths[0])
    for row, i in enumerate(order):
        batch[row, : lengths[row]] = torch.from_numpy(clips[i])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SilentAudioWarning)  # logged per file by the caller
        out = attenuate(
            batch,
            settings.sample_rate,
            audiogram,
            n_fft=settings.n_fft,
            hop_length=settings.hop_length,
            normalize=settings.normalize,
            lengths=lengths,
        ).numpy()
    results: list[npt.NDArray[np.float32]] = [out[0]] * len(clips)
    for row, i in enumerate(order):
        results[i] = out[row, : lengths[row]]
    return results


def _write(
    out_dir: Path,
    profile: str,
    source: Source,
    audio: npt.NDArray[np.float32],
    settings: SimulateSettings,
) -> Path | Failure:
    target = out_dir / profile / source.relative.with_suffix(f".{settings.format}")
    try:
        return write_audio(target, audio, settings.sample_rate, bit_depth=settings.bit_depth)
    except (OSError, ValueError, RuntimeError) as error:
        reason = f"could not write {target} ({error}); check free space and permissions"
        return Failure(str(source.path), reason, profile)


def _write_failures(path: Path, failures: Sequence[Failure]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["path", "profile", "reason"])
        for failure in failures:
            writer.writerow([failure.path, failure.profile or "*", failure.reason])


def package_versions() -> dict[str, str]:
    """Versions of Python and of the packages that shape the numbers, for ``run.json``."""
    versions = {"python": platform.python_version()}
    for name in ("hearlab", "torch", "numpy", "soundfile", "soxr"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _write_run_json(
    path: Path,
    inputs: Sequence[Path],
    audiograms: Sequence[Audiogram],
    settings: SimulateSettings,
    report: SimulateReport,
) -> None:
    record = {
        "command": "simulate",
        "inputs": [str(p) for p in inputs],
        "profiles": [a.to_dict() for a in audiograms],
        "settings": asdict(settings),
        "counts": {
            "inputs": report.inputs,
            "written": report.written,
            "failed": len(report.failures),
            "unaccounted": report.unaccounted,
        },
        "audio_seconds": round(report.audio_seconds, 3),
        "wall_seconds": round(report.wall_seconds, 3),
        "versions": package_versions(),
    }
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
