"""The error every knowledge-base check raises: it names the file and line to fix."""

from __future__ import annotations

from pathlib import Path


class KbError(ValueError):
    """A problem in a knowledge-base file, with the file and line where it is."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
