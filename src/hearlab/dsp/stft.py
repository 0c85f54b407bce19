"""A batched STFT → real gain per bin → inverse STFT round trip that is exact per clip.

Why not ``torch.stft``/``torch.istft``: over a zero-padded batch ``istft`` overlap-adds (and
normalises by) every frame of the padded length, so the last ~``n_fft`` samples of a shorter
clip receive energy from frames that clip does not have on its own. Here every clip keeps only
its own ``1 + length // hop`` frames, and its window envelope is built from those frames alone,
so a clip in a batch comes out exactly as it does alone (and as ``librosa.istft(..., length=n)``).

Speed: frames are kept in ``(batch, frames, n_fft)`` layout so every FFT and product runs on
contiguous rows, and the overlap-add is a handful of shifted slice additions instead of
``fold``. On the CPU a large batch is processed in sub-batches whose frames fit in cache (on a
2-core EPYC: about twice the throughput of one pass over a 32-clip batch of 2-10 s clips); on a GPU
it is one pass.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

CPU_CHUNK_ELEMENTS = 1 << 20
"""On the CPU, clips are processed in groups whose frame tensor holds at most this many values."""


def frame_counts(lengths: torch.Tensor, hop_length: int) -> torch.Tensor:
    """Frames of a centred STFT for each clip length: ``1 + length // hop_length``."""
    return 1 + torch.div(lengths, hop_length, rounding_mode="floor")


def spectral_gain(
    audio: torch.Tensor,
    gain: torch.Tensor,
    *,
    n_fft: int,
    hop_length: int,
    lengths: torch.Tensor | None = None,
) -> torch.Tensor:
    """Multiplies every STFT bin by a real gain and resynthesises with the original phase.

    The STFT is centred with zero padding (librosa ≥ 0.10's ``pad_mode="constant"``) and a
    periodic Hann window; the inverse normalises by the summed squared window of each clip's own
    frames, like ``librosa.istft``.

    Args:
        audio: Shape ``(batch, time)``, float32 or float64. Samples at or past a clip's length
            must be zero.
        gain: Linear gain per frequency bin, shape ``(n_fft // 2 + 1,)`` (one for the batch) or
            ``(batch, n_fft // 2 + 1)`` (one per clip); same dtype and device as ``audio``.
        n_fft: FFT size (and window length) in samples.
        hop_length: Hop in samples.
        lengths: Shape ``(batch,)``, int64 clip lengths in samples; ``None`` means every clip
            fills ``time``.

    Returns:
        Shape ``(batch, time)``; zero at and past each clip's length.
    """
    batch, n_samples = audio.shape
    if audio.device.type != "cpu" or batch <= 1:
        return _spectral_gain(audio, gain, n_fft, hop_length, lengths)
    frames_per_clip = (n_samples // hop_length + 1) * n_fft
    step = max(1, CPU_CHUNK_ELEMENTS // frames_per_clip)
    if step >= batch:
        return _spectral_gain(audio, gain, n_fft, hop_length, lengths)
    out = torch.zeros_like(audio)
    for start in range(0, batch, step):
        part = slice(start, start + step)
        part_lengths = None if lengths is None else lengths[part]
        # Trim the group to its longest clip: padding beyond it is pure waste.
        width = n_samples if part_lengths is None else int(part_lengths.max())
        part_gain = gain if gain.ndim == 1 else gain[part]
        out[part, :width] = _spectral_gain(
            audio[part, :width], part_gain, n_fft, hop_length, part_lengths
        )
    return out


def _spectral_gain(
    audio: torch.Tensor,
    gain: torch.Tensor,
    n_fft: int,
    hop_length: int,
    lengths: torch.Tensor | None,
) -> torch.Tensor:
    n_samples = audio.shape[-1]
    half = n_fft // 2
    window = torch.hann_window(n_fft, periodic=True, dtype=audio.dtype, device=audio.device)

    frames = F.pad(audio, (half, half)).unfold(-1, n_fft, hop_length) * window  # (B, T, n_fft)
    spec = torch.fft.rfft(frames, dim=-1)
    spec.mul_(gain.unsqueeze(-2) if gain.ndim == 2 else gain)
    frames = torch.fft.irfft(spec, n=n_fft, dim=-1).mul_(window)
    n_frames = frames.shape[-2]

    if lengths is None:
        own = torch.full((1,), n_frames, dtype=torch.int64, device=audio.device)
    else:
        own = frame_counts(lengths.to(audio.device), hop_length)
        keep = torch.arange(n_frames, device=audio.device) < own.unsqueeze(1)
        frames.mul_(keep.unsqueeze(-1).to(audio.dtype))

    signal = _overlap_add(frames, hop_length)
    envelope = _window_envelope(window, hop_length, own, n_frames)
    signal = signal[:, half : half + n_samples]
    envelope = envelope[:, half : half + n_samples]
    tiny = torch.finfo(audio.dtype).tiny
    out = torch.where(envelope > tiny, signal / envelope.clamp_min(tiny), signal)
    if lengths is not None:
        inside = torch.arange(n_samples, device=audio.device) < lengths.to(audio.device)[:, None]
        out = out * inside
    return out


def _overlap_add(frames: torch.Tensor, hop_length: int) -> torch.Tensor:
    """Overlap-adds ``(B, T, n)`` frames at a hop: each frame is cut into ``ceil(n / hop)``
    hop-long pieces and piece ``k`` of frame ``t`` lands in output block ``t + k``.

    Returns ``(B, (T + pieces - 1) * hop)``: at least ``n + hop * (T - 1)`` samples.
    """
    batch, n_frames, n_fft = frames.shape
    pieces = math.ceil(n_fft / hop_length)
    if pieces * hop_length != n_fft:
        frames = F.pad(frames, (0, pieces * hop_length - n_fft))
    blocks = frames.reshape(batch, n_frames, pieces, hop_length)
    out = frames.new_zeros(batch, n_frames + pieces - 1, hop_length)
    for k in range(pieces):
        out[:, k : k + n_frames] += blocks[:, :, k]
    return out.reshape(batch, -1)


def _window_envelope(
    window: torch.Tensor, hop_length: int, own_frames: torch.Tensor, n_frames: int
) -> torch.Tensor:
    """Sum of squared windows over each clip's own frames, laid out like :func:`_overlap_add`.

    Block ``j`` gets squared-window piece ``k`` whenever frame ``j - k`` is one of the clip's own
    frames (``0 <= j - k < own``).

    Returns ``(len(own_frames), (n_frames + pieces - 1) * hop)``.
    """
    n_fft = window.shape[0]
    pieces = math.ceil(n_fft / hop_length)
    squared = F.pad(window * window, (0, pieces * hop_length - n_fft)).reshape(pieces, hop_length)
    block = torch.arange(n_frames + pieces - 1, device=window.device)
    out = window.new_zeros(own_frames.shape[0], block.shape[0], hop_length)
    for k in range(pieces):
        frame = block - k
        valid = (frame >= 0) & (frame < own_frames.unsqueeze(1))  # (clips, blocks)
        out += valid.unsqueeze(-1).to(window.dtype) * squared[k]
    return out.reshape(own_frames.shape[0], -1)
