from __future__ import annotations

from datetime import date

import pytest

from bot.kb.period import Period, parse_period, present_entitlements


@pytest.mark.parametrize(
    ("raw", "past_in_2026", "past_in_2020"),
    [
        ({"kind": "ongoing"}, False, False),
        ({"kind": "epidemic-2020", "label": "2020年春节期间"}, True, True),
        ({"kind": "target", "year": 2020, "label": "2020年底前"}, True, False),
        ({"kind": "target", "year": 2027, "label": "2027年底前"}, False, False),
    ],
)
def test_a_period_is_past_once_its_year_is_over(
    raw: dict[str, object], past_in_2026: bool, past_in_2020: bool
) -> None:
    period = parse_period(raw)
    assert period.is_past(date(2026, 12, 6)) is past_in_2026
    assert period.is_past(date(2020, 11, 1)) is past_in_2020


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "must be a mapping"),
        ({"kind": "ongoing", "label": "长期"}, "no period.label"),
        ({"kind": "epidemic-2020", "label": "疫情期间"}, "names 2020"),
        ({"kind": "epidemic-2020", "year": 2021, "label": "2021年"}, "year 2020 or none"),
        ({"kind": "target", "year": "2020", "label": "2020年底前"}, "needs period.year"),
        ({"kind": "target", "year": 2021, "label": "2020年底前"}, "names the year"),
        ({"kind": "ongoing", "until": 2020}, "unknown key"),
    ],
)
def test_bad_periods_are_explained(raw: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_period(raw)


def test_ongoing_is_the_default() -> None:
    assert parse_period({"kind": "ongoing"}) == Period()


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("符合条件的企业可以享受补贴", ["可以享受"]),
        ("可申请稳岗返还，也可获得补贴", ["可申请", "可获得"]),
        ("2020年疫情期间，区里对这些企业给予了一次性补贴", []),
        ("当时申请的企业", []),
    ],
)
def test_present_entitlement_wording(text: str, found: list[str]) -> None:
    assert present_entitlements(text) == found
