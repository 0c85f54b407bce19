"""Audiograms: the typed, validated description of a listener's hearing loss.

This module owns everything about an audiogram as data:

* :class:`Audiogram`, a frozen dataclass of pure-tone thresholds in dB HL at frequencies in Hz that
  validates itself on construction, interpolates thresholds at any frequency and grades the loss
  with the WHO (2021) scale from the four-frequency average (500, 1000, 2000 and 4000 Hz);
* reading and writing audiograms as JSON, YAML or CSV files (:meth:`Audiogram.save`,
  :meth:`Audiogram.load`);
* the shipped profiles (:data:`BUILTIN_AUDIOGRAMS`): the original study's ``normal``, ``lfloss``
  and ``hfloss``, and the Bisgaard et al. (2010) standard audiograms N1-N7 and S1-S3, looked up by
  :func:`get_builtin` or, together with files, by :func:`resolve_audiogram`;
* a clinical-style plot (:func:`plot_audiograms`).

Every problem with user input (a bad value, a malformed file, an unknown name) raises
:class:`AudiogramError`, whose message names the file if there is one, the problem and the fix.
The module imports only numpy, PyYAML and the standard library; matplotlib loads inside
:func:`plot_audiograms`.

References:
    World Health Organization (2021). World report on hearing. Geneva: WHO. (Grades of hearing
    loss, Box 1.1.)

    Bisgaard, N., Vlaming, M. S. M. G., & Dahlquist, M. (2010). Standard audiograms for the IEC
    60118-15 measurement procedure. Trends in Amplification, 14(2), 113-120.
"""

from __future__ import annotations

import csv
import io
import json
import math
import numbers
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt
import yaml

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "BUILTIN_AUDIOGRAMS",
    "WHO_GRADES",
    "Audiogram",
    "AudiogramError",
    "builtin_names",
    "get_builtin",
    "plot_audiograms",
    "resolve_audiogram",
]

MIN_THRESHOLD_DB_HL = -20.0
MAX_THRESHOLD_DB_HL = 120.0

#: WHO (2021) grades of hearing loss as ``(lower_bound_db_hl, label)``, in increasing order. A
#: four-frequency average ``x`` (dB HL) has the label of the last row whose bound is ``<= x``.
WHO_GRADES: tuple[tuple[float, str], ...] = (
    (-math.inf, "normal"),
    (20.0, "mild"),
    (35.0, "moderate"),
    (50.0, "moderately severe"),
    (65.0, "severe"),
    (80.0, "profound"),
    (95.0, "complete"),
)

#: Frequencies (Hz) whose thresholds make up the four-frequency average.
FOUR_FREQUENCIES_HZ: tuple[float, ...] = (500.0, 1000.0, 2000.0, 4000.0)

_CSV_HEADER = ("frequency_hz", "threshold_db_hl")
_SUFFIXES = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".csv": "csv"}
_SUPPORTED = (
    "Supported formats: .json or .yaml/.yml (keys name, description, frequencies_hz, "
    "thresholds_db_hl) and .csv (header 'frequency_hz,threshold_db_hl', optional leading "
    "'# name: ...' and '# description: ...' lines)."
)
_REQUIRED_KEYS = ("frequencies_hz", "thresholds_db_hl")
_OPTIONAL_KEYS = ("name", "description")
_CSV_META = re.compile(r"#\s*(name|description)\s*:\s?(.*)$")


class AudiogramError(ValueError):
    """An invalid audiogram, an unreadable audiogram file or an unknown audiogram name."""


def _points(values: object, what: str, label: str) -> tuple[float, ...]:
    """Convert a 1-D sequence or array of real numbers to a tuple of Python floats.

    Args:
        values: The sequence or 1-D ``numpy.ndarray`` to convert.
        what: Field name used in error messages (``"frequencies_hz"``).
        label: Prefix naming the audiogram in error messages.

    Returns:
        The values as Python floats.

    Raises:
        AudiogramError: If ``values`` is not a 1-D sequence of real numbers.
    """
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise AudiogramError(
                f"{label}: {what} must be 1-D, got an array of shape {values.shape}; "
                "pass one value per audiometric point."
            )
        items: list[object] = values.tolist()
    elif isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise AudiogramError(
            f"{label}: {what} must be a sequence of numbers, got {type(values).__name__}; "
            "pass a list, tuple or 1-D array."
        )
    else:
        items = list(values)
    result = []
    for index, item in enumerate(items, start=1):
        if isinstance(item, (bool, np.bool_)) or not isinstance(item, numbers.Real):
            raise AudiogramError(
                f"{label}: {what} point {index} is {item!r}, which is not a number; "
                "give every point as a real number."
            )
        result.append(float(item))
    return tuple(result)


@dataclass(frozen=True)
class Audiogram:
    """Pure-tone hearing thresholds of one ear or listener profile.

    Construction accepts any sequence or 1-D array and stores tuples of Python floats, so an
    audiogram is immutable, hashable and compares by value.

    Attributes:
        frequencies_hz: Audiometric frequencies in Hz; finite, positive and strictly increasing.
        thresholds_db_hl: Hearing thresholds in dB HL, one per frequency; finite and within
            -20 to 120 dB HL inclusive.
        name: Short name shown in plots and legends (one line).
        description: Free text: where the profile comes from.

    Raises:
        AudiogramError: If any of the constraints above is violated.
    """

    frequencies_hz: tuple[float, ...]
    thresholds_db_hl: tuple[float, ...]
    name: str = "custom"
    description: str = ""

    def __post_init__(self) -> None:
        """Normalise the fields to tuples of floats and validate them."""
        if not isinstance(self.name, str) or not self.name.strip():
            raise AudiogramError(
                f"Audiogram name must be a non-empty string, got {self.name!r}; give it a name."
            )
        if "\n" in self.name or "\r" in self.name:
            raise AudiogramError(
                f"Audiogram name {self.name!r} spans several lines; use a one-line name and put "
                "the rest in the description."
            )
        label = f"Audiogram {self.name!r}"
        if not isinstance(self.description, str):
            raise AudiogramError(
                f"{label}: description must be a string, got {type(self.description).__name__}."
            )
        freqs = _points(self.frequencies_hz, "frequencies_hz", label)
        levels = _points(self.thresholds_db_hl, "thresholds_db_hl", label)
        _check_frequencies(freqs, label)
        if len(levels) != len(freqs):
            raise AudiogramError(
                f"{label}: {len(freqs)} frequencies but {len(levels)} thresholds; give exactly "
                "one threshold (dB HL) per frequency."
            )
        _check_thresholds(freqs, levels, label)
        object.__setattr__(self, "frequencies_hz", freqs)
        object.__setattr__(self, "thresholds_db_hl", levels)

    def thresholds_at(
        self, freqs_hz: npt.ArrayLike, scale: Literal["linear", "log"] = "linear"
    ) -> npt.NDArray[np.float64]:
        """Interpolate the thresholds at arbitrary frequencies.

        Thresholds are interpolated linearly between neighbouring points, either against frequency
        in Hz (``"linear"``) or against log-frequency (``"log"``, i.e. linearly per octave), and
        held constant below the first and above the last point, like :func:`numpy.interp`.

        Args:
            freqs_hz: Frequencies in Hz, any shape. With ``scale="log"``, frequencies ``<= 0``
                take the first threshold.
            scale: ``"linear"`` or ``"log"``: the frequency axis the interpolation is linear on.

        Returns:
            Thresholds in dB HL, float64, with the shape of ``freqs_hz``.

        Raises:
            AudiogramError: If ``scale`` is not ``"linear"`` or ``"log"``.
        """
        x = np.asarray(freqs_hz, dtype=np.float64)
        xp = np.asarray(self.frequencies_hz, dtype=np.float64)
        fp = np.asarray(self.thresholds_db_hl, dtype=np.float64)
        if scale == "log":
            x = np.log2(np.where(x <= 0.0, xp[0], x))
            xp = np.log2(xp)
        elif scale != "linear":
            raise AudiogramError(
                f"Unknown interpolation scale {scale!r}; use 'linear' (in Hz) or 'log' "
                "(in log-frequency)."
            )
        return np.asarray(np.interp(x, xp, fp), dtype=np.float64).reshape(x.shape)

    def four_frequency_average(self) -> float:
        """Mean threshold at 500, 1000, 2000 and 4000 Hz, interpolated in log-frequency.

        Returns:
            The four-frequency average in dB HL.
        """
        return float(np.mean(self.thresholds_at(FOUR_FREQUENCIES_HZ, scale="log")))

    def who_grade(self) -> str:
        """WHO (2021) grade of hearing loss from the four-frequency average.

        Returns:
            One of the labels in :data:`WHO_GRADES`, e.g. ``"moderate"``.
        """
        return _who_grade_for(self.four_frequency_average())

    def to_dict(self) -> dict[str, object]:
        """Plain-data form of the audiogram, as written to JSON and YAML files.

        Returns:
            ``{"name", "description", "frequencies_hz", "thresholds_db_hl"}`` with lists of floats.
        """
        return {
            "name": self.name,
            "description": self.description,
            "frequencies_hz": list(self.frequencies_hz),
            "thresholds_db_hl": list(self.thresholds_db_hl),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object], *, source: str = "<dict>") -> Audiogram:
        """Build an audiogram from the form written by :meth:`to_dict`.

        ``frequencies_hz`` and ``thresholds_db_hl`` are required; ``name`` (default ``"custom"``)
        and ``description`` are optional; any other key is an error.

        Args:
            data: The mapping to read.
            source: Where ``data`` came from (a file name), used in error messages.

        Returns:
            The validated audiogram.

        Raises:
            AudiogramError: If a key is missing or unknown, a value has the wrong type or the
                audiogram is invalid. The message starts with ``source``.
        """
        if not isinstance(data, Mapping):
            raise AudiogramError(
                f"{source}: expected a mapping with keys {', '.join(_REQUIRED_KEYS)}, got "
                f"{type(data).__name__}."
            )
        allowed = _REQUIRED_KEYS + _OPTIONAL_KEYS
        unknown = [key for key in data if key not in allowed]
        if unknown:
            raise AudiogramError(
                f"{source}: unknown key(s) {', '.join(repr(k) for k in unknown)}; the allowed "
                f"keys are {', '.join(allowed)}."
            )
        missing = [key for key in _REQUIRED_KEYS if key not in data]
        if missing:
            raise AudiogramError(
                f"{source}: missing required key(s) {', '.join(missing)}; give the frequencies "
                "in Hz and the thresholds in dB HL as two lists of equal length."
            )
        for key in _REQUIRED_KEYS:
            if not isinstance(data[key], (list, tuple)):
                raise AudiogramError(
                    f"{source}: {key} must be a list of numbers, got {type(data[key]).__name__}."
                )
        for key in _OPTIONAL_KEYS:
            if key in data and not isinstance(data[key], str):
                raise AudiogramError(
                    f"{source}: {key} must be a string, got {type(data[key]).__name__}."
                )
        name = data.get("name", "custom")
        description = data.get("description", "")
        try:
            return cls(
                frequencies_hz=data["frequencies_hz"],  # type: ignore[arg-type]
                thresholds_db_hl=data["thresholds_db_hl"],  # type: ignore[arg-type]
                name=name,  # type: ignore[arg-type]
                description=description,  # type: ignore[arg-type]
            )
        except AudiogramError as error:
            raise AudiogramError(f"{source}: {error}") from None

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the audiogram to a file whose suffix picks the format.

        Args:
            path: Destination; ``.json``, ``.yaml``/``.yml`` or ``.csv``.

        Raises:
            AudiogramError: If the suffix is not supported, the file cannot be written, or (CSV
                only) the description spans several lines.
        """
        file = Path(path)
        fmt = _format_of(file)
        if fmt == "json":
            text = json.dumps(self.to_dict(), indent=2) + "\n"
        elif fmt == "yaml":
            text = yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)
        else:
            text = self._to_csv(file)
        try:
            file.write_text(text, encoding="utf-8")
        except OSError as error:
            raise AudiogramError(
                f"{file}: cannot write the audiogram ({error.strerror or error}); check that the "
                "folder exists and is writable."
            ) from error

    def _to_csv(self, file: Path) -> str:
        """Render the audiogram as CSV text with ``# name:``/``# description:`` comment lines."""
        if "\n" in self.description or "\r" in self.description:
            raise AudiogramError(
                f"{file}: the description spans several lines, which CSV comment lines cannot "
                "hold; save as .json or .yaml instead, or use a one-line description."
            )
        buffer = io.StringIO()
        buffer.write(f"# name: {self.name}\n")
        if self.description:
            buffer.write(f"# description: {self.description}\n")
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(_CSV_HEADER)
        writer.writerows(zip(self.frequencies_hz, self.thresholds_db_hl, strict=True))
        return buffer.getvalue()

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Audiogram:
        """Read an audiogram written by :meth:`save` (or by hand in the same format).

        Args:
            path: A ``.json``, ``.yaml``/``.yml`` or ``.csv`` file. If the file gives no name, the
                file's stem is the name.

        Returns:
            The validated audiogram.

        Raises:
            AudiogramError: If the suffix is not supported, the file cannot be read, or its
                content is malformed or invalid; the message names the file and the formats.
        """
        file = Path(path)
        fmt = _format_of(file)
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) else None
            raise AudiogramError(
                f"{file}: cannot read the audiogram file ({reason or error}). {_SUPPORTED}"
            ) from error
        if fmt == "json":
            data = _parse_json(text, file)
        elif fmt == "yaml":
            data = _parse_yaml(text, file)
        else:
            data = _parse_csv(text, file)
        data.setdefault("name", file.stem)
        try:
            return cls.from_dict(data, source=str(file))
        except AudiogramError as error:
            raise AudiogramError(f"{error} {_SUPPORTED}") from None


def _check_frequencies(freqs: tuple[float, ...], label: str) -> None:
    """Raise unless ``freqs`` (Hz) is non-empty, finite, positive and strictly increasing."""
    if not freqs:
        raise AudiogramError(
            f"{label}: no points; give at least one frequency (Hz) and its threshold (dB HL)."
        )
    for index, freq in enumerate(freqs, start=1):
        if not math.isfinite(freq) or freq <= 0.0:
            raise AudiogramError(
                f"{label}: frequency at point {index} is {freq} Hz; frequencies must be finite "
                "and greater than 0 Hz."
            )
        if index > 1 and freq <= freqs[index - 2]:
            raise AudiogramError(
                f"{label}: frequency at point {index} ({freq} Hz) is not above point "
                f"{index - 1} ({freqs[index - 2]} Hz); frequencies must be strictly increasing, "
                "so sort the points by frequency and remove duplicates."
            )


def _check_thresholds(freqs: tuple[float, ...], levels: tuple[float, ...], label: str) -> None:
    """Raise unless every threshold (dB HL) is finite and within the audiometer's range."""
    for index, (freq, level) in enumerate(zip(freqs, levels, strict=True), start=1):
        if not (math.isfinite(level) and MIN_THRESHOLD_DB_HL <= level <= MAX_THRESHOLD_DB_HL):
            raise AudiogramError(
                f"{label}: threshold at point {index} ({freq} Hz) is {level} dB HL; thresholds "
                f"must be finite and within {MIN_THRESHOLD_DB_HL:g} to {MAX_THRESHOLD_DB_HL:g} "
                "dB HL inclusive."
            )


def _who_grade_for(level_db_hl: float) -> str:
    """WHO (2021) label of a four-frequency average in dB HL."""
    label = WHO_GRADES[0][1]
    for lower_bound_db_hl, grade in WHO_GRADES:
        if level_db_hl >= lower_bound_db_hl:
            label = grade
    return label


def _format_of(file: Path) -> str:
    """File format (``"json"``, ``"yaml"`` or ``"csv"``) from the suffix of ``file``."""
    fmt = _SUFFIXES.get(file.suffix.lower())
    if fmt is None:
        raise AudiogramError(
            f"{file}: unsupported file suffix {file.suffix or '(none)'!r}. {_SUPPORTED}"
        )
    return fmt


def _parse_json(text: str, file: Path) -> dict[str, object]:
    """Parse JSON text holding one audiogram object."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise AudiogramError(
            f"{file}: malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}. "
            f"{_SUPPORTED}"
        ) from None
    return _top_level_mapping(data, file)


def _parse_yaml(text: str, file: Path) -> dict[str, object]:
    """Parse YAML text holding one audiogram mapping."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        where = ""
        mark = getattr(error, "problem_mark", None)
        if mark is not None:
            where = f" at line {mark.line + 1}, column {mark.column + 1}"
        raise AudiogramError(f"{file}: malformed YAML{where}. {_SUPPORTED}") from None
    return _top_level_mapping(data, file)


def _top_level_mapping(data: object, file: Path) -> dict[str, object]:
    """Check that parsed file content is a mapping with string keys and copy it."""
    if not isinstance(data, dict) or not all(isinstance(key, str) for key in data):
        raise AudiogramError(
            f"{file}: the top level must be a mapping with string keys, got "
            f"{type(data).__name__}. {_SUPPORTED}"
        )
    return dict(data)


def _parse_csv(text: str, file: Path) -> dict[str, object]:
    """Parse CSV text: optional ``# key: value`` lines, the header, then one row per point.

    Comment lines other than ``# name:`` and ``# description:`` are ignored, as are blank lines.
    """
    meta: dict[str, object] = {}
    rows: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#"):
            match = _CSV_META.match(stripped)
            if match is not None:
                key, value = match.group(1), match.group(2)
                if key in meta:
                    raise AudiogramError(f"{file}: line {number} repeats '# {key}:'. {_SUPPORTED}")
                meta[key] = value
        elif stripped:
            rows.append((number, line))
    if not rows:
        raise AudiogramError(f"{file}: no header and no data rows. {_SUPPORTED}")
    header_number, header_line = rows[0]
    header = tuple(field.strip() for field in next(csv.reader([header_line])))
    if header != _CSV_HEADER:
        raise AudiogramError(
            f"{file}: line {header_number} has header {','.join(header)!r}, expected "
            f"{','.join(_CSV_HEADER)!r}. {_SUPPORTED}"
        )
    freqs: list[float] = []
    levels: list[float] = []
    for number, line in rows[1:]:
        fields = [field.strip() for field in next(csv.reader([line]))]
        try:
            if len(fields) != 2:
                raise ValueError
            freq, level = float(fields[0]), float(fields[1])
        except ValueError:
            raise AudiogramError(
                f"{file}: line {number} is {line.strip()!r}; every data row must be two numbers, "
                f"frequency in Hz and threshold in dB HL. {_SUPPORTED}"
            ) from None
        freqs.append(freq)
        levels.append(level)
    return {**meta, "frequencies_hz": freqs, "thresholds_db_hl": levels}


def _study_profile(name: str, thresholds_db_hl: npt.ArrayLike, what: str) -> Audiogram:
    """One of the original study's profiles at 125 Hz to 8 kHz in octaves."""
    return Audiogram(
        frequencies_hz=(125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0),
        thresholds_db_hl=tuple(np.asarray(thresholds_db_hl, dtype=np.float64).tolist()),
        name=name,
        description=f"{what} (profile of the original study).",
    )


_BISGAARD_FREQUENCIES_HZ = (250.0, 500.0, 750.0, 1000.0, 1500.0, 2000.0, 3000.0, 4000.0, 6000.0)
_BISGAARD_THRESHOLDS_DB_HL: dict[str, tuple[float, ...]] = {
    "N1": (10, 10, 10, 10, 10, 15, 20, 30, 40),
    "N2": (20, 20, 22.5, 25, 30, 35, 40, 45, 50),
    "N3": (35, 35, 35, 40, 45, 50, 55, 60, 65),
    "N4": (55, 55, 55, 55, 60, 65, 70, 75, 80),
    "N5": (65, 70, 72.5, 75, 80, 80, 80, 80, 80),
    "N6": (75, 80, 82.5, 85, 90, 90, 95, 100, 100),
    "N7": (90, 95, 100, 105, 105, 105, 105, 105, 105),
    "S1": (10, 10, 10, 10, 10, 15, 30, 55, 70),
    "S2": (20, 20, 22.5, 25, 35, 55, 75, 95, 95),
    "S3": (30, 35, 47.5, 60, 70, 75, 80, 80, 85),
}


def _bisgaard(name: str) -> Audiogram:
    """The Bisgaard et al. (2010) standard audiogram ``name`` (``"N1"`` ... ``"S3"``)."""
    shape = "flat and moderately sloping" if name.startswith("N") else "steep sloping"
    return Audiogram(
        frequencies_hz=_BISGAARD_FREQUENCIES_HZ,
        thresholds_db_hl=_BISGAARD_THRESHOLDS_DB_HL[name],
        name=name,
        description=f"Bisgaard et al. (2010) standard audiogram {name} ({shape})",
    )


#: Shipped profiles by name: the original study's ``normal``, ``lfloss`` and ``hfloss``, then the
#: Bisgaard et al. (2010) standard audiograms ``N1``-``N7`` and ``S1``-``S3``.
BUILTIN_AUDIOGRAMS: dict[str, Audiogram] = {
    "normal": _study_profile(
        "normal", np.full(7, 10.0), "Normal hearing: 10 dB HL from 125 Hz to 8 kHz"
    ),
    "lfloss": _study_profile(
        "lfloss",
        np.linspace(100.0, 10.0, 7),
        "Low-frequency loss: 100 dB HL at 125 Hz falling in equal steps to 10 dB HL at 8 kHz",
    ),
    "hfloss": _study_profile(
        "hfloss",
        np.linspace(10.0, 100.0, 7),
        "High-frequency loss: 10 dB HL at 125 Hz rising in equal steps to 100 dB HL at 8 kHz",
    ),
    **{name: _bisgaard(name) for name in _BISGAARD_THRESHOLDS_DB_HL},
}


def builtin_names() -> list[str]:
    """Names of the built-in audiograms, in the order of :data:`BUILTIN_AUDIOGRAMS`.

    Returns:
        ``["normal", "lfloss", "hfloss", "N1", ..., "N7", "S1", "S2", "S3"]``.
    """
    return list(BUILTIN_AUDIOGRAMS)


def get_builtin(name: str) -> Audiogram:
    """Look up a built-in audiogram by name, ignoring case (``"n3"`` finds ``"N3"``).

    Args:
        name: A name from :func:`builtin_names`.

    Returns:
        The built-in audiogram.

    Raises:
        AudiogramError: If there is no built-in audiogram of that name; the message lists them.
    """
    by_lower = {key.lower(): value for key, value in BUILTIN_AUDIOGRAMS.items()}
    found = by_lower.get(name.strip().lower()) if isinstance(name, str) else None
    if found is None:
        raise AudiogramError(
            f"Unknown built-in audiogram {name!r}; choose one of: {', '.join(builtin_names())}."
        )
    return found


def resolve_audiogram(name_or_path: str | os.PathLike[str]) -> Audiogram:
    """Load an audiogram file if ``name_or_path`` is an existing file, else look up a built-in.

    Args:
        name_or_path: Path of a ``.json``, ``.yaml``/``.yml`` or ``.csv`` audiogram file, or a
            built-in name (case-insensitive).

    Returns:
        The audiogram.

    Raises:
        AudiogramError: If the file is invalid, or if ``name_or_path`` is neither an existing file
            nor a built-in name.
    """
    text = os.fspath(name_or_path)
    if Path(text).is_file():
        return Audiogram.load(text)
    try:
        return get_builtin(text)
    except AudiogramError:
        raise AudiogramError(
            f"{text!r} is neither an existing audiogram file nor a built-in audiogram name. "
            f"Built-in names: {', '.join(builtin_names())}. {_SUPPORTED}"
        ) from None


def _format_frequency(freq_hz: float) -> str:
    """Tick label for a frequency in Hz: ``"500"``, ``"1k"``, ``"1.5k"``."""
    return f"{freq_hz / 1000.0:g}k" if freq_hz >= 1000.0 else f"{freq_hz:g}"


def _octave_ticks_hz(freqs_hz: Sequence[float]) -> list[float]:
    """Octave frequencies from 125 Hz to 8 kHz, extended to cover every frequency given."""
    low = min([125.0, *freqs_hz])
    high = max([8000.0, *freqs_hz])
    ticks = [125.0]
    while ticks[0] > low * (1.0 + 1e-9):
        ticks.insert(0, ticks[0] / 2.0)
    while ticks[-1] < high * (1.0 - 1e-9):
        ticks.append(ticks[-1] * 2.0)
    return ticks


def plot_audiograms(
    audiograms: Sequence[Audiogram],
    path: str | os.PathLike[str] | None = None,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    shade_who_grades: bool = False,
) -> Figure:
    """Plot audiograms the clinical way: log frequency across, dB HL downwards.

    The x axis is log-frequency with ticks at the octaves 125 Hz to 8 kHz (extended to cover the
    points present; other point frequencies get unlabelled minor ticks); the y axis runs from
    -10 dB HL at the top to 120 dB HL at the bottom. Each audiogram is a line with markers,
    labelled in the legend with its name, WHO grade and four-frequency average.

    Args:
        audiograms: The audiograms to draw (at least one).
        path: If given, the figure is saved there as PNG.
        ax: Axes to draw into; by default a new figure (no pyplot, Agg canvas) is made.
        title: Optional axes title.
        shade_who_grades: Shade and label the WHO (2021) grade bands behind the lines.

    Returns:
        The figure holding the plot (the root figure of ``ax`` when ``ax`` is given).

    Raises:
        AudiogramError: If ``audiograms`` is empty or not a sequence of :class:`Audiogram`, or
            the PNG cannot be written.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import NullFormatter

    if isinstance(audiograms, Audiogram):
        raise AudiogramError("plot_audiograms takes a sequence of audiograms; pass [audiogram].")
    audiograms = list(audiograms)
    if not audiograms or not all(isinstance(item, Audiogram) for item in audiograms):
        raise AudiogramError(
            "plot_audiograms needs a non-empty sequence of Audiogram objects; load or look them "
            "up with resolve_audiogram() first."
        )
    if ax is None:
        figure = Figure(figsize=(7.0, 5.0), layout="constrained")
        FigureCanvasAgg(figure)
        ax = figure.add_subplot()
    else:
        figure = _root_figure(ax)
    all_freqs = sorted({f for audiogram in audiograms for f in audiogram.frequencies_hz})
    ticks = _octave_ticks_hz(all_freqs)

    if shade_who_grades:
        _shade_grades(ax)
    markers = ("o", "s", "^", "v", "D", "P", "X", "*", "<", ">")
    for index, audiogram in enumerate(audiograms):
        ax.plot(
            audiogram.frequencies_hz,
            audiogram.thresholds_db_hl,
            marker=markers[index % len(markers)],
            label=(
                f"{audiogram.name}: {audiogram.who_grade()} "
                f"({audiogram.four_frequency_average():.1f} dB HL)"
            ),
        )

    ax.set_xscale("log")
    ax.set_xticks(ticks, [_format_frequency(tick) for tick in ticks])
    ax.set_xticks([f for f in all_freqs if f not in ticks], minor=True)
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlim(ticks[0] / 2.0**0.25, ticks[-1] * 2.0**0.25)
    ax.set_ylim(MAX_THRESHOLD_DB_HL, -10.0)
    ax.set_yticks(np.arange(-10.0, MAX_THRESHOLD_DB_HL + 1.0, 10.0))
    ax.set_xlabel("Frequency (Hz)")
    ax.set_ylabel("Hearing threshold (dB HL)")
    ax.grid(True, which="major", alpha=0.5)
    ax.grid(True, which="minor", axis="x", alpha=0.2, linestyle=":")
    ax.legend(title="Audiogram: WHO grade (4FA)", fontsize="small")
    if title is not None:
        ax.set_title(title)

    if path is not None:
        try:
            figure.savefig(os.fspath(path), format="png", dpi=150)
        except OSError as error:
            raise AudiogramError(
                f"{os.fspath(path)}: cannot write the plot ({error.strerror or error}); check "
                "that the folder exists and is writable."
            ) from error
    return figure


def _root_figure(ax: Axes) -> Figure:
    """The top-level figure holding ``ax`` (through any subfigures)."""
    from matplotlib.figure import Figure

    parent: object = ax.figure
    while not isinstance(parent, Figure):
        parent = getattr(parent, "figure", None)
        if parent is None:
            raise AudiogramError("plot_audiograms: ax is not attached to a figure; pass ax=None.")
    return parent


def _shade_grades(ax: Axes) -> None:
    """Shade alternate WHO grade bands and label each at the right edge of ``ax``."""
    bounds = [max(low, -10.0) for low, _ in WHO_GRADES] + [MAX_THRESHOLD_DB_HL]
    for index, (_, label) in enumerate(WHO_GRADES):
        top, bottom = bounds[index], bounds[index + 1]
        if index % 2 == 1:
            ax.axhspan(top, bottom, color="0.92", zorder=0, linewidth=0)
        ax.text(
            0.99,
            (top + bottom) / 2.0,
            label,
            transform=ax.get_yaxis_transform(),
            ha="right",
            va="center",
            fontsize="x-small",
            color="0.4",
            zorder=1,
        )
