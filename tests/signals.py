"""Signals for the tests (re-exported from :mod:`hearlab.dsp.signals` under short names)."""

from hearlab.dsp.signals import speech_like, tone
from hearlab.dsp.signals import white_noise as noise

__all__ = ["noise", "speech_like", "tone"]
