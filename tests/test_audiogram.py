"""Tests for hearlab.audiogram: validation, interpolation, WHO grades, files, built-ins, plots."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from hearlab.audiogram import (
    BUILTIN_AUDIOGRAMS,
    WHO_GRADES,
    Audiogram,
    AudiogramError,
    builtin_names,
    get_builtin,
    plot_audiograms,
    resolve_audiogram,
)

OCTAVES_HZ = (125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0)
BISGAARD_HZ = (250.0, 500.0, 750.0, 1000.0, 1500.0, 2000.0, 3000.0, 4000.0, 6000.0)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def flat(level_db_hl: float) -> Audiogram:
    """An audiogram with the same threshold at every octave frequency."""
    return Audiogram(OCTAVES_HZ, [level_db_hl] * len(OCTAVES_HZ), name=f"flat{level_db_hl:g}")


# --- built-ins ---


def test_builtin_names_exact_and_ordered() -> None:
    expected = ["normal", "lfloss", "hfloss"]
    expected += [f"N{i}" for i in range(1, 8)] + [f"S{i}" for i in range(1, 4)]
    assert builtin_names() == expected
    assert list(BUILTIN_AUDIOGRAMS) == expected
    assert all(BUILTIN_AUDIOGRAMS[name].name == name for name in expected)


def test_study_profiles_exact_values() -> None:
    normal, lfloss, hfloss = (BUILTIN_AUDIOGRAMS[n] for n in ("normal", "lfloss", "hfloss"))
    for audiogram in (normal, lfloss, hfloss):
        assert audiogram.frequencies_hz == OCTAVES_HZ
        assert "original study" in audiogram.description
    assert normal.thresholds_db_hl == (10.0,) * 7
    assert lfloss.thresholds_db_hl == tuple(np.linspace(100, 10, 7).tolist())
    assert hfloss.thresholds_db_hl == tuple(np.linspace(10, 100, 7).tolist())
    assert hfloss.thresholds_db_hl == (10.0, 25.0, 40.0, 55.0, 70.0, 85.0, 100.0)


@pytest.mark.parametrize(
    ("name", "freq_hz", "level_db_hl"),
    [
        ("N1", 6000.0, 40.0),
        ("N2", 750.0, 22.5),
        ("N3", 250.0, 35.0),
        ("N5", 750.0, 72.5),
        ("N6", 4000.0, 100.0),
        ("N7", 1000.0, 105.0),
        ("S1", 4000.0, 55.0),
        ("S2", 3000.0, 75.0),
        ("S3", 750.0, 47.5),
    ],
)
def test_bisgaard_cells(name: str, freq_hz: float, level_db_hl: float) -> None:
    audiogram = BUILTIN_AUDIOGRAMS[name]
    assert audiogram.frequencies_hz == BISGAARD_HZ
    assert audiogram.thresholds_db_hl[BISGAARD_HZ.index(freq_hz)] == level_db_hl


def test_bisgaard_descriptions() -> None:
    assert BUILTIN_AUDIOGRAMS["N3"].description == (
        "Bisgaard et al. (2010) standard audiogram N3 (flat and moderately sloping)"
    )
    assert BUILTIN_AUDIOGRAMS["S2"].description == (
        "Bisgaard et al. (2010) standard audiogram S2 (steep sloping)"
    )


def test_builtin_values_are_python_floats() -> None:
    for audiogram in BUILTIN_AUDIOGRAMS.values():
        assert all(type(v) is float for v in audiogram.frequencies_hz)
        assert all(type(v) is float for v in audiogram.thresholds_db_hl)


# --- construction and validation ---


def test_accepts_lists_and_arrays_and_stores_float_tuples() -> None:
    from_list = Audiogram([500, 1000], [20, 30.5])
    from_array = Audiogram(np.array([500, 1000], dtype=np.int64), np.array([20.0, 30.5]))
    assert from_list == from_array
    assert from_list.frequencies_hz == (500.0, 1000.0)
    assert isinstance(from_array.thresholds_db_hl, tuple)
    assert all(type(v) is float for v in from_array.frequencies_hz + from_array.thresholds_db_hl)
    assert hash(from_list) == hash(from_array)


@pytest.mark.parametrize(
    ("freqs_hz", "thresholds_db_hl", "match"),
    [
        ([500, 1000, 1000], [10, 20, 30], r"point 3 .*strictly increasing"),
        ([1000, 500], [10, 20], r"point 2 .*strictly increasing"),
        ([-250, 500], [10, 20], r"point 1 is -250.0 Hz.*greater than 0"),
        ([0, 500], [10, 20], r"point 1 is 0.0 Hz.*greater than 0"),
        ([250, math.inf], [10, 20], r"point 2 is inf Hz.*finite"),
        ([250, 500], [10, math.nan], r"point 2 \(500.0 Hz\) is nan dB HL.*finite"),
        ([250, 500], [121, 10], r"point 1 \(250.0 Hz\) is 121.0 dB HL.*-20 to 120"),
        ([250, 500], [10, -20.5], r"point 2 .* -20.5 dB HL.*-20 to 120"),
        ([250, 500, 1000], [10, 20], r"3 frequencies but 2 thresholds"),
        ([], [], r"no points"),
        ([250, "500"], [10, 20], r"frequencies_hz point 2 is '500'.*not a number"),
        ([250, 500], [10, True], r"thresholds_db_hl point 2 is True"),
        ("250", [10], r"sequence of numbers"),
        (np.ones((2, 2)), [10, 20], r"must be 1-D"),
    ],
)
def test_validation_errors(freqs_hz: object, thresholds_db_hl: object, match: str) -> None:
    with pytest.raises(AudiogramError, match=match):
        Audiogram(freqs_hz, thresholds_db_hl)  # type: ignore[arg-type]


def test_threshold_range_is_inclusive() -> None:
    audiogram = Audiogram([250, 500], [-20, 120])
    assert audiogram.thresholds_db_hl == (-20.0, 120.0)


def test_error_is_a_value_error_and_names_the_audiogram() -> None:
    with pytest.raises(ValueError, match=r"Audiogram 'left ear'"):
        Audiogram([250], [200], name="left ear")


def test_bad_name_rejected() -> None:
    with pytest.raises(AudiogramError, match="non-empty"):
        Audiogram([250], [10], name="")
    with pytest.raises(AudiogramError, match="several lines"):
        Audiogram([250], [10], name="a\nb")


def test_frozen() -> None:
    audiogram = get_builtin("N3")
    with pytest.raises(dataclasses.FrozenInstanceError):
        audiogram.name = "changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        audiogram.thresholds_db_hl = (0.0,) * 9  # type: ignore[misc]


# --- interpolation ---


def test_thresholds_at_linear_and_log_by_hand() -> None:
    hfloss = get_builtin("hfloss")  # 10, 25, 40, 55, 70, 85, 100 dB HL at 125 ... 8000 Hz
    # 1500 Hz lies halfway between 1000 Hz (55 dB) and 2000 Hz (70 dB) in Hz ...
    assert hfloss.thresholds_at(1500.0) == pytest.approx(55.0 + 0.5 * 15.0)
    # ... and log2(1.5) = 0.585 of an octave above 1000 Hz in log-frequency.
    assert hfloss.thresholds_at(1500.0, scale="log") == pytest.approx(55.0 + math.log2(1.5) * 15.0)
    # 750 Hz: halfway from 500 Hz (40 dB) to 1000 Hz (55 dB) in Hz, log2(1.5) octave in log.
    assert hfloss.thresholds_at(750.0) == pytest.approx(47.5)
    assert hfloss.thresholds_at(750.0, scale="log") == pytest.approx(40.0 + math.log2(1.5) * 15.0)


def test_thresholds_at_grid_points_exact() -> None:
    for audiogram in BUILTIN_AUDIOGRAMS.values():
        for scale in ("linear", "log"):
            got = audiogram.thresholds_at(audiogram.frequencies_hz, scale=scale)  # type: ignore[arg-type]
            np.testing.assert_array_equal(got, audiogram.thresholds_db_hl)


@pytest.mark.parametrize("scale", ["linear", "log"])
def test_thresholds_held_constant_outside_range(scale: str) -> None:
    n3 = get_builtin("N3")  # 35 dB at 250 Hz, 65 dB at 6000 Hz
    got = n3.thresholds_at([20.0, 125.0, 249.9, 6000.1, 8000.0, 20000.0], scale=scale)  # type: ignore[arg-type]
    np.testing.assert_array_equal(got, [35.0, 35.0, 35.0, 65.0, 65.0, 65.0])


def test_log_scale_nonpositive_frequencies_take_first_threshold() -> None:
    n3 = get_builtin("N3")
    np.testing.assert_array_equal(n3.thresholds_at([0.0, -100.0], scale="log"), [35.0, 35.0])


def test_thresholds_at_preserves_shape_and_dtype() -> None:
    n3 = get_builtin("N3")
    freqs = np.geomspace(100.0, 10000.0, 24).reshape(2, 3, 4)
    for scale in ("linear", "log"):
        got = n3.thresholds_at(freqs, scale=scale)  # type: ignore[arg-type]
        assert got.shape == (2, 3, 4)
        assert got.dtype == np.float64
        # Elementwise equals one-at-a-time (batch equals loop).
        loop = [float(n3.thresholds_at(f, scale=scale)) for f in freqs.ravel()]  # type: ignore[arg-type]
        np.testing.assert_array_equal(got.ravel(), loop)
    scalar = n3.thresholds_at(1000.0)
    assert isinstance(scalar, np.ndarray)
    assert scalar.shape == ()
    assert float(scalar) == 40.0


def test_thresholds_at_unknown_scale() -> None:
    with pytest.raises(AudiogramError, match=r"'linear'.*'log'"):
        get_builtin("N1").thresholds_at(1000.0, scale="mel")  # type: ignore[arg-type]


# --- WHO grades ---


def test_who_grades_table() -> None:
    labels = [label for _, label in WHO_GRADES]
    assert labels == [
        "normal",
        "mild",
        "moderate",
        "moderately severe",
        "severe",
        "profound",
        "complete",
    ]
    bounds = [bound for bound, _ in WHO_GRADES]
    assert bounds[1:] == [20.0, 35.0, 50.0, 65.0, 80.0, 95.0]
    assert bounds == sorted(bounds)


@pytest.mark.parametrize(
    ("level_db_hl", "label"),
    [
        (-10.0, "normal"),
        (19.9, "normal"),
        (20.0, "mild"),
        (34.9, "mild"),
        (35.0, "moderate"),
        (49.9, "moderate"),
        (50.0, "moderately severe"),
        (64.9, "moderately severe"),
        (65.0, "severe"),
        (79.9, "severe"),
        (80.0, "profound"),
        (94.9, "profound"),
        (95.0, "complete"),
        (120.0, "complete"),
    ],
)
def test_who_grade_boundaries(level_db_hl: float, label: str) -> None:
    audiogram = flat(level_db_hl)
    assert audiogram.four_frequency_average() == level_db_hl
    assert audiogram.who_grade() == label


@pytest.mark.parametrize(
    ("name", "average_db_hl", "label"),
    [
        ("normal", 10.0, "normal"),
        ("lfloss", (70 + 55 + 40 + 25) / 4, "moderate"),  # 47.5
        ("hfloss", (40 + 55 + 70 + 85) / 4, "moderately severe"),  # 62.5
        ("N1", (10 + 10 + 15 + 30) / 4, "normal"),  # 16.25
        ("N2", (20 + 25 + 35 + 45) / 4, "mild"),  # 31.25
        ("N3", (35 + 40 + 50 + 60) / 4, "moderate"),  # 46.25
        ("N5", (70 + 75 + 80 + 80) / 4, "severe"),  # 76.25
        ("N6", (80 + 85 + 90 + 100) / 4, "profound"),  # 88.75
        ("N7", (95 + 105 + 105 + 105) / 4, "complete"),  # 102.5
        ("S2", (20 + 25 + 55 + 95) / 4, "moderate"),  # 48.75
    ],
)
def test_builtin_grades_by_hand(name: str, average_db_hl: float, label: str) -> None:
    audiogram = get_builtin(name)
    assert audiogram.four_frequency_average() == pytest.approx(average_db_hl)
    assert audiogram.who_grade() == label


def test_four_frequency_average_interpolates_in_log_frequency() -> None:
    # No point at 2000 Hz: 1000 Hz -> 20 dB, 4000 Hz -> 60 dB; 2000 Hz is one octave of two: 40 dB.
    audiogram = Audiogram([500, 1000, 4000], [20, 20, 60])
    assert audiogram.four_frequency_average() == pytest.approx((20 + 20 + 40 + 60) / 4)


# --- dict and file round trips ---


def test_to_dict_and_from_dict() -> None:
    n3 = get_builtin("N3")
    data = n3.to_dict()
    assert list(data) == ["name", "description", "frequencies_hz", "thresholds_db_hl"]
    assert data["frequencies_hz"] == list(BISGAARD_HZ)
    assert Audiogram.from_dict(data) == n3
    minimal = Audiogram.from_dict({"frequencies_hz": [1000], "thresholds_db_hl": [30]})
    assert minimal == Audiogram((1000.0,), (30.0,), name="custom", description="")


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"frequencies_hz": [1000]}, r"cfg\.json: missing required key\(s\) thresholds_db_hl"),
        (
            {"frequencies_hz": [1000], "thresholds_db_hl": [30], "ear": "left"},
            r"cfg\.json: unknown key\(s\) 'ear'",
        ),
        ({"frequencies_hz": 1000, "thresholds_db_hl": [30]}, r"cfg\.json: frequencies_hz must be"),
        (
            {"frequencies_hz": [1000], "thresholds_db_hl": [30], "name": 3},
            r"cfg\.json: name must be a string",
        ),
        ({"frequencies_hz": [1000], "thresholds_db_hl": [300]}, r"cfg\.json: .*300.0 dB HL"),
    ],
)
def test_from_dict_strict(data: dict[str, object], match: str) -> None:
    with pytest.raises(AudiogramError, match=match):
        Audiogram.from_dict(data, source="cfg.json")


def test_from_dict_default_source() -> None:
    with pytest.raises(AudiogramError, match="<dict>"):
        Audiogram.from_dict({})


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".yml", ".csv", ".JSON"])
@pytest.mark.parametrize("name", ["N3", "S3", "hfloss", "lfloss"])
def test_save_load_round_trip(tmp_path: Path, suffix: str, name: str) -> None:
    audiogram = get_builtin(name)
    path = tmp_path / f"profile{suffix}"
    audiogram.save(path)
    assert Audiogram.load(path) == audiogram
    assert Audiogram.load(str(path)) == audiogram


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".csv"])
def test_round_trip_awkward_values(tmp_path: Path, suffix: str) -> None:
    audiogram = Audiogram(
        [125.5, 1000.0 / 3.0, 8000.0],
        [-20.0, 0.1 + 0.2, 120.0],
        name="left ear, aided",
        description="measured: 2024, booth 2 — ünïcode",
    )
    path = tmp_path / f"awkward{suffix}"
    audiogram.save(path)
    assert Audiogram.load(path) == audiogram


def test_csv_layout(tmp_path: Path) -> None:
    path = tmp_path / "n1.csv"
    get_builtin("N1").save(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# name: N1"
    assert lines[1].startswith("# description: Bisgaard et al. (2010)")
    assert lines[2] == "frequency_hz,threshold_db_hl"
    assert lines[3] == "250.0,10.0"
    assert len(lines) == 3 + 9


def test_csv_multiline_description_cannot_be_saved(tmp_path: Path) -> None:
    audiogram = Audiogram([1000], [20], description="line one\nline two")
    with pytest.raises(AudiogramError, match=r"several lines.*\.json or \.yaml"):
        audiogram.save(tmp_path / "multi.csv")
    audiogram.save(tmp_path / "multi.yaml")
    assert Audiogram.load(tmp_path / "multi.yaml") == audiogram


@pytest.mark.parametrize(
    ("filename", "text"),
    [
        ("bare.json", '{"frequencies_hz": [500, 1000], "thresholds_db_hl": [20, 30]}'),
        ("bare.yaml", "frequencies_hz: [500, 1000]\nthresholds_db_hl: [20, 30]\n"),
        ("bare.csv", "frequency_hz,threshold_db_hl\n500,20\n\n1000, 30\n"),
        ("bare.csv", "# recorded by hand\nfrequency_hz , threshold_db_hl\n500,20\n1000,30\n"),
    ],
)
def test_load_name_defaults_to_stem(tmp_path: Path, filename: str, text: str) -> None:
    path = tmp_path / filename
    path.write_text(text, encoding="utf-8")
    assert Audiogram.load(path) == Audiogram([500, 1000], [20, 30], name="bare")


def test_load_csv_with_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbffrequency_hz,threshold_db_hl\r\n500,20\r\n")
    assert Audiogram.load(path) == Audiogram([500], [20], name="excel")


@pytest.mark.parametrize(
    ("filename", "content", "match"),
    [
        ("broken.json", '{"frequencies_hz": [500, 1000,', r"malformed JSON at line 1"),
        ("list.json", "[500, 1000]", r"top level must be a mapping"),
        ("broken.yaml", "frequencies_hz: [500, 1000\n", r"malformed YAML"),
        ("empty.yaml", "", r"top level must be a mapping"),
        ("header.csv", "freq,level\n500,20\n", r"line 1 has header 'freq,level'"),
        ("row.csv", "frequency_hz,threshold_db_hl\n500,20,3\n", r"line 2 is '500,20,3'"),
        ("text.csv", "frequency_hz,threshold_db_hl\n500,loud\n", r"line 2 is '500,loud'"),
        ("nodata.csv", "# name: x\n", r"no header and no data rows"),
        ("unsorted.csv", "frequency_hz,threshold_db_hl\n1000,20\n500,30\n", r"strictly"),
        ("extra.json", '{"frequencies_hz": [1], "thresholds_db_hl": [1], "x": 1}', r"'x'"),
        ("binary.json", b"\xff\xfe\x00garbage", r"cannot read"),
    ],
)
def test_load_malformed_names_file_and_formats(
    tmp_path: Path, filename: str, content: str | bytes, match: str
) -> None:
    path = tmp_path / filename
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(AudiogramError, match=match) as info:
        Audiogram.load(path)
    message = str(info.value)
    assert filename in message
    assert "Supported formats" in message


def test_load_unknown_suffix(tmp_path: Path) -> None:
    path = tmp_path / "profile.txt"
    path.write_text("frequency_hz,threshold_db_hl\n500,20\n", encoding="utf-8")
    with pytest.raises(AudiogramError, match=r"profile\.txt.*unsupported file suffix '\.txt'") as i:
        Audiogram.load(path)
    assert ".json" in str(i.value) and ".csv" in str(i.value) and ".yaml" in str(i.value)


def test_save_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(AudiogramError, match=r"profile\.xml.*Supported formats"):
        get_builtin("N1").save(tmp_path / "profile.xml")
    assert not (tmp_path / "profile.xml").exists()


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AudiogramError, match=r"missing\.json.*cannot read.*Supported formats"):
        Audiogram.load(tmp_path / "missing.json")


def test_save_into_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(AudiogramError, match=r"nowhere.*cannot write"):
        get_builtin("N1").save(tmp_path / "nowhere" / "n1.json")


# --- lookup ---


@pytest.mark.parametrize(("query", "name"), [("n3", "N3"), ("N3", "N3"), ("NORMAL", "normal")])
def test_get_builtin_case_insensitive(query: str, name: str) -> None:
    assert get_builtin(query) is BUILTIN_AUDIOGRAMS[name]


def test_get_builtin_unknown_lists_names() -> None:
    with pytest.raises(AudiogramError, match=r"'N8'.*normal, lfloss, hfloss, N1, .*S3"):
        get_builtin("N8")


def test_resolve_audiogram_file_and_name(tmp_path: Path) -> None:
    custom = Audiogram([500, 2000], [30, 50], name="mine")
    path = tmp_path / "mine.yaml"
    custom.save(path)
    assert resolve_audiogram(path) == custom
    assert resolve_audiogram(str(path)) == custom
    assert resolve_audiogram("s2") is BUILTIN_AUDIOGRAMS["S2"]


def test_resolve_audiogram_neither(tmp_path: Path) -> None:
    missing = tmp_path / "nothere.json"
    with pytest.raises(AudiogramError, match=r"nothere\.json.*neither.*normal, lfloss") as info:
        resolve_audiogram(missing)
    assert "S3" in str(info.value)


def test_resolve_audiogram_invalid_file_is_reported_as_such(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(AudiogramError, match=r"bad\.json: malformed JSON"):
        resolve_audiogram(path)


# --- plotting ---


def test_plot_writes_png_with_clinical_axes(tmp_path: Path) -> None:
    path = tmp_path / "audiograms.png"
    audiograms = [get_builtin(n) for n in ("normal", "hfloss", "N3", "S2")]
    figure = plot_audiograms(audiograms, path, title="Profiles")
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 1000
    (ax,) = figure.axes
    assert ax.get_xscale() == "log"
    assert ax.yaxis_inverted()
    assert ax.get_ylim() == (120.0, -10.0)
    labels = [tick.get_text() for tick in ax.get_xticklabels()]
    assert labels == ["125", "250", "500", "1k", "2k", "4k", "8k"]
    assert len(ax.get_lines()) == len(audiograms)
    legend_box = ax.get_legend()
    assert legend_box is not None
    legend = [text.get_text() for text in legend_box.get_texts()]
    assert legend[2] == "N3: moderate (46.2 dB HL)"
    assert ax.get_title() == "Profiles"


def test_plot_extends_ticks_and_uses_given_axes(tmp_path: Path) -> None:
    from matplotlib.figure import Figure

    figure = Figure()
    ax = figure.add_subplot()
    wide = Audiogram([60, 1000, 12000], [10, 20, 30], name="wide")
    returned = plot_audiograms([wide], ax=ax, shade_who_grades=True)
    assert returned is figure
    labels = [tick.get_text() for tick in ax.get_xticklabels()]
    assert labels[0] == "31.25" and labels[-1] == "16k"
    assert "8k" in labels


def test_plot_without_path_writes_nothing(tmp_path: Path) -> None:
    figure = plot_audiograms([get_builtin("N1")])
    assert figure.axes
    assert list(tmp_path.iterdir()) == []


def test_plot_rejects_empty_and_single() -> None:
    with pytest.raises(AudiogramError, match="non-empty"):
        plot_audiograms([])
    with pytest.raises(AudiogramError, match=r"\[audiogram\]"):
        plot_audiograms(get_builtin("N1"))  # type: ignore[arg-type]
