"""Corpus readers on small corpora built in tmp_path: every row accounted for, nothing raised."""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from hearlab.corpora import (
    CorpusError,
    Item,
    RowProblem,
    Utterance,
    read_folder,
    read_librispeech,
    read_manifest,
    read_mozilla,
)
from hearlab.dsp.signals import speech_like, white_noise
from hearlab.io import AudioFileError

CV_COLUMNS = [
    "client_id",
    "path",
    "sentence",
    "up_votes",
    "down_votes",
    "age",
    "gender",
    "accents",
    "locale",
    "segment",
]


def _write(path: Path, y: np.ndarray, sr: int, fmt: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, y, sr, format=fmt)
    return path


def _tsv(path: Path, columns: list[str], rows: Iterable[list[str]]) -> Path:
    lines = ["\t".join(columns), *("\t".join(row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _split(items: Iterable[Item]) -> tuple[list[Utterance], list[RowProblem]]:
    utterances: list[Utterance] = []
    problems: list[RowProblem] = []
    for item in items:
        if isinstance(item, Utterance):
            utterances.append(item)
        else:
            assert isinstance(item, RowProblem)
            problems.append(item)
    return utterances, problems


def _cv_row(name: str, sentence: str, accents: str = "") -> list[str]:
    return ["c1", name, sentence, "2", "0", "twenties", "female", accents, "en", ""]


@pytest.fixture
def cv_root(tmp_path: Path) -> Path:
    """A Common Voice release with every kind of row problem the reader must report."""
    root = tmp_path / "cv"
    clips = root / "clips"
    _write(clips / "a.mp3", speech_like(0.5, 16000, seed=1), 16000, "MP3")
    stereo = np.stack([speech_like(0.5, 44100, seed=2), white_noise(0.5, 44100, seed=3)], axis=1)
    _write(clips / "stereo.mp3", stereo, 44100, "MP3")
    (clips / "corrupt.mp3").write_bytes(b"ID3 this is not an mp3 frame" * 20)
    _write(clips / "d.mp3", speech_like(0.3, 16000, seed=4), 16000, "MP3")
    _write(clips / "v.mp3", speech_like(0.3, 16000, seed=5), 16000, "MP3")
    _tsv(
        root / "train.tsv",
        CV_COLUMNS,
        [
            _cv_row("a.mp3", "Hello there.", "England English,Scottish English, ñandú"),
            _cv_row("stereo.mp3", "A stereo clip."),
            _cv_row("corrupt.mp3", "Broken audio."),
            _cv_row("gone.mp3", "Listed but not on disk."),
        ],
    )
    _tsv(
        root / "dev.tsv",
        CV_COLUMNS,
        [_cv_row("d.mp3", ""), _cv_row("../train.tsv", "Escape."), _cv_row("/etc/passwd", "x")],
    )
    _tsv(root / "test.tsv", CV_COLUMNS, [_cv_row("d.mp3", 'He said "hi" \u2014 twice')])
    _tsv(root / "validated.tsv", CV_COLUMNS, [_cv_row("v.mp3", "Validated.")])
    return root


def _data_rows(tsv: Path) -> int:
    return sum(1 for line in tsv.read_text(encoding="utf-8").splitlines()[1:] if line)


def test_mozilla_accounts_for_every_row(cv_root: Path) -> None:
    items = read_mozilla(cv_root)
    assert inspect.isgenerator(items)
    utterances, problems = _split(items)
    n_rows = sum(_data_rows(cv_root / f"{s}.tsv") for s in ("train", "dev", "test"))
    assert len(utterances) + len(problems) == n_rows == 8
    assert [u.id for u in utterances] == ["a", "stereo", "corrupt", "d"]
    assert [u.split for u in utterances] == ["train", "train", "train", "test"]
    assert all(u.sample_rate is None and isinstance(u.audio, Path) for u in utterances)
    assert utterances[0].audio == cv_root / "clips" / "a.mp3"

    by_id = {p.id: p for p in problems}
    assert set(by_id) == {"gone", "d", "../train", "/etc/passwd"}
    assert "listed in train.tsv line 5 but missing in clips/" in by_id["gone"].reason
    assert by_id["gone"].source == f"{cv_root / 'train.tsv'}:5"
    assert by_id["d"].split == "dev"
    assert "empty sentence; fix the TSV or drop the row" in by_id["d"].reason
    assert "escapes clips/" in by_id["../train"].reason
    assert "escapes clips/" in by_id["/etc/passwd"].reason


def test_mozilla_meta_carries_every_column_untouched(cv_root: Path) -> None:
    utterances, _ = _split(read_mozilla(cv_root, splits=("train", "test")))
    first = utterances[0]
    assert list(first.meta) == CV_COLUMNS
    assert first.meta["accents"] == "England English,Scottish English, ñandú"
    assert first.meta["segment"] == ""
    assert first.meta["path"] == "a.mp3"
    assert first.text == "Hello there."
    assert utterances[-1].text == 'He said "hi" \u2014 twice'  # QUOTE_NONE: quotes kept


def test_mozilla_allow_empty_text(cv_root: Path) -> None:
    utterances, problems = _split(read_mozilla(cv_root, splits=["dev"], allow_empty_text=True))
    assert [(u.id, u.split, u.text) for u in utterances] == [("d", "dev", "")]
    assert len(problems) == 2


def test_mozilla_load_stereo_44k_to_mono_16k(cv_root: Path) -> None:
    utterances, _ = _split(read_mozilla(cv_root, splits=("train",)))
    stereo = next(u for u in utterances if u.id == "stereo")
    audio, rate = stereo.load(16000)
    assert rate == 16000
    assert audio.ndim == 1 and audio.dtype == np.float32
    assert abs(audio.shape[0] - 8000) < 0.05 * 8000  # MP3 pads a little
    native, native_rate = stereo.load()
    assert native_rate == 44100 and native.ndim == 1


def test_mozilla_corrupt_clip_is_yielded_and_fails_on_load(cv_root: Path) -> None:
    utterances, _ = _split(read_mozilla(cv_root, splits=("train",)))
    corrupt = next(u for u in utterances if u.id == "corrupt")
    with pytest.raises(AudioFileError, match=r"corrupt\.mp3"):
        corrupt.load(16000)


def test_mozilla_other_splits_and_errors(cv_root: Path) -> None:
    utterances, problems = _split(read_mozilla(cv_root, splits=("validated",)))
    assert [(u.id, u.split) for u in utterances] == [("v", "validated")]
    assert problems == []
    with pytest.raises(CorpusError, match=r"no such split 'nope'.*train"):
        read_mozilla(cv_root, splits=("train", "nope"))
    _tsv(cv_root / "broken.tsv", ["client_id", "path"], [["c", "a.mp3"]])
    with pytest.raises(CorpusError, match=r"broken\.tsv.*sentence"):
        read_mozilla(cv_root, splits=("broken",))
    with pytest.raises(CorpusError, match="not a folder"):
        read_mozilla(cv_root / "missing")


def test_mozilla_row_with_wrong_field_count_is_a_problem(cv_root: Path) -> None:
    with (cv_root / "other.tsv").open("w", encoding="utf-8") as handle:
        handle.write("path\tsentence\n" + "a.mp3\tone\textra\n" + "\n" + "v.mp3\tok\n")
    utterances, problems = _split(read_mozilla(cv_root, splits=("other",)))
    assert [u.id for u in utterances] == ["v"]
    assert utterances[0].meta == {"path": "v.mp3", "sentence": "ok"}
    assert len(problems) == 1 and "3 fields but the header has 2" in problems[0].reason


def _flac(path: Path, seed: int) -> None:
    _write(path, speech_like(0.2, 16000, seed=seed), 16000, "FLAC")


def test_librispeech_two_splits(tmp_path: Path) -> None:
    root = tmp_path / "LibriSpeech"
    dev = root / "dev-clean" / "84" / "121123"
    _flac(dev / "84-121123-0000.flac", 1)
    _flac(dev / "84-121123-0001.flac", 2)
    _flac(dev / "84-121123-0003.flac", 3)  # no transcript line
    (dev / "84-121123.trans.txt").write_text(
        "84-121123-0000 GO DO YOU HEAR\n"
        "84-121123-0001 BUT IN LESS THAN FIVE MINUTES\n"
        "84-121123-0002 THE STAIRCASE GROANED\n",  # no flac
        encoding="utf-8",
    )
    test = root / "test-clean" / "1089" / "134686"
    _flac(test / "1089-134686-0000.flac", 4)
    (test / "1089-134686.trans.txt").write_text("1089-134686-0000 HE HOPED\n", encoding="utf-8")
    (root / "README.TXT").write_text("not a split", encoding="utf-8")

    items = read_librispeech(root)
    assert inspect.isgenerator(items)
    utterances, problems = _split(items)
    assert len(utterances) + len(problems) == 5  # 4 transcript lines + 1 unlisted flac
    assert [(u.id, u.split) for u in utterances] == [
        ("84-121123-0000", "dev-clean"),
        ("84-121123-0001", "dev-clean"),
        ("1089-134686-0000", "test-clean"),
    ]
    assert utterances[1].text == "BUT IN LESS THAN FIVE MINUTES"
    assert utterances[0].meta == {"speaker": "84", "chapter": "121123"}
    assert utterances[0].audio == dev / "84-121123-0000.flac"
    by_id = {p.id: p for p in problems}
    assert "0002.flac is missing" in by_id["84-121123-0002"].reason
    assert by_id["84-121123-0002"].source.endswith("84-121123.trans.txt:3")
    assert "has no line in 84-121123.trans.txt" in by_id["84-121123-0003"].reason

    only_test, _ = _split(read_librispeech(root, splits=["test-clean"]))
    assert [u.id for u in only_test] == ["1089-134686-0000"]
    audio, rate = only_test[0].load()
    assert rate == 16000 and audio.shape == (3200,)
    with pytest.raises(CorpusError, match="no such split"):
        read_librispeech(root, splits=["train-clean-100"])
    with pytest.raises(CorpusError, match="no split folder"):
        read_librispeech(tmp_path / "LibriSpeech" / "dev-clean" / "84")


def test_folder_with_transcripts(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    _write(root / "b.wav", speech_like(0.2, 8000, seed=1), 8000, "WAV")
    (root / "b.txt").write_text("bee\n", encoding="utf-8")
    _flac(root / "a" / "one.flac", 2)
    (root / "a" / "one.txt").write_text("one", encoding="utf-8")
    _flac(root / "a" / "two.flac", 3)  # no transcript
    (root / "notes.md").write_text("ignored", encoding="utf-8")
    _flac(root / ".hidden" / "x.flac", 4)

    items = read_folder(root, split="eval")
    assert inspect.isgenerator(items)
    utterances, problems = _split(items)
    assert [(u.id, u.text, u.split) for u in utterances] == [
        ("a/one", "one", "eval"),
        ("b", "bee", "eval"),
    ]
    assert utterances[0].meta == {"path": "a/one.flac"}
    assert [(p.id, p.split) for p in problems] == [("a/two", "eval")]
    assert "two.txt" in problems[0].reason

    relaxed, none = _split(read_folder(root, allow_empty_text=True))
    assert [(u.id, u.text, u.split) for u in relaxed][1] == ("a/two", "", "all")
    assert none == []
    with pytest.raises(CorpusError):
        read_folder(tmp_path / "nothing")


def test_manifest(tmp_path: Path) -> None:
    base = tmp_path / "data"
    _flac(base / "audio" / "x.flac", 1)
    _flac(base / "audio" / "y.flac", 2)
    _flac(tmp_path / "outside.flac", 3)
    manifest = _tsv(
        base / "manifest.tsv",
        ["path", "speaker", "text", "split"],
        [
            ["audio/x.flac", "s1", "ex", "train"],
            ["audio/y.flac", "s2", "why", ""],
            ["../outside.flac", "s3", "escape", "train"],
            [str(tmp_path / "outside.flac"), "s4", "absolute", "test"],
            ["audio/z.flac", "s5", "missing", "test"],
            ["audio/x.flac", "s6", "", "dev"],
        ],
    )
    items = read_manifest(manifest)
    assert inspect.isgenerator(items)
    utterances, problems = _split(items)
    assert len(utterances) + len(problems) == 6
    assert [(u.id, u.split, u.text) for u in utterances] == [
        ("audio/x", "train", "ex"),
        ("audio/y", "all", "why"),
    ]
    assert utterances[0].meta == {
        "path": "audio/x.flac",
        "speaker": "s1",
        "text": "ex",
        "split": "train",
    }
    assert list(utterances[0].meta) == ["path", "speaker", "text", "split"]
    assert utterances[0].audio == base / "audio" / "x.flac"
    reasons = [p.reason for p in problems]
    assert "escapes the manifest's folder" in reasons[0]
    assert "escapes the manifest's folder" in reasons[1]
    assert "missing" in reasons[2] and problems[2].split == "test"
    assert "empty text" in reasons[3] and problems[3].source == f"{manifest}:7"

    row = ["u1", "data/audio/x.flac", "t"]
    with_ids = _tsv(tmp_path / "ids.tsv", ["id", "path", "text"], [row])
    (only,) = list(read_manifest(with_ids))
    assert isinstance(only, Utterance) and only.id == "u1"
    with pytest.raises(CorpusError, match="text"):
        read_manifest(_tsv(tmp_path / "bad.tsv", ["path"], [["a.flac"]]))
    with pytest.raises(CorpusError, match="does not exist"):
        read_manifest(tmp_path / "none.tsv")


def test_array_utterance_load_resamples() -> None:
    audio = speech_like(0.5, 16000).astype(np.float32)
    utt = Utterance("x", "all", audio, 16000, "text", {})
    same, rate = utt.load()
    assert rate == 16000 and same is audio
    down, rate = utt.load(8000)
    assert rate == 8000 and down.shape == (4000,) and down.dtype == np.float32
    with pytest.raises(ValueError, match="sample rate"):
        Utterance("x", "all", audio, None, "text", {})
    with pytest.raises(ValueError, match="float32"):
        Utterance("x", "all", audio.astype(np.float64), 16000, "text", {})
