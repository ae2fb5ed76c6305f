from __future__ import annotations

from pathlib import Path

import jieba
import pytest

from bot.appeals.fields import load_field_config
from bot.kb.__main__ import main
from bot.kb.glossary import (
    GLOSSARY_FILE,
    KB_DIR,
    GlossaryError,
    Term,
    build_userdict,
    load_glossary,
    render_userdict,
)

# The towns the appeal form offers (one list, in config/appeal_fields.yml).
TOWNS = load_field_config().towns


def test_glossary_has_the_towns_departments_and_programmes() -> None:
    terms = {t.text for t in load_glossary(KB_DIR / GLOSSARY_FILE)}
    for word in [
        *TOWNS,
        "区经委",
        "区人力资源社会保障局",
        "精英人才服务金卡",
        "一网通办",
        "银税互动",
    ]:
        assert word in terms


def test_every_department_and_programme_occurs_in_the_source(policy_source: str) -> None:
    for term in load_glossary(KB_DIR / GLOSSARY_FILE):
        if term.tag in ("nt", "nz") and term.text not in ("12345市民服务热线",):
            assert term.text in policy_source, term.text


def test_render_is_sorted_and_tagged() -> None:
    text = render_userdict([Term("银税互动", "nz"), Term("区经委", "nt")])
    assert text == "区经委 nt\n银税互动 nz\n"


def test_userdict_keeps_terms_whole(tmp_path: Path) -> None:
    path = build_userdict(KB_DIR, tmp_path)
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(path))
    words = tokenizer.lcut(
        "嘉定精英人才服务金卡怎么申请，我在马陆镇，找区人力资源社会保障局还是一网通办"
    )
    for term in ["嘉定精英人才服务金卡", "马陆镇", "区人力资源社会保障局", "一网通办"]:
        assert term in words


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("departments:\n  - 区经委\n  - 区 经委\n", 3, "no spaces"),
        ("departments:\n  - 区经委\nplaces:\n  - 区经委\n", 4, "repeats line 2"),
        ("streets:\n  - 南翔镇\n", 1, "unknown section"),
        ("departments: 区经委\n", 1, "must be a list"),
        ("departments:\n  - [a\n", 3, "not valid YAML"),
    ],
)
def test_errors_point_at_file_and_line(
    tmp_path: Path, content: str, line: int, message: str
) -> None:
    (tmp_path / GLOSSARY_FILE).write_text(content, encoding="utf-8")
    with pytest.raises(GlossaryError) as err:
        load_glossary(tmp_path / GLOSSARY_FILE)
    assert err.value.line == line
    assert f"{GLOSSARY_FILE}:{line}:" in str(err.value)
    assert message in str(err.value)


def test_cli_reports_error_and_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / GLOSSARY_FILE).write_text("places:\n  - 南 翔\n", encoding="utf-8")
    (tmp_path / "entries").mkdir()
    assert main(["build", "--kb", str(tmp_path)]) == 1
    assert f"{GLOSSARY_FILE}:2:" in capsys.readouterr().err
