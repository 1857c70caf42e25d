"""Movie Buddy's core: everything that works without Qt (media, encoders, tokens, store, indexing, CLI)."""

import os

__version__ = "0.1.0"

# NumPy's matrix products here are small (a question, a batch of subtitle lines, a few thousand frames'
# patch grids): OpenBLAS's own threads gain little on them and spin against playback, the indexer and
# anything else on a 2-core machine (measured: a test of question time took 62 s instead of 39 s beside
# two busy processes, and over 15 minutes beside two test suites). Set before NumPy is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
