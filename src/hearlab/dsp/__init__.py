"""Signal-processing building blocks: resampling, batched STFT round trips, levels, test signals."""

from hearlab.dsp.level import peak_normalize
from hearlab.dsp.resample import resample
from hearlab.dsp.stft import spectral_gain

__all__ = ["peak_normalize", "resample", "spectral_gain"]
