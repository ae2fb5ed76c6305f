"""Routing rules (config/routing.yml): propose a lead department and a default complexity."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.settings import PROJECT_ROOT

ROUTING_FILE = PROJECT_ROOT / "config" / "routing.yml"
COMPLEXITIES = ("simple", "complex")


@dataclass(frozen=True)
class Department:
    """A department or town that can own appeals."""

    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class Proposal:
    """Where an appeal is proposed to go, and how complex it is by default."""

    department: str
    complexity: str


@dataclass(frozen=True)
class RoutingRules:
    """The departments, the triage department and the category rules."""

    triage: str
    departments: tuple[Department, ...]
    categories: dict[str, Proposal]
    offline_channels: frozenset[str]

    def department(self, code: str) -> Department:
        """Return the department with ``code`` (KeyError if none)."""
        return next(d for d in self.departments if d.code == code)

    def by_name(self, name: str) -> Department | None:
        """Return the department or town called ``name``."""
        return next((d for d in self.departments if d.name == name), None)

    def propose(self, category: str, channel: str, town: str) -> Proposal:
        """Propose the lead department: the town first for offline appeals, else by category."""
        rule = self.categories.get(category, Proposal(self.triage, "complex"))
        if channel in self.offline_channels:
            local = self.by_name(town)
            if local is not None and local.kind == "town":
                return Proposal(local.code, rule.complexity)
        return rule


def parse_rules(data: Any, path: Path) -> RoutingRules:
    """Check the routing file's structure and build the rules; errors name the file."""

    def fail(message: str) -> ValueError:
        return ValueError(f"{path}: {message}")

    if not isinstance(data, dict):
        raise fail("expected a mapping")
    departments = tuple(
        Department(str(d["code"]), str(d["name"]), str(d["kind"])) for d in data["departments"]
    )
    codes = {d.code for d in departments}
    if len(codes) != len(departments) or len({d.name for d in departments}) != len(departments):
        raise fail("department codes and names must be unique")
    if data.get("triage") not in codes:
        raise fail(f"triage department {data.get('triage')!r} is not listed")
    categories: dict[str, Proposal] = {}
    for category, rule in (data.get("categories") or {}).items():
        if rule.get("department") not in codes:
            raise fail(f"category {category}: unknown department {rule.get('department')!r}")
        if rule.get("complexity") not in COMPLEXITIES:
            raise fail(f"category {category}: complexity must be simple or complex")
        categories[str(category)] = Proposal(str(rule["department"]), str(rule["complexity"]))
    return RoutingRules(
        triage=str(data["triage"]),
        departments=departments,
        categories=categories,
        offline_channels=frozenset(data.get("offline_channels") or ()),
    )


@cache
def load_rules(path: Path = ROUTING_FILE) -> RoutingRules:
    """Load config/routing.yml once."""
    return parse_rules(yaml.safe_load(path.read_text(encoding="utf-8")), path)
