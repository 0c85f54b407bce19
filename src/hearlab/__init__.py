"""hearlab: study hearing loss with machine listening.

Layers (see ARCHITECTURE.md): pure tensor kernels (:mod:`hearlab.hearing`, :mod:`hearlab.dsp`),
typed configuration (:mod:`hearlab.audiogram`) and adapters (:mod:`hearlab.io`,
:mod:`hearlab.pipeline`, :mod:`hearlab.cli`). Importing the package is cheap: heavy libraries
load only in the modules that need them.
"""

__version__ = "0.1.0"
