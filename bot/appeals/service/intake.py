"""Check and normalise an appeal body with the field rules the chat form uses.

The fields and their validators are declared once, in bot.appeals.fields.
"""

from __future__ import annotations

from typing import Any

import bot.appeals.fields as fields


class FieldProblems(ValueError):
    """One or more fields failed; each with a code and the Chinese explanation."""

    def __init__(self, problems: dict[str, Any]) -> None:
        """Keep the problems by field."""
        super().__init__(", ".join(problems))
        self.problems = problems

    def detail(self) -> list[dict[str, Any]]:
        """Return the problems in FastAPI's 422 detail shape."""
        return [
            {"loc": ["body", name], "type": problem.code, "msg": problem.message}
            for name, problem in self.problems.items()
        ]


def normalise_body(body: dict[str, Any]) -> dict[str, Any]:
    """Return the body with every field normalised, or raise FieldProblems."""
    result = dict(body)
    problems = {}
    for name, validate in fields.VALIDATORS.items():
        checked = validate(str(body.get(name) or ""))
        if isinstance(checked, fields.Problem):
            problems[name] = checked
        else:
            result[name] = checked.value
    if problems:
        raise FieldProblems(problems)
    return result
