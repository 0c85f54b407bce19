"""The ``hearlab`` command, run in-process: exit codes, outputs, counts and failure reports."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
from typer.testing import CliRunner

from hearlab.audiogram import Audiogram, get_builtin
from hearlab.cli import app
from hearlab.demo import run_demo
from hearlab.hearing import attenuate
from hearlab.io import read_audio
from tests.signals import noise, speech_like

SR = 16000
runner = CliRunner()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Good files in several formats and rates, plus corrupt, empty and NaN files."""
    root = tmp_path / "corpus"
    (root / "sub" / "deeper").mkdir(parents=True)
    sf.write(root / "a.wav", speech_like(1.2, seed=1), SR, subtype="PCM_16")
    sf.write(root / "sub" / "b.flac", speech_like(0.8, sr=44100, seed=2), 44100)
    stereo = np.stack([speech_like(0.5, sr=48000, seed=3), noise(0.5, sr=48000)], axis=1)
    sf.write(root / "sub" / "deeper" / "c.ogg", stereo, 48000, format="OGG")
    sf.write(root / "d.mp3", speech_like(1.0, sr=22050, seed=4), 22050, format="MP3")
    (root / "corrupt.wav").write_bytes(b"RIFF" + np.random.default_rng(1).bytes(300))
    (root / "empty.flac").write_bytes(b"")
    nan = speech_like(0.3, seed=5)
    nan[10] = np.nan
    sf.write(root / "sub" / "nan.wav", nan, SR, subtype="FLOAT")
    (root / "notes.txt").write_text("not audio, not an input")
    return root


GOOD = ["a.wav", "sub/b.flac", "sub/deeper/c.ogg", "d.mp3"]
BAD = {"corrupt.wav": "cannot be decoded", "empty.flac": "is empty", "sub/nan.wav": "NaN"}


def read_failures(out: Path) -> list[dict[str, str]]:
    with (out / "failures.tsv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_simulate_folder_processes_good_files_and_reports_bad_ones(
    corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["simulate", str(corpus), "-p", "lfloss", "-p", "hfloss", "--out", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert "3 of 7 input(s) failed" in result.output
    for profile in ("lfloss", "hfloss"):
        written = sorted(str(p.relative_to(out / profile)) for p in (out / profile).rglob("*"))
        written = [w for w in written if w.endswith(".flac")]
        assert written == sorted(str(Path(g).with_suffix(".flac")) for g in GOOD)
    failures = read_failures(out)
    assert len(failures) == 3
    for row in failures:
        relative = str(Path(row["path"]).relative_to(corpus))
        assert BAD[relative] in row["reason"]
        assert row["profile"] == "*"
    run = json.loads((out / "run.json").read_text())
    assert run["counts"] == {
        "inputs": 7,
        "written": {"lfloss": 4, "hfloss": 4},
        "failed": 3,
        "unaccounted": {},
    }
    assert [p["name"] for p in run["profiles"]] == ["lfloss", "hfloss"]
    assert run["settings"]["sample_rate"] == SR and run["versions"]["torch"]


def test_simulated_files_equal_the_kernel_applied_directly(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner.invoke(app, ["simulate", str(corpus), "-p", "hfloss", "--out", str(out)])
    for name in GOOD:
        source, _ = read_audio(corpus / name, sample_rate=SR)
        expected = attenuate(torch.from_numpy(source), SR, get_builtin("hfloss")).numpy()
        written, rate = read_audio(out / "hfloss" / Path(name).with_suffix(".flac"))
        assert rate == SR and written.shape == expected.shape
        np.testing.assert_allclose(written, expected, atol=1.0 / 2**15 + 1e-7)


def test_simulate_all_good_exits_zero_with_custom_audiogram(tmp_path: Path) -> None:
    clip = tmp_path / "one.wav"
    sf.write(clip, speech_like(0.6, seed=7), SR, subtype="FLOAT")
    custom = Audiogram((250.0, 1000.0, 4000.0), (20.0, 40.0, 70.0), name="mine")
    custom_file = tmp_path / "mine.yaml"
    custom.save(custom_file)
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["simulate", str(clip), "-a", str(custom_file), "-p", "N3", "--out", str(out),
         "--format", "wav", "--bit-depth", "24", "--normalize", "none"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert read_failures(out) == []
    written, _ = read_audio(out / "mine" / "one.wav")
    source, _ = read_audio(clip)
    expected = attenuate(torch.from_numpy(source), SR, custom, normalize="none").numpy()
    np.testing.assert_allclose(written, expected, atol=2.0**-23 + 1e-7)
    assert (out / "N3" / "one.wav").is_file()


def test_output_folder_inside_input_folder_is_not_read_back(tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    sf.write(root / "x.wav", noise(0.3), SR)
    for _ in range(2):
        result = runner.invoke(app, ["simulate", str(root), "-p", "normal", "-o", str(root / "o")])
        assert result.exit_code == 0, result.output
    assert json.loads((root / "o" / "run.json").read_text())["counts"]["inputs"] == 1


def test_colliding_output_names_are_failures_not_overwrites(tmp_path: Path) -> None:
    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        sf.write(tmp_path / folder / "same.wav", noise(0.2), SR)
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["simulate", str(tmp_path / "x" / "same.wav"), str(tmp_path / "y" / "same.wav"),
         "-p", "normal", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 1
    (failure,) = read_failures(out)
    assert failure["path"].endswith("y/same.wav") and "already used" in failure["reason"]


def test_missing_input_is_reported(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["simulate", str(tmp_path / "ghost.wav"), "-p", "normal", "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert "ghost.wav" in result.output and "does not exist" in result.output


def test_silent_file_is_processed_and_stays_silent(tmp_path: Path) -> None:
    sf.write(tmp_path / "quiet.wav", np.zeros(SR // 2), SR)
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["simulate", str(tmp_path / "quiet.wav"), "-p", "hfloss", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    written, _ = read_audio(out / "hfloss" / "quiet.flac")
    assert not np.any(written)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "nosuch"], "nosuch"),
        ([], "at least one --profile"),
        (["-a", "missing.json"], "missing.json"),
        (["-p", "normal", "--bit-depth", "8"], "16 or 24"),
        (["-p", "normal", "-p", "normal"], "given twice"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    sf.write(tmp_path / "x.wav", noise(0.1), SR)
    result = runner.invoke(
        app, ["simulate", str(tmp_path / "x.wav"), "-o", str(tmp_path / "o"), *args]
    )
    assert result.exit_code == 2
    assert message in result.output


def test_unknown_profile_lists_the_valid_names(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["simulate", str(tmp_path), "-p", "mild", "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "hfloss" in result.output and "S3" in result.output


def test_audiogram_list() -> None:
    result = runner.invoke(app, ["audiogram", "list"])
    assert result.exit_code == 0
    for name in ("normal", "lfloss", "hfloss", "N1", "N7", "S3", "moderately severe"):
        assert name in result.output


def test_audiogram_show_name_file_and_plot(tmp_path: Path) -> None:
    png = tmp_path / "n3.png"
    result = runner.invoke(app, ["audiogram", "show", "n3", "--plot", str(png)])
    assert result.exit_code == 0, result.output
    assert "WHO grade moderate" in result.output and "6000" in result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    csv_file = tmp_path / "me.csv"
    Audiogram((500.0, 2000.0), (30.0, 60.0), name="me").save(csv_file)
    result = runner.invoke(app, ["audiogram", "show", str(csv_file)])
    assert result.exit_code == 0 and "me" in result.output
    result = runner.invoke(app, ["audiogram", "show", "nobody"])
    assert result.exit_code == 2 and "nobody" in result.output


def test_demo_writes_outputs_and_measures_the_loss(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("audiograms.png", "spectrograms.png", "input/demo.flac", "simulated/run.json"):
        assert (out / name).is_file(), name
    for profile in ("normal", "lfloss", "hfloss"):
        assert (out / "simulated" / profile / "demo.flac").is_file()
    assert "-10.0" in result.output  # normal: 10 dB everywhere


def test_demo_band_losses_follow_the_audiograms(tmp_path: Path) -> None:
    result = run_demo(tmp_path, [get_builtin(n) for n in ("normal", "lfloss", "hfloss")])
    assert result.report.ok
    np.testing.assert_allclose(result.band_change_db["normal"], -10.0, atol=0.1)
    lf, hf = result.band_change_db["lfloss"], result.band_change_db["hfloss"]
    assert list(lf) == sorted(lf) and list(hf) == sorted(hf, reverse=True)  # slopes
    assert lf[0] < -75 and hf[-1] < -75  # 250 Hz and 4 kHz bands


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("hearlab 0.")


def test_help_does_not_import_torch() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "simulate" in result.output
    code = "import sys, hearlab.cli; print(sorted({'torch', 'matplotlib'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
