"""Do everything `make setup` does after the venv exists.

That is: .env, the KB (dictionary, NLU export, index) and the model.
"""

from __future__ import annotations

import sys

from bot.kb.schema import KbError
from bot.kb.store import prepare
from bot.settings import PROJECT_ROOT, get_settings
from tools.envfile import ENV_FILE, ensure_secrets
from tools.train import train_if_needed


def main() -> int:
    """Prepare the embedded one-machine set-up; idempotent and quick when nothing changed."""
    for key in ensure_secrets():
        print(f"==> generated {key} into {ENV_FILE.relative_to(PROJECT_ROOT)}")
    try:
        prepare()
    except KbError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    settings = get_settings()
    train_if_needed(settings.model_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
