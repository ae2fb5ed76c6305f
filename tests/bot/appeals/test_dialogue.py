from __future__ import annotations

import pytest

from bot.appeals.dialogue import (
    is_cancel,
    looks_like_question,
    prefill_description,
    read_confirmation,
    summary_lines,
)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("厂区外面的路灯坏了半年，工人夜里下班不安全", True),
        ("我要投诉", False),
        ("你好，我想反映一个问题", False),
        ("我要提交诉求", False),
        ("/file_appeal", False),
        ("我要投诉：园区门口的路被渣土车压坏了，货车进不来", True),
    ],
)
def test_the_opening_message_is_kept_only_when_it_tells_the_matter(text: str, kept: bool) -> None:
    assert (prefill_description(text) is not None) is kept


@pytest.mark.parametrize(
    ("text", "kind", "field"),
    [
        ("确认提交", "confirm", None),
        ("确认", "confirm", None),
        ("好的", "confirm", None),
        ("修改联系电话", "edit", "phone"),
        ("电话填错了", "edit", "phone"),
        ("改一下类别", "edit", "category"),
        ("企业名称不对", "edit", "enterprise_name"),
        ("修改统一社会信用代码", "edit", "credit_code"),
        ("修改问题描述", "edit", "description"),
        ("取消", "cancel", None),
        ("修改", "unclear", None),
        ("随便说点", "unclear", None),
    ],
)
def test_confirmation_replies(text: str, kind: str, field: str | None) -> None:
    answer = read_confirmation(text)
    assert (answer.kind, answer.field) == (kind, field)


def test_cancel_and_question_words() -> None:
    assert is_cancel("取消") and is_cancel("算了不填了")
    assert not is_cancel("我们的工厂被取消了供电资格，这事怎么办，拖了很久了")
    assert looks_like_question("人才金卡怎么申请？") and not looks_like_question("安亭镇")


def test_summary_masks_the_phone_and_names_the_category() -> None:
    lines = summary_lines({"phone": "+862162345678", "category": "tax", "town": "安亭镇"})
    assert lines == ["联系电话：021****5678", "所在街镇：安亭镇", "诉求类别：税务"]
