"""Buttons whose payload is their own label: the answer arrives as the text a user could type.

Form slots filled from text (the appeal form's town and category, the policy finder's steps)
read a pressed button exactly like a typed answer, and WeChat shows them as numbered options.
"""

from __future__ import annotations

from collections.abc import Iterable


def label_buttons(labels: Iterable[str]) -> list[dict[str, str]]:
    """Return one button per label, sending the label itself."""
    return [{"title": label, "payload": label} for label in labels]
