from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.kb.answer import citation
from bot.kb.finder import (
    NONE,
    Reading,
    asks_for_past,
    decode_profile,
    encode_profile,
    find,
    match_entries,
    matches_payload,
    matches_text,
    profile_labels,
    read_answer,
)
from bot.kb.finder_config import FINDER_FILE, FinderConfig, load_config
from bot.kb.glossary import KB_DIR
from bot.kb.schema import Entry, KbError, load_entries
from bot.kb.status import DocumentStatus, status_line
from tests.bot.kb.test_schema import GOOD_ENTRY, field_line, write_kb

CONFIG = load_config(KB_DIR)


@pytest.mark.parametrize(
    ("key", "text", "reading", "codes"),
    [
        ("industry", "制造业", Reading.CHOSEN, ("manufacturing",)),
        ("industry", "我们是做汽车零部件的", Reading.CHOSEN, ("manufacturing",)),
        ("industry", "3", Reading.CHOSEN, ("logistics",)),
        ("industry", "９", Reading.UNCLEAR, ()),
        ("industry", "做汽车零部件贸易", Reading.UNCLEAR, ()),  # two industries: ask again
        ("size", "小微企业（小规模纳税人）", Reading.CHOSEN, ("small",)),  # the button label
        ("ownership", "外资企业", Reading.CHOSEN, ("foreign",)),
        ("stage", "跳过", Reading.SKIPPED, ()),
        ("stage", "不清楚", Reading.SKIPPED, ()),
        ("stage", "算了不查了", Reading.CANCELLED, ()),
        ("activities", "招聘、研发", Reading.CHOSEN, ("hiring", "rnd")),
        ("activities", "1 4", Reading.CHOSEN, ("hiring", "rnd")),
        ("activities", "都没有", Reading.CHOSEN, (NONE,)),
        ("activities", "要招人，不出口", Reading.CHOSEN, ("hiring",)),
        ("activities", "今天天气不错", Reading.UNCLEAR, ()),
        ("industry", "1 2", Reading.UNCLEAR, ()),  # one industry only
        ("industry", "   ", Reading.UNCLEAR, ()),
    ],
)
def test_read_answer(key: str, text: str, reading: Reading, codes: tuple[str, ...]) -> None:
    answer = read_answer(CONFIG.step(key), text, CONFIG)
    assert answer.reading is reading
    assert answer.codes == codes


def test_every_option_is_reachable_by_its_label_and_its_number() -> None:
    for step in CONFIG.steps:
        for number, option in enumerate(step.options, start=1):
            for text in (option.label, str(number)):
                answer = read_answer(step, text, CONFIG)
                assert answer.codes == (option.code,), (step.key, text)


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return load_entries(KB_DIR)


def ids(entries: list[Entry], profile: dict[str, tuple[str, ...]]) -> list[str]:
    return [m.entry.id for m in match_entries(entries, profile, CONFIG)]


def test_a_small_private_restaurant(entries: list[Entry]) -> None:
    found = ids(entries, {"industry": ("hard_hit",), "size": ("small",), "ownership": ("private",)})
    for expected in (
        "tax-and-funds-loss-carryforward",
        "human-resources-stable-employment-subsidy",
        "tax-and-funds-small-scale-vat",
        "private-economy-policy-legal-consulting",
    ):
        assert expected in found
    assert "tax-and-funds-logistics-land" not in found  # another industry
    assert "tax-and-funds-headquarters" not in found  # another size


def test_activities_none_leaves_out_activity_measures(entries: list[Entry]) -> None:
    exporting = ids(entries, {"activities": ("exporting",)})
    assert "trade-export-credit-insurance" in exporting
    assert "construction-one-stop-center" not in exporting
    nothing = ids(entries, {"activities": (NONE,), "stage": ("closing",)})
    assert nothing[:1] == ["government-services-deregistration"]
    assert "trade-export-credit-insurance" not in nothing


def test_everything_skipped_lists_the_services_for_everyone(entries: list[Entry]) -> None:
    found = match_entries(entries, {}, CONFIG)
    assert found and all(m.entry.finder == () for m in found)


def test_equal_scores_take_turns_over_the_answers(entries: list[Entry]) -> None:
    found = match_entries(entries, {"activities": ("hiring", "rnd")}, CONFIG)
    first_two = {m.reasons[-1] for m in found[:2]}
    assert first_two == {"activities:hiring", "activities:rnd"}


profiles = st.fixed_dictionaries(
    {},
    optional={
        step.key: st.lists(
            st.sampled_from(sorted(step.codes() | ({NONE} if step.multiple else set()))),
            min_size=1,
            max_size=3 if step.multiple else 1,
            unique=True,
        ).map(tuple)
        for step in CONFIG.steps
    },
)


@settings(max_examples=200, deadline=None)
@given(profile=profiles)
def test_no_listed_entry_contradicts_the_answers(
    entries: list[Entry], profile: dict[str, tuple[str, ...]]
) -> None:
    found = match_entries(entries, profile, CONFIG)
    assert len({m.entry.id for m in found}) == len(found)
    for match in found:
        assert match.entry.finder is not None
        for key, allowed in match.entry.finder:
            if profile.get(key):
                assert set(allowed) & set(profile[key]), (match.entry.id, key)
    scores = [m.score for m in found]
    assert scores == sorted(scores, reverse=True)


def test_the_list_text_and_payload(entries: list[Entry]) -> None:
    profile = {"industry": ("technology",), "activities": ("hiring", "rnd")}
    found = match_entries(entries, profile, CONFIG)
    assert len(found) > 3
    text = matches_text(found, profile_labels(profile, CONFIG), limit=3)
    assert "科技研发" in text and "研发和技术创新" in text
    for n, match in enumerate(found[:3], start=1):
        line = next(x for x in text.splitlines() if x.startswith(f"{n}. "))
        assert match.entry.title in line and match.entry.summary in line
        assert line.endswith(citation(match.entry))
    assert f"另有{len(found) - 3}项" in text
    payload = matches_payload(found, profile, limit=3)
    assert payload["type"] == "policy_matches" and payload["total"] == len(found)
    assert [o["entry_id"] for o in payload["options"]] == [m.entry.id for m in found[:3]]


def test_past_measures_are_left_out_unless_asked_and_counted(entries: list[Entry]) -> None:
    profile = {"industry": ("hard_hit",)}
    current, past = find(entries, profile, CONFIG)
    assert past, "the 2020 measures for the hard-hit industries match"
    assert all(m.entry.period.is_past() for m in past)
    assert current and not any(m.entry.period.is_past() for m in current)
    text = matches_text(current, [], left_out=past)
    assert f"另有{len(past)}项" in text and "点「往年的政策」" in text
    assert not any(m.entry.title in text for m in past)
    # asked for: listed, each saying its period
    found, none_left_out = find(entries, profile, CONFIG, include_past=True)
    assert not none_left_out and {m.entry.id for m in past} <= {m.entry.id for m in found}
    everything = matches_text(found, [])
    for match in past:
        line = next(x for x in everything.splitlines() if match.entry.title in x)
        assert f"（{match.entry.period.label}的措施，属于往年政策）" in line


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("往年的疫情政策有哪些", True),
        ("2020年疫情期间有什么扶持", True),
        ("我们能享受哪些政策", False),
        ("我们是做餐饮的小公司", False),
    ],
)
def test_asking_for_past_measures(text: str, asks: bool) -> None:
    assert asks_for_past(text, CONFIG) is asks


def test_the_list_ends_with_the_status_line(entries: list[Entry]) -> None:
    found = match_entries(entries, {}, CONFIG)
    assert matches_text(found, []).splitlines()[-1] == status_line("嘉府规〔2020〕8号")


def finder_kb(tmp_path: Path, change: dict[str, object]) -> Path:
    kb = write_kb(tmp_path, [{**GOOD_ENTRY, **change}])
    shutil.copy(KB_DIR / FINDER_FILE, kb / FINDER_FILE)
    return kb


def test_a_tagged_entry_loads(tmp_path: Path) -> None:
    kb = finder_kb(
        tmp_path, {"summary": "人才可享受八大类21项服务", "finder": {"activities": ["hiring"]}}
    )
    [entry] = load_entries(kb)
    assert entry.finder == (("activities", ("hiring",)),)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"finder": {"activities": ["hiring"]}}, "finder", "go together"),
        ({"summary": "一句话", "finder": {"colour": ["red"]}}, "finder", "no step 'colour'"),
        ({"summary": "一句话", "finder": {"size": ["huge"]}}, "finder", "unknown option(s) huge"),
        ({"summary": "一句话", "finder": {"size": []}}, "finder", "non-empty list"),
        ({"summary": "长" * 41, "finder": {}}, "summary", "1-40 characters"),
        ({"summary": "补贴3000元", "finder": {}}, "summary", "3000 in summary"),
    ],
)
def test_finder_errors_name_the_file_and_line(
    tmp_path: Path, change: dict[str, object], field: str, message: str
) -> None:
    kb = finder_kb(tmp_path, change)
    with pytest.raises(KbError) as err:
        load_entries(kb)
    assert message in str(err.value)
    assert err.value.line == field_line(kb, field)


def test_tags_need_the_finder_file(tmp_path: Path) -> None:
    kb = write_kb(tmp_path, [{**GOOD_ENTRY, "summary": "一句话", "finder": {}}])
    with pytest.raises(KbError, match=r"finder tags need finder\.yml"):
        load_entries(kb)


def test_config_errors_are_reported() -> None:
    from bot.kb.finder_config import parse_config

    with pytest.raises(KbError, match="option codes repeat"):
        parse_config(
            {
                "skip_words": ["跳过"],
                "cancel_words": ["取消"],
                "none_words": ["没有"],
                "steps": [
                    {
                        "key": "a",
                        "question": "?",
                        "options": [{"code": "x", "label": "X"}, {"code": "x", "label": "Y"}],
                    }
                ],
            },
            Path("finder.yml"),
        )
    assert isinstance(CONFIG, FinderConfig)


def test_an_expired_document_is_announced_before_the_list(
    entries: list[Entry], expired_document: DocumentStatus
) -> None:
    text = matches_text(match_entries(entries, {}, CONFIG), [])
    assert text.startswith("请注意：嘉府规〔2020〕8号已于2025年10月25日失效")


def test_a_profile_survives_a_button_payload() -> None:
    profile = {"industry": ("hard_hit",), "activities": ("hiring", "rnd")}
    assert decode_profile(encode_profile(profile), CONFIG) == profile
    assert decode_profile("industry=nonsense;colour=red;size=small", CONFIG) == {"size": ("small",)}
