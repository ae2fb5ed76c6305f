"""Ask the knowledge base one question: rank (or take the ranking the message carries), decide.

The entries the question's own quantities point at are preferred.

The Rasa process ranks each message once, in its NLU pipeline where the message's embedding
is at hand (bot.rasa_ext.nlu.kb_router), and sends the ranking with the parse data; the action
server then decides from that ranking (:func:`ask` with ``carried``) and never embeds the
message again. The console, which has no parse data, ranks here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bot.kb.index import KbIndex
from bot.kb.quantities import rule_entries
from bot.kb.search import EVIDENCE_HITS, MAX_CHOICES, Evidence, SearchResult, evidence, judge


def rank(index: KbIndex, question: str, vector: NDArray[np.float32] | None = None) -> Evidence:
    """Rank the entries for ``question``, keeping what travels with a message."""
    found = evidence(index, question, vector)
    kept = found.hits[:EVIDENCE_HITS]
    kept += [h for h in found.hits[EVIDENCE_HITS:] if h.entry.id in found.named]
    return Evidence(kept, found.named, found.similarity)


def ask(
    index: KbIndex,
    question: str,
    carried: Mapping[str, Any] | None = None,
    k: int = MAX_CHOICES,
    vector: NDArray[np.float32] | None = None,
) -> SearchResult:
    """Decide for ``question``, from the ``carried`` ranking when there is a usable one."""
    found = None
    if carried:
        found = Evidence.from_dict(carried, {e.id: e for e in index.entries})
    if found is None:
        found = rank(index, question, vector)
    return judge(question, found, index.params, k, frozenset(rule_entries(question)))
