from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.appeals.service.rules import ROUTING_FILE, load_rules, parse_rules

RULES = load_rules()


@pytest.mark.parametrize(
    ("category", "department"),
    [
        ("tax", "区税务局"),
        ("talent", "区人力资源社会保障局"),
        ("hiring", "区人力资源社会保障局"),
        ("registration", "区市场监管局"),
        ("penalty", "区市场监管局"),
        ("ip", "区市场监管局"),
        ("construction", "区建设管理委"),
        ("environment", "区生态环境局"),
        ("customs", "嘉定海关"),
        ("science", "区科委"),
        ("legal", "区司法局"),
        ("private_economy", "区工商联"),
        ("headquarters", "区商务委"),
        ("government_service", "区行政服务中心"),
        ("financing", "区经委"),
        ("other", "区经委"),
        ("something-new", "区经委"),  # anything unclear goes to triage
    ],
)
def test_online_appeals_are_proposed_by_category(category: str, department: str) -> None:
    proposal = RULES.propose(category, "chat", "安亭镇")
    assert RULES.department(proposal.department).name == department


def test_offline_appeals_start_with_the_town() -> None:
    proposal = RULES.propose("tax", "offline", "南翔镇")
    assert RULES.department(proposal.department).name == "南翔镇"
    assert proposal.complexity == RULES.categories["tax"].complexity
    # an unknown town: by category, as online
    assert RULES.propose("tax", "offline", "火星").department == "tax"


def test_the_12_towns_and_the_new_city_are_departments() -> None:
    towns = {d.name for d in RULES.departments if d.kind == "town"}
    assert len(towns) == 13 and "嘉定新城" in towns and "嘉定工业区" in towns


def test_department_names_occur_in_the_source() -> None:
    source = Path("policies_kb/source/jiading-2020-8.txt").read_text(encoding="utf-8")
    for dept in RULES.departments:
        if dept.kind != "town":
            assert dept.name in source, dept.name


def test_bad_rules_are_refused(tmp_path: Path) -> None:
    data = yaml.safe_load(ROUTING_FILE.read_text(encoding="utf-8"))
    data["categories"]["tax"]["department"] = "nowhere"
    with pytest.raises(ValueError, match="unknown department 'nowhere'"):
        parse_rules(data, tmp_path / "routing.yml")
    data = yaml.safe_load(ROUTING_FILE.read_text(encoding="utf-8"))
    data["triage"] = "ghost"
    with pytest.raises(ValueError, match="triage department"):
        parse_rules(data, tmp_path / "routing.yml")
