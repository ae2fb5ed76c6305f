from __future__ import annotations

import dataclasses
import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from bot.kb import calibrate, evalsets, store
from bot.kb.ask import rank
from bot.kb.index import Hit, Params
from bot.kb.schema import Entry
from bot.kb.search import MAX_CHOICES, Decision, Evidence, decide, judge
from bot.kb.store import StoredIndex
from bot.settings import PROJECT_ROOT


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("生意做不下去了，公司怎么销户", "government-services-deregistration"),
        (
            "我们缺一个紧缺急需的专家，区里引进人才有指标吗",
            "human-resources-special-talent-introduction",
        ),
        ("嘉定精英人才服务金卡", "human-resources-gold-card"),
    ],
)
def test_plain_talk_finds_the_entry(stored: StoredIndex, question: str, entry_id: str) -> None:
    result = decide(stored.index, question)
    assert result.hits[0].entry.id == entry_id
    assert result.decision is Decision.ANSWER


def test_settling_in_shanghai_is_not_answered_with_the_talent_quota(stored: StoredIndex) -> None:
    # Article 29's special-talent quota never mentions 落户 or 户口 (issue 14).
    result = decide(stored.index, "新来的研发总监想落户上海，区里能帮吗")
    answered = [h.entry.id for h in result.selected] if result.decision is Decision.ANSWER else []
    assert "human-resources-special-talent-introduction" not in answered


@pytest.mark.parametrize("question", ["今天天气怎么样", "番茄炒蛋怎么做好吃", "帮我讲个笑话"])
def test_everyday_requests_are_not_answered(stored: StoredIndex, question: str) -> None:
    assert decide(stored.index, question).decision is not Decision.ANSWER


def test_thresholds_decide(stored: StoredIndex) -> None:
    index = stored.index
    question = "生意做不下去了，公司怎么销户"
    top = index.search(question)[0].score
    never = dataclasses.replace(index.params, strong_threshold=1.0, strong_similarity=1.0)
    for params, decision in [
        (dict(answer_threshold=top - 0.01, choice_threshold=0.0), Decision.ANSWER),
        (dict(answer_threshold=top + 0.01, choice_threshold=top - 0.01), None),
        (dict(answer_threshold=top + 0.02, choice_threshold=top + 0.01), Decision.NO_MATCH),
        (dict(answer_threshold=top - 0.01, answer_similarity=1.01), None),
    ]:
        tuned = dataclasses.replace(index, params=dataclasses.replace(never, **params))
        result = decide(tuned, question)
        if decision is None:  # below the answer thresholds: choices, or answered if only one
            assert result.decision is not Decision.NO_MATCH
            assert result.decision is Decision.CHOICES or len(result.selected) == 1
        else:
            assert result.decision is decision
            assert len(result.selected) == {Decision.ANSWER: 1, Decision.NO_MATCH: 0}[decision]


def _hit(entry: Entry, score: float) -> Hit:
    return Hit(entry, score, score, 0.0, 0.9)


def _params(**changes: float) -> Params:
    return dataclasses.replace(Params(answer_threshold=0.5, choice_threshold=0.2), **changes)


def _two_articles(kb_entries: dict[str, Entry]) -> tuple[Entry, Entry, Entry]:
    by_article: dict[int, list[Entry]] = {}
    for e in kb_entries.values():
        by_article.setdefault(e.articles[0], []).append(e)
    same = next(es for es in by_article.values() if len(es) >= 2)
    other = next(es[0] for a, es in by_article.items() if a != same[0].articles[0])
    return same[0], same[1], other


def test_one_plausible_option_is_answered_not_offered(kb_entries: dict[str, Entry]) -> None:
    a, _, other = _two_articles(kb_entries)
    found = Evidence([_hit(a, 0.3), _hit(other, 0.05)], similarity=0.95)
    result = judge("q", found, _params())
    assert result.decision is Decision.ANSWER and [h.entry for h in result.selected] == [a]


def test_options_of_one_article_become_an_answer_and_related(
    kb_entries: dict[str, Entry],
) -> None:
    a, b, other = _two_articles(kb_entries)
    found = Evidence([_hit(a, 0.3), _hit(b, 0.25), _hit(other, 0.01)], similarity=0.95)
    result = judge("q", found, _params())
    assert result.decision is Decision.ANSWER
    assert [h.entry for h in result.selected] == [a]
    assert [h.entry for h in result.related] == [b]


def test_options_of_several_articles_are_choices(kb_entries: dict[str, Entry]) -> None:
    a, b, other = _two_articles(kb_entries)
    found = Evidence([_hit(a, 0.3), _hit(other, 0.28), _hit(b, 0.2)], similarity=0.95)
    result = judge("q", found, _params())
    assert result.decision is Decision.CHOICES
    assert [h.entry for h in result.selected] == [a, other, b]
    assert len(result.selected) <= MAX_CHOICES


def test_similarity_floors_and_strong_answers(kb_entries: dict[str, Entry]) -> None:
    a, _, other = _two_articles(kb_entries)
    found = Evidence([_hit(a, 0.6), _hit(other, 0.3)], similarity=0.85)
    assert judge("q", found, _params(answer_similarity=0.9)).decision is not Decision.ANSWER
    assert judge("q", found, _params(choice_similarity=0.9, answer_similarity=0.9)).decision is (
        Decision.NO_MATCH
    )
    plain = judge("q", found, _params())
    assert plain.decision is Decision.ANSWER and not plain.strong
    strong = judge("q", found, _params(strong_threshold=0.55, strong_similarity=0.8))
    assert strong.decision is Decision.ANSWER and strong.strong


def test_evidence_travels_as_json(stored: StoredIndex) -> None:
    found = rank(stored.index, "公司注销要登报吗")
    data = json.loads(json.dumps(found.as_dict()))
    again = Evidence.from_dict(data, {e.id: e for e in stored.index.entries})
    assert again is not None
    assert [h.entry.id for h in again.hits] == [h.entry.id for h in found.hits]
    assert judge("公司注销要登报吗", again, stored.index.params).selected[0].entry.id == (
        judge("公司注销要登报吗", found, stored.index.params).selected[0].entry.id
    )
    assert Evidence.from_dict({"hits": [{"entry_id": "no-such-entry"}]}, {}) is None


def test_calibration_is_recorded(stored: StoredIndex) -> None:
    c = stored.calibration
    p = c.params
    assert abs(p.learned + p.lexical + p.semantic - 1) < 1e-6
    assert 0 < p.choice_threshold <= p.answer_threshold <= p.strong_threshold
    assert p.choice_similarity <= p.answer_similarity
    assert c.figures["plain_top1"] >= 0.9
    assert c.figures["ood_strong"] <= 0.02 and c.figures["near_strong"] <= 0.05


def test_the_simulated_decision_is_judge(stored: StoredIndex) -> None:
    """Calibration searches thresholds with an array form of judge: the two must agree."""
    index = stored.index
    questions = [q.text for q in evalsets.plain_talk(evalsets.CALIBRATE)][:40]
    questions += ["今天天气怎么样", "个税年度汇算怎么退税", "嘉定精英人才服务金卡", "公司注销"]
    batch = calibrate._Batch.score(index, questions)
    for params in (
        index.params,
        dataclasses.replace(index.params, answer_threshold=0.5, choice_threshold=0.05),
    ):
        ranked = calibrate.Ranked.of(index, batch, params)
        decisions, shown = calibrate.outcomes(ranked, params)
        for i, q in enumerate(questions):
            result = decide(dataclasses.replace(index, params=params), q)
            expected = {"answer": 0, "choices": 1, "no_match": 2}[result.decision.value]
            assert decisions[i] == expected, q
            if not index.named(q):
                offered = {h.entry.id for h in [*result.selected, *result.related]}
                top = [index.entries[j].id for j in ranked.top[i]]
                assert {e for e, s in zip(top, shown[i], strict=True) if s} == offered, q


def test_staff_search_command_prints_ranked_json() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot.kb", "search", "公司注销要登报吗", "-k", "4"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(proc.stdout)
    assert result["question"] == "公司注销要登报吗"
    assert result["decision"] in {"answer", "choices", "no_match"}
    scores = [h["score"] for h in result["hits"]]
    assert len(scores) == 4 and scores == sorted(scores, reverse=True)
    assert {"entry_id", "title", "articles", "learned", "lexical", "semantic"} <= set(
        result["hits"][0]
    )


def test_a_changed_model_forces_a_rebuild(
    stored: StoredIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Vectors of two models are not comparable: an index of another model is rebuilt."""
    path = tmp_path / "index.pkl"
    path.write_bytes(pickle.dumps(stored))
    rebuilt: list[Path] = []
    monkeypatch.setattr(store, "build_index", lambda kb_dir, out: rebuilt.append(out) or stored)
    assert store.load_index(path=path) is not stored  # same model: the saved one is loaded
    assert rebuilt == []
    monkeypatch.setattr(store.embedding, "model_identity", lambda: "another-model")
    assert store.load_index(path=path) is stored
    assert rebuilt == [path]


def test_entries_carry_the_names_of_their_articles(kb_entries: dict[str, Entry]) -> None:
    from bot.kb.index import headings

    cited = [e for e in kb_entries.values() if 21 in e.articles]
    assert cited
    assert all("支持企业直接融资" in headings(e) for e in cited)


def test_a_question_in_an_articles_own_name_finds_that_article(stored: StoredIndex) -> None:
    found = rank(stored.index, "支持企业直接融资有哪些措施")
    assert 21 in found.hits[0].entry.articles
