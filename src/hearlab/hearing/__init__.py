"""Hearing-loss simulators: kernels on ``(..., time)`` tensors with an explicit sample rate."""

from hearlab.hearing.attenuate import SilentAudioWarning, attenuate, attenuation_gains

__all__ = ["SilentAudioWarning", "attenuate", "attenuation_gains"]
