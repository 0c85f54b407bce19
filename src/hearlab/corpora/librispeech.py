"""LibriSpeech: ``root/<split>/<speaker>/<chapter>/`` with FLAC clips and a ``.trans.txt`` each."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from hearlab.corpora.utterance import CorpusError, Item, RowProblem, Utterance


def read_librispeech(
    root: str | os.PathLike[str],
    splits: Sequence[str] | None = None,
    *,
    allow_empty_text: bool = False,
) -> Iterator[Item]:
    """Streams LibriSpeech splits, chapter by chapter, in sorted order.

    Every transcript line and every FLAC file is accounted for: a line whose FLAC is missing, a
    FLAC with no line, a malformed or empty line each yield a :class:`RowProblem`.

    Args:
        root: The folder holding the split folders (``dev-clean``, ``test-clean``...).
        splits: Split folder names; ``None`` takes every sub-folder of ``root`` that holds speaker
            folders (named by digits), sorted.
        allow_empty_text: Yield lines with an id but no words as utterances instead of problems.

    Yields:
        An :class:`Utterance` (``meta``: ``speaker``, ``chapter``) or a :class:`RowProblem`.

    Raises:
        CorpusError: ``root`` missing, no split folder found, or a split asked for that is not a
            folder of ``root``.
    """
    root_dir = Path(root)
    if not root_dir.is_dir():
        raise CorpusError(root_dir, "is not a folder", "Give the folder holding e.g. dev-clean/")
    found = sorted(p.name for p in root_dir.iterdir() if _holds_speakers(p))
    if splits is None:
        if not found:
            raise CorpusError(
                root_dir,
                "holds no split folder (<split>/<speaker>/<chapter>/)",
                "Give the LibriSpeech folder that holds e.g. dev-clean/",
            )
        names: tuple[str, ...] = tuple(found)
    else:
        names = (splits,) if isinstance(splits, str) else tuple(splits)
        for name in names:
            if not (root_dir / name).is_dir():
                raise CorpusError(
                    root_dir / name, f"no such split {name!r}", f"Choose among {found}"
                )
    return _stream(root_dir, names, allow_empty_text)


def _holds_speakers(folder: Path) -> bool:
    return folder.is_dir() and any(p.is_dir() and p.name.isdigit() for p in folder.iterdir())


def _subfolders(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir())


def _stream(root: Path, splits: tuple[str, ...], allow_empty: bool) -> Iterator[Item]:
    for split in splits:
        for speaker in _subfolders(root / split):
            for chapter in _subfolders(speaker):
                yield from _chapter(chapter, split, speaker.name, allow_empty)


def _chapter(folder: Path, split: str, speaker: str, allow_empty: bool) -> Iterator[Item]:
    """Yields one chapter's items: its transcript lines in order, then FLACs left unlisted."""
    chapter = folder.name
    prefix = f"{speaker}-{chapter}"
    flacs = {p.stem: p for p in folder.iterdir() if p.suffix.lower() == ".flac" and p.is_file()}
    meta = {"speaker": speaker, "chapter": chapter}
    trans = folder / f"{prefix}.trans.txt"
    listed: set[str] = set()
    if trans.is_file():
        with trans.open(encoding="utf-8", errors="surrogateescape") as handle:
            for number, raw in enumerate(handle, start=1):
                line = raw.rstrip("\r\n")
                if not line.strip():
                    continue
                source = f"{trans}:{number}"
                utt_id, _, text = line.partition(" ")
                problem = _line_problem(utt_id, text, prefix, listed, flacs, allow_empty)
                listed.add(utt_id)
                if problem:
                    yield RowProblem(utt_id, split, source, f"{trans.name} line {number} {problem}")
                else:
                    yield Utterance(utt_id, split, flacs[utt_id], None, text, dict(meta))
    for stem in sorted(flacs.keys() - listed):
        yield RowProblem(
            stem,
            split,
            str(flacs[stem]),
            f"{flacs[stem].name} has no line in {trans.name}; add its transcript or remove it",
        )


def _line_problem(
    utt_id: str,
    text: str,
    prefix: str,
    listed: set[str],
    flacs: dict[str, Path],
    allow_empty: bool,
) -> str | None:
    """Why a transcript line ``<id> <TEXT>`` cannot be used, or ``None``."""
    if not utt_id.startswith(f"{prefix}-"):
        return f"has id {utt_id!r}, not of this chapter ({prefix}-NNNN); fix the line"
    if utt_id in listed:
        return f"repeats id {utt_id!r}; remove the duplicate line"
    if utt_id not in flacs:
        return f"lists {utt_id!r} but {utt_id}.flac is missing; restore it or drop the line"
    if not text.strip() and not allow_empty:
        return "has no transcript text; fix the line or drop it"
    return None
