"""Corpus readers: Common Voice (Mozilla layout), LibriSpeech, a folder, a TSV manifest.

Every reader is a generator of :data:`Item` (an :class:`Utterance` or a :class:`RowProblem`), so
that a corpus streams row by row and no row disappears without a reason.
"""

from hearlab.corpora.folder import read_folder, read_manifest
from hearlab.corpora.librispeech import read_librispeech
from hearlab.corpora.mozilla import read_mozilla
from hearlab.corpora.utterance import CorpusError, Item, RowProblem, Utterance

__all__ = [
    "CorpusError",
    "Item",
    "RowProblem",
    "Utterance",
    "read_folder",
    "read_librispeech",
    "read_manifest",
    "read_mozilla",
]
