"""Check and normalise an appeal body with the same field rules the chat form uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import bot.appeals.fields as fields

# body key → validator of bot.appeals.fields
VALIDATORS: dict[str, Callable[[str], Any]] = {
    "enterprise_name": fields.enterprise_name,
    "credit_code": fields.credit_code,
    "contact_name": fields.contact_name,
    "phone": fields.phone,
    "town": fields.town,
    "category": fields.category,
    "description": fields.description,
}


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
    for name, validate in VALIDATORS.items():
        checked = validate(str(body.get(name) or ""))
        if isinstance(checked, fields.Problem):
            problems[name] = checked
        else:
            result[name] = checked.value
    if problems:
        raise FieldProblems(problems)
    return result
