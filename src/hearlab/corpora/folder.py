"""Plain corpora: a folder of audio files with ``.txt`` transcripts, or a TSV manifest."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from hearlab.corpora.utterance import (
    CorpusError,
    Item,
    RowProblem,
    Utterance,
    path_inside,
    strip_suffix,
    tsv_columns,
    tsv_rows,
)
from hearlab.io import READABLE_SUFFIXES

MANIFEST_COLUMNS = ("path", "text")
"""Columns a manifest must have; ``split`` and ``id`` are optional, others go to ``meta``."""


def read_folder(
    root: str | os.PathLike[str], split: str = "all", *, allow_empty_text: bool = False
) -> Iterator[Item]:
    """Streams every audio file under a folder, recursively, in sorted path order.

    Audio is any file ending in :data:`hearlab.io.READABLE_SUFFIXES`; its transcript is the
    UTF-8 ``.txt`` file of the same name beside it. Hidden files and folders (names starting with
    ``.``) are skipped.

    Args:
        root: The folder to walk.
        split: Split name given to every item.
        allow_empty_text: Yield files with a missing or empty transcript as utterances (text
            ``""``) instead of problems.

    Yields:
        An :class:`Utterance` (``id``: path relative to ``root`` without suffix, ``/``-separated;
        ``meta``: ``{"path": relative path}``) or a :class:`RowProblem`.

    Raises:
        CorpusError: ``root`` is not a folder.
    """
    root_dir = Path(root)
    if not root_dir.is_dir():
        raise CorpusError(root_dir, "is not a folder", "Give a folder of audio files")
    return _walk_items(root_dir, split, allow_empty_text)


def _walk_items(root: Path, split: str, allow_empty: bool) -> Iterator[Item]:
    # stem -> first file name, per folder on the current path, to catch a.wav beside a.flac
    seen: dict[Path, dict[str, str]] = {}
    for folder, names in _walk(root):
        seen = {key: value for key, value in seen.items() if folder.is_relative_to(key)}
        stems = seen.setdefault(folder, {})
        for name in names:
            path = folder / name
            rel = path.relative_to(root).as_posix()
            utt_id = strip_suffix(rel)
            stem = Path(name).stem
            if stem in stems:
                yield RowProblem(
                    utt_id,
                    split,
                    str(path),
                    f"has the same id as {stems[stem]} beside it; rename or remove one",
                )
                continue
            stems[stem] = name
            transcript = path.with_suffix(".txt")
            text = _transcript(transcript)
            if not (text or "").strip() and not allow_empty:
                state = "no readable" if text is None else "an empty"
                yield RowProblem(
                    utt_id,
                    split,
                    str(path),
                    f"has {state} transcript {transcript.name} beside it; write it (UTF-8), "
                    "or pass allow_empty_text=True",
                )
                continue
            yield Utterance(utt_id, split, path, None, (text or "").strip(), {"path": rel})


def _walk(folder: Path) -> Iterator[tuple[Path, list[str]]]:
    """Yields ``(folder, audio file names)`` depth-first in sorted order, one folder at a time."""
    with os.scandir(folder) as entries:
        listing = sorted(
            (entry.name, entry.is_dir()) for entry in entries if not entry.name.startswith(".")
        )
    # Files and sub-folders interleave by name, so the order equals sorting the relative paths.
    pending: list[str] = []
    for name, is_dir in listing:
        if is_dir:
            if pending:
                yield folder, pending
                pending = []
            yield from _walk(folder / name)
        elif Path(name).suffix.lower() in READABLE_SUFFIXES:
            pending.append(name)
    if pending:
        yield folder, pending


def _transcript(path: Path) -> str | None:
    """The text of a transcript file, or ``None`` when there is none (or it is not UTF-8)."""
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError, UnicodeDecodeError):
        return None


def read_manifest(
    tsv_path: str | os.PathLike[str], *, allow_empty_text: bool = False
) -> Iterator[Item]:
    """Streams a TSV manifest, row by row.

    Columns: ``path`` (audio, relative to the manifest's folder) and ``text`` are required;
    ``split`` (default ``"all"``) and ``id`` (default: ``path`` without its suffix) are optional;
    every column is kept in ``meta``.

    Args:
        tsv_path: The manifest (UTF-8, tab-separated, no quoting).
        allow_empty_text: Yield rows with empty ``text`` as utterances instead of problems.

    Yields:
        An :class:`Utterance` per usable row, or a :class:`RowProblem` (absolute path, path
        escaping the manifest's folder, missing file, empty text, malformed row).

    Raises:
        CorpusError: The manifest is missing or lacks the ``path`` or ``text`` column.
    """
    tsv = Path(tsv_path)
    fix = "A manifest needs tab-separated 'path' and 'text' columns (optional: 'split', 'id')"
    columns = tsv_columns(tsv, MANIFEST_COLUMNS, fix)
    return _manifest_items(tsv, columns, allow_empty_text)


def _manifest_items(tsv: Path, columns: tuple[str, ...], allow_empty: bool) -> Iterator[Item]:
    base = tsv.parent
    for line, row in tsv_rows(tsv, columns):
        source = f"{tsv}:{line}"
        where = f"{tsv.name} line {line}"
        if isinstance(row, str):
            yield RowProblem("", "all", source, f"{where} {row}")
            continue
        split = row.get("split") or "all"
        utt_id = row.get("id") or strip_suffix(row["path"])
        audio = path_inside(base, row["path"])
        if audio is None:
            reason = (
                f"{where}: path {row['path']!r} escapes the manifest's folder {base}; give it "
                "relative to that folder, or move the manifest up"
            )
        elif not audio.is_file():
            reason = f"{where}: {row['path']} is missing; restore the file or drop the row"
        elif not row["text"].strip() and not allow_empty:
            reason = f"{where}: empty text; fix the manifest or drop the row"
        else:
            yield Utterance(utt_id, split, audio, None, row["text"], row)
            continue
        yield RowProblem(utt_id, split, source, reason)
