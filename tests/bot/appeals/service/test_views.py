"""Masked list views of appeals (bot.appeals.service.views)."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from bot.appeals.service.views import listed, masked_name, masked_text
from bot.wording import service_wording

PURGED = service_wording().purged_value  # what a purged contact name reads


def test_names_keep_only_their_first_character() -> None:
    assert masked_name("王经理") == "王**"
    assert masked_name("李") == "*"
    assert masked_name(PURGED) == PURGED
    assert masked_name(None) is None


@given(st.text(min_size=1, max_size=20))
def test_a_masked_name_never_shows_more_than_its_first_character(name: str) -> None:
    masked = masked_name(name)
    assert masked is not None
    if name != PURGED:
        assert set(masked) == {"*"} if len(name) == 1 else masked[0] == name[0]
        assert set(masked[1:]) <= {"*"}


def test_a_listed_appeal_masks_phone_name_texts_and_notes() -> None:
    appeal = {
        "phone": "+8613812345678",
        "contact_name": "王经理",
        "description": "电话13912345678",
        "reply": None,
        "events": [{"note": "已致电13912345678"}, {"note": None}],
        "tracking_no": "JD-20260310-0001",
    }
    row = listed(appeal)
    assert row["phone"] == "138****5678" and row["contact_name"] == "王**"
    assert row["description"] == "电话139****5678" and row["reply"] is None
    assert row["events"] == [{"note": "已致电139****5678"}, {"note": None}]
    assert row["tracking_no"] == "JD-20260310-0001"
    assert appeal["phone"] == "+8613812345678"  # the staff view itself is not changed


def test_list_text_hides_numbers_mask_text_cannot_classify() -> None:
    cases = {
        "身份证310101199001011235": "身份证****1235",  # a wrong check character
        "ID 31010119900101123x号": "ID ****123x号",
        "苏州0512-62345678": "苏州****5678",  # a landline of another city
        "310101 19900101 1234": "****1234",
        "138.1234.5678": "****5678",
        "电话13912345678": "电话139****5678",
    }
    for text, expected in cases.items():
        assert masked_text(text) == expected
    for kept in ("JD-20261127-0042", "91310114MA1GY5BM3N", "面积1200平方米，2026年3月"):
        assert masked_text(kept) == kept


separators = st.sampled_from(["", " ", "-", "."])
chinese = st.text(alphabet="请回电话身份证号码联系我们谢谢，。：", max_size=8)


@given(chinese, st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), separators, chinese)
def test_no_mobile_survives_a_list(before: str, mobile: str, sep: str, after: str) -> None:
    written = sep.join([mobile[:3], mobile[3:7], mobile[7:]])
    masked = masked_text(before + written + after)
    digits = "".join(ch for ch in masked if ch.isdigit())
    assert mobile not in digits


@given(chinese, st.from_regex(r"[0-9]{17}[0-9X]", fullmatch=True), chinese)
@example("", "110291702009280787", "")  # python-stdnum raised on it (bot.appeals.masking)
def test_no_id_shaped_number_survives_a_list(before: str, number: str, after: str) -> None:
    masked = masked_text(before + number + after)
    assert number[:10] not in masked and number[6:14] not in masked
