"""Train the Rasa model only when its inputs changed (content-hash stamp).

Rasa's own training cache does not fingerprint JiebaTokenizer's dictionary files, so a
changed dictionary trains with ``--force``.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from bot.kb.glossary import USERDICT_DIR
from bot.settings import PROJECT_ROOT

TRAINING_INPUTS = ("config.yml", "domain.yml", "data", "policies_kb", "build/nlu")
# NLU/story data Rasa trains on: hand-written data/ plus what `make kb` exports (build/nlu).
TRAINING_DATA = ("data", "build/nlu")
STAMP_SUFFIX = ".stamp.json"


def hash_paths(paths: list[Path], root: Path) -> str:
    """SHA-256 over the names (relative to ``root``) and contents of all files under ``paths``."""
    digest = hashlib.sha256()
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file()))
        elif path.exists():
            files.append(path)
    for file in files:
        digest.update(str(file.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(file.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def current_stamp() -> dict[str, str]:
    """Return the hashes of the training inputs and of the generated jieba dictionary."""
    root = PROJECT_ROOT
    return {
        "inputs": hash_paths([root / name for name in TRAINING_INPUTS], root),
        "userdict": hash_paths([USERDICT_DIR], root),
    }


def train_if_needed(model: Path, force: bool = False) -> Path:
    """Train ``model`` (a ``NAME.tar.gz`` path) unless its stamp matches; return it."""
    name = model.name.removesuffix(".tar.gz")
    stamp_file = model.with_name(name + STAMP_SUFFIX)
    want = current_stamp()
    have: dict[str, str] = {}
    if stamp_file.exists():
        have = json.loads(stamp_file.read_text())
    if model.exists() and have == want and not force:
        return model
    # No stamp, or a changed dictionary: Rasa's cache cannot be trusted.
    force = force or have.get("userdict") != want["userdict"]
    cmd = [
        sys.executable,
        "-m",
        "rasa",
        "train",
        "--out",
        str(model.parent),
        "--fixed-model-name",
        name,
        "--data",
        *TRAINING_DATA,
    ]
    if force:
        cmd.append("--force")
    print(f"==> training the model ({'forced' if force else 'incremental'})", flush=True)
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    subprocess.run(cmd, cwd=PROJECT_ROOT, env=env, check=True)
    stamp_file.write_text(json.dumps(want, indent=1))
    return model
