"""The records every corpus reader yields, and the small helpers the readers share.

A reader streams :data:`Item` values: an :class:`Utterance` for every usable row, a
:class:`RowProblem` for every row that cannot be used (missing clip, empty transcript, a path that
escapes its folder...), so that inputs seen = utterances + problems always holds and nothing is
dropped silently. Problems with the whole corpus raise :class:`CorpusError` instead.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from hearlab.dsp.resample import resample
from hearlab.errors import InputError
from hearlab.io import read_audio


class CorpusError(InputError):
    """A corpus that cannot be read at all: no root, no split files, a TSV without its columns."""


@dataclass(frozen=True)
class Utterance:
    """One recording and its transcript, as a corpus lists it.

    Attributes:
        id: Identifier unique within the corpus (e.g. ``common_voice_en_1``, ``84-121123-0000``).
        split: Split name exactly as the source names it (``train``, ``dev``, ``dev-clean``...).
        audio: A file to decode later, or a float32 array of shape ``(time,)`` already decoded.
        sample_rate: Rate of ``audio`` in Hz; ``None`` when ``audio`` is a file not yet inspected.
        text: The transcript (may be empty only when the reader was asked to allow it).
        meta: Every column the source had, as strings, in the source's column order, untouched.
            It is a plain ``dict``: treat it as read-only.
    """

    id: str
    split: str
    audio: Path | npt.NDArray[np.float32]
    sample_rate: int | None
    text: str
    meta: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.audio, np.ndarray):
            if self.audio.ndim != 1 or self.audio.dtype != np.float32:
                raise ValueError(
                    f"utterance {self.id!r}: array audio must be float32 of shape (time,), got "
                    f"{self.audio.dtype} of shape {self.audio.shape}; mix to mono and convert first"
                )
            if self.sample_rate is None or self.sample_rate <= 0:
                raise ValueError(
                    f"utterance {self.id!r}: array audio needs its sample rate in Hz, got "
                    f"{self.sample_rate}; pass sample_rate="
                )
        elif not isinstance(self.audio, Path):
            raise TypeError(
                f"utterance {self.id!r}: audio must be a pathlib.Path or a numpy array, not "
                f"{type(self.audio).__name__}; wrap strings in Path()"
            )

    def load(self, sample_rate: int | None = None) -> tuple[npt.NDArray[np.float32], int]:
        """Decodes (or takes) the audio as mono float32, resampled when asked.

        Args:
            sample_rate: Wanted rate in Hz; ``None`` keeps the native rate.

        Returns:
            ``(audio, rate)``: float32 of shape ``(time,)`` and its rate in Hz.

        Raises:
            hearlab.io.AudioFileError: The file is missing, undecodable, empty or not finite.
        """
        if isinstance(self.audio, Path):
            return read_audio(self.audio, sample_rate=sample_rate, mono=True)
        assert self.sample_rate is not None  # checked in __post_init__
        if sample_rate is None or sample_rate == self.sample_rate:
            return self.audio, self.sample_rate
        return resample(self.audio, self.sample_rate, sample_rate), sample_rate


@dataclass(frozen=True)
class RowProblem:
    """A row (or file) of a corpus that could not become an :class:`Utterance`.

    Attributes:
        id: The id the row would have had (``""`` when it cannot be told).
        split: The split the row belongs to.
        source: Where it was found: ``file:line`` for table rows, the file for folder corpora.
        reason: What is wrong and how to fix it.
    """

    id: str
    split: str
    source: str
    reason: str


Item: TypeAlias = Utterance | RowProblem
"""What a reader yields: an utterance, or the reason a row could not be one."""


def strip_suffix(path: str) -> str:
    """A ``/``-separated relative path without its file suffix (``a/b.mp3`` -> ``a/b``)."""
    return str(PurePosixPath(path).with_suffix("")) if PurePosixPath(path).suffix else path


def path_inside(base: Path, relative: str) -> Path | None:
    """Joins ``relative`` to ``base``, or ``None`` when it is absolute or escapes ``base``.

    The check is on the normalised path, not on symlink targets, so corpora whose files are
    symlinks (git-annex, DataLad, deduplicated stores) are still accepted.
    """
    if not relative or PurePosixPath(relative).is_absolute() or Path(relative).is_absolute():
        return None
    base_norm = Path(os.path.normpath(base.absolute()))
    joined = Path(os.path.normpath(base_norm / relative))
    return joined if joined.is_relative_to(base_norm) and joined != base_norm else None


def tsv_columns(path: Path, required: Sequence[str], fix: str) -> tuple[str, ...]:
    """Reads a TSV's header row and checks it.

    Args:
        path: The TSV file (UTF-8, tab-separated, no quoting).
        required: Columns that must be present.
        fix: What the user should do when a column is missing.

    Returns:
        The column names in file order.

    Raises:
        CorpusError: Missing or unreadable file, no header, duplicate or missing columns.
    """
    if not path.is_file():
        raise CorpusError(path, "does not exist or is not a file", fix)
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        header = next(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), None)
    if not header:
        raise CorpusError(path, "is empty (no header row)", fix)
    columns = tuple(header)
    if not all(_is_utf8(name) for name in columns):
        raise CorpusError(path, "has a header that is not valid UTF-8", "Re-save the file as UTF-8")
    duplicates = sorted({name for name in columns if columns.count(name) > 1})
    if duplicates:
        raise CorpusError(path, f"repeats column(s) {duplicates}", "Give every column its own name")
    missing = [name for name in required if name not in columns]
    if missing:
        raise CorpusError(path, f"lacks required column(s) {missing} (has {list(columns)})", fix)
    return columns


def tsv_rows(path: Path, columns: Sequence[str]) -> Iterator[tuple[int, dict[str, str] | str]]:
    """Streams a TSV's data rows, one at a time, after its header.

    Blank lines are skipped (they are not rows). Every other line yields ``(line, row)`` where
    ``row`` is the column -> value dict in column order, or a string saying why the line is not a
    usable row (wrong number of fields, invalid UTF-8).

    Args:
        path: The TSV file, whose header :func:`tsv_columns` has already checked.
        columns: Its columns, as :func:`tsv_columns` returned them.
    """
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader, None)
        for fields in reader:
            if not fields:
                continue
            line = reader.line_num
            if not all(_is_utf8(value) for value in fields):
                yield line, "is not valid UTF-8; re-save the TSV as UTF-8"
            elif len(fields) != len(columns):
                yield (
                    line,
                    (
                        f"has {len(fields)} fields but the header has {len(columns)}; "
                        "fix the tabs in this row of the TSV or drop the row"
                    ),
                )
            else:
                yield line, dict(zip(columns, fields, strict=True))


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
