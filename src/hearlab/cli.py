"""The ``hearlab`` command: thin sub-commands over the library (Typer).

Heavy libraries (torch, matplotlib) are imported inside the commands so ``hearlab --help`` is
instant. Exit codes: 0 success, 1 some inputs failed or are unaccounted for, 2 usage errors.
"""

from __future__ import annotations

import logging
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, cast

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from hearlab.audiogram import Audiogram
    from hearlab.pipeline.simulate_files import SimulateReport, SimulateSettings

app = typer.Typer(
    help="Study hearing loss with machine listening.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
audiogram_app = typer.Typer(help="List, show and plot audiograms.", no_args_is_help=True)
app.add_typer(audiogram_app, name="audiogram")

console = Console()
err_console = Console(stderr=True)


class Normalize(str, Enum):
    peak = "peak"
    none = "none"


class OutFormat(str, Enum):
    flac = "flac"
    wav = "wav"


def _print_version(value: bool) -> None:
    if value:
        from hearlab import __version__

        console.print(f"hearlab {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log details.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Show version."),
    ] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


def _resolve_profiles(profiles: list[str], audiogram_files: list[Path]) -> list[Audiogram]:
    from hearlab.audiogram import Audiogram, AudiogramError, get_builtin

    resolved: list[Audiogram] = []
    try:
        resolved.extend(get_builtin(name) for name in profiles)
        resolved.extend(Audiogram.load(path) for path in audiogram_files)
    except AudiogramError as error:
        raise typer.BadParameter(str(error)) from error
    if not resolved:
        raise typer.BadParameter(
            "give at least one --profile NAME (see 'hearlab audiogram list') or --audiogram FILE"
        )
    return resolved


@app.command()
def simulate(
    inputs: Annotated[
        list[Path], typer.Argument(help="Audio files and/or folders (searched recursively).")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    profile: Annotated[
        list[str] | None,
        typer.Option("--profile", "-p", help="Built-in profile name; repeat for several."),
    ] = None,
    audiogram: Annotated[
        list[Path] | None,
        typer.Option("--audiogram", "-a", help="Audiogram file (JSON, YAML or CSV); repeatable."),
    ] = None,
    sample_rate: Annotated[
        int, typer.Option(min=1, help="Resample every input to this rate (Hz) first.")
    ] = 16000,
    normalize: Annotated[
        Normalize, typer.Option(help="peak: divide by the peak (the original study).")
    ] = Normalize.peak,
    out_format: Annotated[OutFormat, typer.Option("--format", help="Output format.")] = (
        OutFormat.flac
    ),
    bit_depth: Annotated[int, typer.Option(help="Output bit depth: 16 or 24.")] = 16,
    n_fft: Annotated[int, typer.Option(min=2, help="STFT size.")] = 2048,
    hop_length: Annotated[int, typer.Option(min=1, help="STFT hop.")] = 512,
    batch_size: Annotated[int, typer.Option(min=1, help="Files simulated together.")] = 8,
    workers: Annotated[int, typer.Option(min=1, help="Decode/write threads.")] = 2,
) -> None:
    """Simulate what listeners with the given audiograms hear: one sub-folder per profile."""
    from hearlab.pipeline.simulate_files import SimulateSettings

    audiograms = _resolve_profiles(profile or [], audiogram or [])
    if bit_depth not in (16, 24):
        raise typer.BadParameter("--bit-depth must be 16 or 24")
    settings = SimulateSettings(
        sample_rate=sample_rate,
        n_fft=n_fft,
        hop_length=hop_length,
        normalize=normalize.value,
        format=out_format.value,
        bit_depth=cast(Literal[16, 24], bit_depth),
        batch_size=batch_size,
        workers=workers,
    )
    try:
        report = _run_with_progress(inputs, audiograms, out, settings)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    _print_simulate_report(report, out)
    if not report.ok:
        raise typer.Exit(1)


def _run_with_progress(
    inputs: list[Path], audiograms: list[Audiogram], out: Path, settings: SimulateSettings
) -> SimulateReport:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from hearlab.pipeline.simulate_files import simulate_files

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as progress:
        task = progress.add_task("simulating", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return simulate_files(inputs, audiograms, out, settings, on_progress=update)


def _print_simulate_report(report: SimulateReport, out: Path) -> None:
    for failure in report.failures:
        where = f" [{failure.profile}]" if failure.profile else ""
        err_console.print(
            f"[red]failed[/red]{where} {failure.path}: {failure.reason}", highlight=False
        )
    table = Table(title=f"simulate → {out}")
    table.add_column("profile")
    table.add_column("inputs", justify="right")
    table.add_column("written", justify="right")
    table.add_column("failed", justify="right")
    for name, count in report.written.items():
        failed = sum(1 for f in report.failures if f.profile in ("", name))
        table.add_row(name, str(report.inputs), str(count), str(failed))
    console.print(table)
    speed = report.audio_seconds / report.wall_seconds if report.wall_seconds else 0.0
    console.print(
        f"{report.audio_seconds:.1f} s of audio in {report.wall_seconds:.1f} s "
        f"({speed:.0f}x real time); run.json and failures.tsv in {out}"
    )
    if report.unaccounted:
        err_console.print(f"[red]unaccounted inputs per profile: {report.unaccounted}[/red]")
    if report.failures:
        n_paths = len({f.path for f in report.failures})
        err_console.print(
            f"[red]{n_paths} of {report.inputs} input(s) failed[/red] (listed in "
            f"{out / 'failures.tsv'})"
        )


@audiogram_app.command("list")
def audiogram_list() -> None:
    """List the built-in profiles with their four-frequency average and WHO grade."""
    from hearlab.audiogram import BUILTIN_AUDIOGRAMS

    table = Table(title="built-in audiograms")
    table.add_column("name")
    table.add_column("4FA dB HL", justify="right")
    table.add_column("WHO grade")
    table.add_column("description")
    for name, item in BUILTIN_AUDIOGRAMS.items():
        table.add_row(
            name, f"{item.four_frequency_average():.1f}", item.who_grade(), item.description
        )
    console.print(table)


@audiogram_app.command("show")
def audiogram_show(
    name_or_file: Annotated[str, typer.Argument(help="Built-in name or audiogram file.")],
    plot: Annotated[Path | None, typer.Option(help="Write a PNG plot here.")] = None,
) -> None:
    """Show one audiogram's thresholds and grade; optionally plot it."""
    from hearlab.audiogram import AudiogramError, plot_audiograms, resolve_audiogram

    try:
        item = resolve_audiogram(name_or_file)
    except AudiogramError as error:
        raise typer.BadParameter(str(error)) from error
    table = Table(title=f"{item.name}: {item.description}" if item.description else item.name)
    table.add_column("frequency Hz", justify="right")
    table.add_column("threshold dB HL", justify="right")
    for freq, level in zip(item.frequencies_hz, item.thresholds_db_hl, strict=True):
        table.add_row(f"{freq:g}", f"{level:g}")
    console.print(table)
    console.print(
        f"four-frequency average {item.four_frequency_average():.1f} dB HL: "
        f"WHO grade {item.who_grade()}"
    )
    if plot is not None:
        plot_audiograms([item], plot)
        console.print(f"plot written to {plot}")


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("demo-output"),
    profile: Annotated[
        list[str] | None, typer.Option("--profile", "-p", help="Profiles (default: the study's).")
    ] = None,
) -> None:
    """Run the demo: the built-in profiles on a generated signal, with plots."""
    from hearlab.demo import BAND_CENTRES_HZ, run_demo

    audiograms = _resolve_profiles(profile or ["normal", "lfloss", "hfloss"], [])
    result = run_demo(out, audiograms)
    table = Table(title="level change per octave band, dB (normalize=none)")
    table.add_column("profile")
    table.add_column("WHO grade")
    for centre in BAND_CENTRES_HZ:
        table.add_column(f"{centre:g} Hz", justify="right")
    for item in audiograms:
        changes = result.band_change_db[item.name]
        table.add_row(item.name, item.who_grade(), *(f"{c:+.1f}" for c in changes))
    console.print(table)
    for path in result.files:
        console.print(f"wrote {path}")
    _print_simulate_report(result.report, out / "simulated")
    if not result.report.ok:
        raise typer.Exit(1)


def main() -> None:
    """Console-script entry point."""
    app()
