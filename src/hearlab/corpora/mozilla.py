"""Mozilla Common Voice, as released: ``root/clips/*.mp3`` and ``root/<split>.tsv``."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
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

REQUIRED_COLUMNS = ("path", "sentence")
"""Columns a Common Voice split TSV must have; all others are carried in ``meta``."""


def read_mozilla(
    root: str | os.PathLike[str],
    splits: Sequence[str] = ("train", "dev", "test"),
    *,
    allow_empty_text: bool = False,
) -> Iterator[Item]:
    """Streams a Common Voice release, split by split, row by row.

    The layout is checked when this is called; rows are read only as the generator is consumed.
    Clips are not decoded or inspected here (``sample_rate`` is ``None``): a damaged clip shows up
    when :meth:`Utterance.load` raises :class:`hearlab.io.AudioFileError`.

    Args:
        root: The release folder holding ``clips/`` and the split TSVs.
        splits: Split names, each a ``<name>.tsv`` in ``root`` (``train``, ``dev``, ``test``,
            ``validated``, ``other``, ``invalidated``...). Names are kept exactly (``dev`` stays
            ``dev``).
        allow_empty_text: Yield rows with an empty ``sentence`` as utterances instead of problems.

    Yields:
        An :class:`Utterance` per usable row (``id`` is the ``path`` column without its suffix,
        ``meta`` every column of the row), or a :class:`RowProblem` per row that is not.

    Raises:
        CorpusError: ``root`` or ``root/clips`` missing, a split with no TSV, or a TSV lacking
            the ``path`` or ``sentence`` column.
    """
    root_dir = Path(root)
    if not root_dir.is_dir():
        raise CorpusError(root_dir, "is not a folder", "Give the Common Voice release folder")
    clips = root_dir / "clips"
    if not clips.is_dir():
        raise CorpusError(
            clips, "does not exist", "A Common Voice release keeps its clips/ beside the TSVs"
        )
    names = (splits,) if isinstance(splits, str) else tuple(splits)
    if not names:
        raise CorpusError(root_dir, "no splits asked for", "Pass at least one split name")
    available = sorted(p.stem for p in root_dir.glob("*.tsv"))
    tables: list[tuple[str, Path, tuple[str, ...]]] = []
    for name in names:
        tsv = root_dir / f"{name}.tsv"
        if not tsv.is_file():
            raise CorpusError(
                tsv, f"no such split {name!r}", f"Choose among the TSVs present: {available}"
            )
        fix = "A Common Voice split TSV needs tab-separated 'path' and 'sentence' columns"
        tables.append((name, tsv, tsv_columns(tsv, REQUIRED_COLUMNS, fix)))
    return _stream(clips, tables, allow_empty_text)


def _stream(
    clips: Path, tables: list[tuple[str, Path, tuple[str, ...]]], allow_empty_text: bool
) -> Iterator[Item]:
    for split, tsv, columns in tables:
        for line, row in tsv_rows(tsv, columns):
            yield _item(clips, split, tsv, line, row, allow_empty_text)


def _item(
    clips: Path, split: str, tsv: Path, line: int, row: dict[str, str] | str, allow_empty: bool
) -> Item:
    source = f"{tsv}:{line}"
    if isinstance(row, str):
        return RowProblem("", split, source, f"{tsv.name} line {line} {row}")
    clip_name = row["path"]
    utt_id = strip_suffix(clip_name)
    where = f"{tsv.name} line {line}"
    if not clip_name:
        return RowProblem("", split, source, f"{where} has an empty path; fill it or drop the row")
    clip = path_inside(clips, clip_name)
    if clip is None:
        return RowProblem(
            utt_id,
            split,
            source,
            f"{where} has path {clip_name!r}, which escapes clips/; give the clip's name "
            "relative to clips/ or drop the row",
        )
    if not clip.is_file():
        return RowProblem(
            utt_id,
            split,
            source,
            f"listed in {where} but missing in clips/ ({clip_name}); restore the clip or drop "
            "the row",
        )
    if not row["sentence"].strip() and not allow_empty:
        return RowProblem(
            utt_id, split, source, f"{where}: empty sentence; fix the TSV or drop the row"
        )
    return Utterance(utt_id, split, clip, None, row["sentence"], row)
