"""Rasa's command line with the project's patches applied: ``python -m bot.rasa_ext.cli run ...``.

``make run``, ``make shell`` and the tests start the Rasa server through this module instead of
``python -m rasa`` so that the patches of bot.rasa_ext.patches are switched on in one visible
place, before Rasa loads anything; the arguments are Rasa's own.
"""

from __future__ import annotations

import logging

from bot.rasa_ext.patches import apply_all

logger = logging.getLogger(__name__)


def main() -> None:
    """Apply the patches, then hand the command line to Rasa."""
    applied = apply_all()
    from rasa.__main__ import main as rasa_main  # after the patches: Rasa sees them

    logger.debug("Rasa patches applied: %s", applied)
    rasa_main()


if __name__ == "__main__":
    main()
