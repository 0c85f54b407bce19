"""Benchmark: the original study's per-clip librosa simulator against hearlab's batched kernel.

The work measured is what the study did to every decoded clip: simulate the three profiles
(``normal``, ``lfloss``, ``hfloss``). Both sides get the same decoded float32 clips in one run;
decoding is not timed. Each configuration runs in its own subprocess with its thread count fixed
in the environment before numpy, torch or librosa load, warms up once, then keeps the best of the
timed repetitions. Throughput is input audio seconds (each simulated for all three profiles) per
wall second, i.e. times real time (xRT).

Configurations:

- one thread: the reference loops over clips in one single-threaded process; hearlab runs with
  ``torch.set_num_threads(1)`` on clips sorted by length and zero-padded into batches.
- all cores: the reference maps clips over a ``multiprocessing.Pool`` of one single-threaded
  process per core (how per-clip scripts scale); hearlab uses every core as torch threads.

Usage::

    .venv/bin/python bench/simulate.py                 # print the table
    .venv/bin/python bench/simulate.py --record        # and append it to bench/RESULTS.md
    .venv/bin/python bench/simulate.py --quick         # smoke test: ~20 s of audio, 1 repetition
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from hearlab.audiogram import Audiogram, get_builtin

Clip = npt.NDArray[np.float32]
Profile = tuple[tuple[float, ...], tuple[float, ...]]  # (frequencies_hz, thresholds_db_hl)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "speech"
RESULTS_PATH = Path(__file__).resolve().parent / "RESULTS.md"
PROFILES = ("normal", "lfloss", "hfloss")
SAMPLE_RATE = 16000
N_FFT = 2048
HOP_LENGTH = 512
TOLERANCE = 1e-4
THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS")
AUDIO_SUFFIXES = (".flac", ".wav")

RESULTS_HEADER = """# Simulation benchmark results

Written by `bench/simulate.py --record` (see `bench/README.md`). Each section is one run on one
machine: the original study's per-clip librosa simulator (the reference) and hearlab's batched
kernel simulate the same three profiles (normal, lfloss, hfloss) on the same decoded clips, and
every hearlab figure stands beside the reference measured in that same run, so compare the
speedup column within a row rather than absolute figures across machines or runs. xRT is input
audio seconds (each simulated for all three profiles) per wall second, best of the repetitions
after a warm-up; per core divides by the cores used. Target: hearlab at least 3x the reference
per core.
"""


# --------------------------------------------------------------------------- the reference
# The study's simulator written plainly with librosa lives with the tests (one copy, used by both).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.hearing.librosa_reference import reference_attenuate  # noqa: E402


def reference_clip(y: Clip, profiles: Sequence[Profile]) -> list[Clip]:
    """What the study's per-clip script did to one decoded clip: every profile in turn."""
    return [
        reference_attenuate(y, SAMPLE_RATE, freqs, thresholds) for freqs, thresholds in profiles
    ]


_POOL_CLIPS: list[Clip] = []
_POOL_PROFILES: list[Profile] = []


def _pool_init(clips: list[Clip], profiles: list[Profile]) -> None:
    _POOL_CLIPS[:] = clips
    _POOL_PROFILES[:] = profiles


def _pool_task(index: int) -> int:
    # Return a count, not the audio: a per-clip script writes its outputs, it does not ship them.
    return sum(len(out) for out in reference_clip(_POOL_CLIPS[index], _POOL_PROFILES))


# --------------------------------------------------------------------------- hearlab


def hearlab_batched(
    clips: Sequence[Clip], audiograms: Sequence[Audiogram], batch_size: int
) -> list[list[Clip]]:
    """All profiles on all clips with hearlab, clips sorted by length and padded into batches.

    Returns ``outputs[profile][clip]`` in the clips' original order.
    """
    import torch

    from hearlab.hearing import attenuate

    order = sorted(range(len(clips)), key=lambda i: len(clips[i]), reverse=True)
    outputs: list[list[Clip]] = [[np.empty(0, np.float32)] * len(clips) for _ in audiograms]
    for start in range(0, len(order), batch_size):
        indices = order[start : start + batch_size]
        lengths = [len(clips[i]) for i in indices]
        batch = torch.zeros(len(indices), max(lengths))
        for row, i in enumerate(indices):
            batch[row, : lengths[row]] = torch.from_numpy(clips[i])
        for p, audiogram in enumerate(audiograms):
            out = attenuate(
                batch, SAMPLE_RATE, audiogram, n_fft=N_FFT, hop_length=HOP_LENGTH, lengths=lengths
            ).numpy()
            for row, i in enumerate(indices):
                outputs[p][i] = out[row, : lengths[row]]
    return outputs


# --------------------------------------------------------------------------- clips


def load_clips(data: Path, seconds: float) -> tuple[list[Clip], str]:
    """Decoded speech from ``data`` cycled to ``seconds`` of audio, else synthetic speech-like."""
    files = sorted(p for p in data.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES)
    if not files:
        return _synthetic_clips(seconds), "synthetic speech-like (hearlab.dsp.signals)"
    import soundfile as sf

    decoded = []
    for path in files:
        audio, sr = sf.read(path, dtype="float32", always_2d=True)
        if sr != SAMPLE_RATE:
            raise SystemExit(f"{path} is at {sr} Hz; the benchmark expects {SAMPLE_RATE} Hz clips")
        decoded.append(np.ascontiguousarray(audio.mean(axis=1), dtype=np.float32))
    clips: list[Clip] = []
    while sum(len(c) for c in clips) < seconds * SAMPLE_RATE:
        clips.append(decoded[len(clips) % len(decoded)])
    try:
        where = str(Path(os.path.relpath(data, REPO_ROOT)))
    except ValueError:
        where = str(data)
    return clips, f"real speech in `{where}` ({len(files)} files, cycled)"


def _synthetic_clips(seconds: float) -> list[Clip]:
    from hearlab.dsp.signals import speech_like

    durations = np.random.default_rng(0).uniform(2.0, 12.0, size=10_000)
    clips: list[Clip] = []
    while sum(len(c) for c in clips) < seconds * SAMPLE_RATE:
        i = len(clips)
        clips.append(speech_like(float(durations[i]), sr=SAMPLE_RATE, seed=i).astype(np.float32))
    return clips


def _profiles() -> tuple[list[Audiogram], list[Profile]]:
    audiograms = [get_builtin(name) for name in PROFILES]
    return audiograms, [(a.frequencies_hz, a.thresholds_db_hl) for a in audiograms]


# --------------------------------------------------------------------------- workers


def _best_time(run: Callable[[], object], repeats: int) -> float:
    run()  # warm-up: imports, numba compilation, allocator and FFT plan caches
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def worker_reference(clips: list[Clip], processes: int, repeats: int) -> float:
    _, profiles = _profiles()
    if processes == 1:
        return _best_time(lambda: [reference_clip(c, profiles) for c in clips], repeats)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    reference_clip(clips[0], profiles)  # compile librosa's numba kernels before forking
    longest_first = sorted(range(len(clips)), key=lambda i: len(clips[i]), reverse=True)
    with context.Pool(processes, initializer=_pool_init, initargs=(clips, profiles)) as pool:
        return _best_time(
            lambda: list(pool.imap_unordered(_pool_task, longest_first, chunksize=1)), repeats
        )


def worker_hearlab(clips: list[Clip], threads: int, batch_size: int, repeats: int) -> float:
    import torch

    torch.set_num_threads(threads)
    audiograms, _ = _profiles()
    return _best_time(lambda: hearlab_batched(clips, audiograms, batch_size), repeats)


def worker_check(clips: list[Clip], batch_sizes: Sequence[int]) -> dict[str, Any]:
    """Max abs difference between hearlab (at each batch size) and the reference."""
    import torch

    import hearlab

    audiograms, profiles = _profiles()
    reference = [reference_clip(c, profiles) for c in clips]  # [clip][profile]
    max_diff = {}
    for batch_size in batch_sizes:
        ours = hearlab_batched(clips, audiograms, batch_size)  # [profile][clip]
        max_diff[str(batch_size)] = max(
            float(np.max(np.abs(ours[p][i] - reference[i][p])))
            for i in range(len(clips))
            for p in range(len(profiles))
        )
    versions = {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "librosa": metadata.version("librosa"),
        "hearlab": hearlab.__version__,
    }
    return {"max_abs_diff": max_diff, "versions": versions}


def run_worker(args: argparse.Namespace) -> None:
    clips, source = load_clips(args.data, args.seconds)
    result: dict[str, Any] = {
        "clips": len(clips),
        "audio_s": sum(len(c) for c in clips) / SAMPLE_RATE,
        "shortest_s": min(len(c) for c in clips) / SAMPLE_RATE,
        "longest_s": max(len(c) for c in clips) / SAMPLE_RATE,
        "source": source,
    }
    if args.worker == "reference":
        result["wall_s"] = worker_reference(clips, args.processes, args.repeats)
    elif args.worker == "hearlab":
        result["wall_s"] = worker_hearlab(clips, args.threads, args.batch, args.repeats)
    else:
        result.update(worker_check(clips, args.batch_sizes))
    print(json.dumps(result))


def spawn_worker(args: argparse.Namespace, threads: int, *worker_args: str) -> dict[str, Any]:
    """Runs this script as a worker with ``threads`` fixed before any numeric library loads."""
    env = dict(os.environ, **{name: str(threads) for name in THREAD_ENV})
    command = [sys.executable, str(Path(__file__).resolve()), "--data", str(args.data)]
    command += ["--seconds", str(args.seconds), "--repeats", str(args.repeats), *worker_args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"worker {' '.join(worker_args)} failed with exit code {done.returncode}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --------------------------------------------------------------------------- the report


def measure(args: argparse.Namespace) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    cores = os.cpu_count() or 1
    configs = [("one thread", 1)] + ([("all cores", cores)] if cores > 1 else [])
    sizes = [str(b) for b in args.batch_sizes]
    args.load_average = os.getloadavg()[0]
    print(f"load average (1 min) before the run: {args.load_average:.2f} on {cores} cores")
    check = spawn_worker(args, cores, "--worker", "check", "--batch-sizes", *sizes)
    print(f"clips: {check['source']}: {check['clips']} clips, {check['audio_s']:.1f} s")
    for batch, diff in check["max_abs_diff"].items():
        print(f"check: batch {batch}: max |hearlab - reference| = {diff:.2e}")
    rows = []
    for name, n in configs:
        ref = spawn_worker(args, 1, "--worker", "reference", "--processes", str(n))
        ref_rt = ref["audio_s"] / ref["wall_s"]
        print(f"{name}: reference, {n} process(es): {ref['wall_s']:.3f} s, {ref_rt:.1f} xRT")
        for batch in args.batch_sizes:
            ours = spawn_worker(
                args, n, "--worker", "hearlab", "--threads", str(n), "--batch", str(batch)
            )
            ours_rt = ours["audio_s"] / ours["wall_s"]
            print(f"{name}: hearlab, batch {batch}: {ours['wall_s']:.3f} s, {ours_rt:.1f} xRT")
            rows.append(
                {"config": name, "cores": n, "batch": batch, "ref": ref_rt, "ours": ours_rt}
            )
    return rows, check


def table(rows: Sequence[dict[str, Any]]) -> str:
    lines = [
        "| configuration | cores | batch | reference xRT | hearlab xRT | reference xRT/core "
        "| hearlab xRT/core | speedup |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['config']} | {r['cores']} | {r['batch']} | {r['ref']:.1f} | {r['ours']:.1f} "
            f"| {r['ref'] / r['cores']:.1f} | {r['ours'] / r['cores']:.1f} "
            f"| {r['ours'] / r['ref']:.2f}x |"
        )
    return "\n".join(lines)


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    except OSError:
        lscpu = ""
    for line in lscpu.splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
            break
    ram_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{model}, {os.cpu_count()} cores, {ram_gib:.1f} GiB RAM, {platform.platform()}"


def section(args: argparse.Namespace, rows: Sequence[dict[str, Any]], check: dict[str, Any]) -> str:
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    versions = ", ".join(f"{k} {v}" for k, v in check["versions"].items())
    diffs = ", ".join(f"batch {b}: {d:.1e}" for b, d in check["max_abs_diff"].items())
    repeats = f"best of {args.repeats} after a warm-up"
    return (
        f"## {now}\n\n"
        f"- Machine: {machine()}\n"
        f"- Load average (1 min) before the run: {args.load_average:.2f}\n"
        f"- Versions: {versions}\n"
        f"- Clips: {check['source']}: {check['clips']} clips, {check['audio_s']:.1f} s in all "
        f"({check['shortest_s']:.1f}-{check['longest_s']:.1f} s), {SAMPLE_RATE} Hz float32\n"
        f"- Work: simulate {len(PROFILES)} profiles ({', '.join(PROFILES)}) on every clip; "
        f"n_fft {N_FFT}, hop {HOP_LENGTH}, peak normalisation; {repeats}\n"
        f"- Check: max abs difference hearlab - reference ({diffs}); tolerance {TOLERANCE:g}\n\n"
        f"{table(rows)}\n"
    )


def record(text: str) -> None:
    existing = RESULTS_PATH.read_text() if RESULTS_PATH.exists() else RESULTS_HEADER
    RESULTS_PATH.write_text(existing.rstrip("\n") + "\n\n" + text)
    print(f"appended to {RESULTS_PATH}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="total audio (default 120)")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--record", action="store_true", help=f"append to {RESULTS_PATH.name}")
    parser.add_argument("--quick", action="store_true", help="~20 s of audio, 1 repetition")
    parser.add_argument("--repeats", type=int, default=3, help="timed repetitions (default 3)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of 16 kHz clips")
    # Internal: one configuration in a subprocess.
    parser.add_argument(
        "--worker", choices=["reference", "hearlab", "check"], help=argparse.SUPPRESS
    )
    parser.add_argument("--processes", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.repeats = min(args.seconds, 20.0), 1
    if min(args.batch_sizes) < 1 or args.repeats < 1 or args.seconds <= 0:
        parser.error("--batch-sizes and --repeats must be at least 1, --seconds positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        run_worker(args)
        return 0
    rows, check = measure(args)
    print()
    print(table(rows))
    worst = max(check["max_abs_diff"].values())
    passed = worst < TOLERANCE
    print(f"\ncheck: max |hearlab - reference| = {worst:.2e} ({'ok' if passed else 'FAILED'})")
    for name in dict.fromkeys(r["config"] for r in rows):
        best = max((r for r in rows if r["config"] == name), key=lambda r: r["ours"] / r["ref"])
        speedup = best["ours"] / best["ref"]
        verdict = "met" if speedup >= 3 else "NOT met"
        print(
            f"{name}: best speedup {speedup:.2f}x at batch {best['batch']} (target 3x: {verdict})"
        )
    if not passed:
        print("not recorded: hearlab disagrees with the reference", file=sys.stderr)
        return 1
    if args.record:
        record(section(args, rows, check))
    return 0


if __name__ == "__main__":
    sys.exit(main())
