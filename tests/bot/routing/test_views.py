"""Masked list views of appeals (bot.routing.views)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.routing.service import PURGED
from bot.routing.views import listed, masked_name


def test_names_keep_only_their_first_character() -> None:
    assert masked_name("王经理") == "王**"
    assert masked_name("李") == "李*"
    assert masked_name(PURGED) == PURGED
    assert masked_name(None) is None


@given(st.text(min_size=1, max_size=20))
def test_a_masked_name_never_shows_more_than_its_first_character(name: str) -> None:
    masked = masked_name(name)
    assert masked is not None
    if name != PURGED:
        assert masked[0] == name[0] and set(masked[1:]) == {"*"}


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
