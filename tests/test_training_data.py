"""The NLU data: the contract's intents, enough varied examples, nothing unreachable."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from pathlib import Path

import yaml

from bot.input_guard import assess
from bot.settings import PROJECT_ROOT

CONTRACT_INTENTS = {
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "bot_challenge",
    "out_of_scope",
    "file_appeal",
    "check_appeal_status",
    "request_human",
}


def examples() -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(Path(PROJECT_ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            for line in block["examples"].splitlines():
                if line.strip().startswith("- "):
                    found[block["intent"]].append(line.strip()[2:])
    return found


def test_contract_intents_have_at_least_30_examples() -> None:
    data = examples()
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert set(domain["intents"]) >= CONTRACT_INTENTS
    for intent in CONTRACT_INTENTS:
        assert len(data[intent]) >= 30, intent


def test_no_example_is_repeated_across_intents() -> None:
    owner: dict[str, str] = {}
    for intent, texts in examples().items():
        for text in texts:
            key = re.sub(r"[\W_]+", "", text.lower())
            assert owner.setdefault(key, intent) == intent, text


def test_no_example_is_one_the_input_guard_intercepts() -> None:
    # Such input never reaches the classifier, so training on it only misleads it.
    unreachable = [t for texts in examples().values() for t in texts if assess(t) is not None]
    assert unreachable == []


def test_no_example_is_a_near_copy_of_the_evaluation_sets() -> None:
    # tests/data measures the KB (and out_of_scope.yml calibrates it): training on near-copies
    # of the evaluation questions would flatter the figures `make bench` prints.
    def key(text: str) -> str:
        return re.sub(r"[\W_]+", "", text.lower())

    evaluation: list[str] = []
    for name in (
        "policy_dev.yml",
        "out_of_domain.yml",
        "plain_talk_dev.yml",
        "near_domain_negatives.yml",
    ):
        doc = yaml.safe_load((PROJECT_ROOT / "tests" / "data" / name).read_text(encoding="utf-8"))
        evaluation += [key(str(q["q"] if isinstance(q, dict) else q)) for q in doc["questions"]]
    leaked = [
        text
        for texts in examples().values()
        for text in texts
        if difflib.get_close_matches(key(text), evaluation, n=1, cutoff=0.8)
    ]
    assert leaked == []
