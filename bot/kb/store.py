"""Build the KB index once (`make kb`) and load it quickly where answers are needed."""

from __future__ import annotations

import hashlib
import logging
import pickle
from dataclasses import dataclass
from pathlib import Path

from bot import embedding
from bot.kb import evalsets
from bot.kb.calibrate import CALIBRATION_FILE, OUT_OF_SCOPE_FILE, Calibration, calibration_for
from bot.kb.glossary import KB_DIR, USERDICT_DIR, USERDICT_NAME, build_userdict
from bot.kb.index import KbIndex
from bot.kb.nlu_export import existing_examples, export_examples
from bot.kb.quantities import load_rules
from bot.kb.schema import STATUS_FILE, KbError, load_entries
from bot.settings import PROJECT_ROOT

INDEX_FILE = PROJECT_ROOT / "build" / "kb" / "index.pkl"
logger = logging.getLogger(__name__)


@dataclass
class StoredIndex:
    """What `make kb` writes: the index, how it was calibrated and what it was built from.

    The index holds the entry texts' embeddings and the identity of the model that made them.
    """

    kb_hash: str
    index: KbIndex
    calibration: Calibration


def kb_hash(kb_dir: Path = KB_DIR) -> str:
    """Hash what the index is built and calibrated from (and the index code's version)."""
    digest = hashlib.sha256(b"kb-index-v3")
    for path in (
        OUT_OF_SCOPE_FILE,
        CALIBRATION_FILE,
        evalsets.PLAIN_TALK_FILE,
        evalsets.NEAR_DOMAIN_FILE,
    ):
        digest.update(path.read_bytes() if path.exists() else b"-")
    # Not the documents' status: staff record it without rebuilding the index (it is read
    # when answers are composed, and checked against the entries by every load_entries).
    status = kb_dir / STATUS_FILE
    for path in sorted(p for p in kb_dir.rglob("*") if p.is_file() and p != status):
        digest.update(str(path.relative_to(kb_dir)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def check_rules(kb_dir: Path, entry_ids: set[str]) -> None:
    """Validate the quantity thresholds (thresholds.yml) against the source and the entries."""
    path = kb_dir / "thresholds.yml"
    if not path.exists():
        return
    load_rules.cache_clear()
    unknown = {r.entry for r in load_rules(path)} - entry_ids
    if unknown:
        raise KbError(path, 1, f"unknown entries: {', '.join(sorted(unknown))}")


def build_index(kb_dir: Path = KB_DIR, out: Path = INDEX_FILE) -> StoredIndex:
    """Validate the KB, write the jieba dictionary, calibrate, build and save the index."""
    entries = load_entries(kb_dir)
    userdict = build_userdict(kb_dir, USERDICT_DIR)
    check_rules(kb_dir, {e.id for e in entries})
    export_examples(entries, existing_examples())
    index = KbIndex.build(entries, userdict)
    calibration = calibration_for(index)
    index.params = calibration.params
    stored = StoredIndex(kb_hash(kb_dir), index, calibration)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(stored))
    tmp.replace(out)
    return stored


def prepare(kb_dir: Path = KB_DIR, path: Path = INDEX_FILE) -> StoredIndex:
    """Write the dictionary and NLU export (cheap, always) and build the index if stale."""
    entries = load_entries(kb_dir)
    build_userdict(kb_dir, USERDICT_DIR)
    check_rules(kb_dir, {e.id for e in entries})
    export_examples(entries, existing_examples())
    return load_index(kb_dir, path)


def load_index(kb_dir: Path = KB_DIR, path: Path = INDEX_FILE) -> StoredIndex:
    """Load the saved index, rebuilding it if the KB changed since `make kb`."""
    if path.exists():
        stored = pickle.loads(path.read_bytes())  # written by build_index on this machine
        if not isinstance(stored, StoredIndex) or stored.kb_hash != kb_hash(kb_dir):
            logger.warning("knowledge base changed since `make kb`; rebuilding the index")
        elif stored.index.model != embedding.model_identity():
            logger.warning("embedding model changed since `make kb`; rebuilding the index")
        else:
            return stored
    return build_index(kb_dir, path)


def default_userdict() -> Path:
    """Path of the generated jieba user dictionary."""
    return USERDICT_DIR / USERDICT_NAME
