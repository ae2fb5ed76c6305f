from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.appeals.service.workdays import (
    CALENDAR_FILE,
    SHANGHAI,
    STANDARD_FILE,
    Calendar,
    CalendarError,
    ServiceStandard,
    deadlines,
    overdue,
)

CAL = Calendar.from_yaml()
STD = ServiceStandard.from_yaml()


def sh(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=SHANGHAI)


def due(y: int, m: int, d: int) -> datetime:
    """End of the working day, as config/service_standard.yml sets it (23:59:59)."""
    return sh(y, m, d, 23, 59, 59)


# --- the shipped configuration ---------------------------------------------------------------


def test_shipped_service_standard_is_1515() -> None:
    assert ServiceStandard(1, 5, 15, time(17, 0), time(23, 59, 59)) == STD


def test_shipped_calendar_matches_the_state_council_notices() -> None:
    assert CAL.years == {2025, 2026}
    # 2026 春节 2/15-2/23 off, Sat 2/14 and Sat 2/28 worked.
    assert CAL.is_working_day(date(2026, 2, 14))
    assert not CAL.is_working_day(date(2026, 2, 16))
    assert not CAL.is_working_day(date(2026, 2, 23))  # a Monday
    assert CAL.is_working_day(date(2026, 2, 28))
    # 2026 国庆: Sun 9/20 and Sat 10/10 worked, 10/1-10/7 off.
    assert CAL.is_working_day(date(2026, 9, 20))
    assert not CAL.is_working_day(date(2026, 10, 7))
    assert CAL.is_working_day(date(2026, 10, 10))
    # 2025: 元旦 a Wednesday off, Sun 1/26 worked.
    assert not CAL.is_working_day(date(2025, 1, 1))
    assert CAL.is_working_day(date(2025, 1, 26))
    # An ordinary weekend and weekday.
    assert not CAL.is_working_day(date(2026, 3, 14))
    assert CAL.is_working_day(date(2026, 3, 16))


def test_shipped_files_are_the_defaults() -> None:
    assert CALENDAR_FILE.name == "calendar.yml" and CALENDAR_FILE.parent.name == "config"
    assert STANDARD_FILE.name == "service_standard.yml"


# --- deadlines, computed by hand ---------------------------------------------------------------


# received (Shanghai) → contact due, simple due, complex due (None: not worked out by hand).
# Each row's comment counts the working days: day 1 is the day received before the 17:00
# cut-off on a working day, else the next working day.
BY_HAND = [
    # Fri 2026-03-13 17:30 (after the cut-off) → day 1 Mon 3/16; simple 3/16..3/20 Fri.
    pytest.param(sh(2026, 3, 13, 17, 30), (2026, 3, 16), (2026, 3, 20), None, id="weekend"),
    # Wed 2026-09-30 16:59:59 → day 1 is Wed 9/30.
    # simple: 9/30(1) [10/1-10/7 国庆] 10/8 Thu(2) 10/9 Fri(3) 10/10 Sat 调休(4) 10/12 Mon(5).
    # complex: 10/13(6) 10/14(7) 10/15(8) 10/16(9) 10/19(10) 10/20(11) 10/21(12) 10/22(13)
    #          10/23(14) 10/26 Mon(15).
    pytest.param(
        sh(2026, 9, 30, 16, 59, 59),
        (2026, 9, 30),
        (2026, 10, 12),
        (2026, 10, 26),
        id="just-before-the-cutoff-before-national-day",
    ),
    # Wed 2026-09-30 17:00:00 → day 1 is Thu 10/8.
    # simple: 10/8(1) 10/9(2) 10/10 Sat 调休(3) 10/12(4) 10/13 Tue(5).
    pytest.param(sh(2026, 9, 30, 17), (2026, 10, 8), (2026, 10, 13), None, id="at-the-cutoff"),
    # Sat 2026-09-19 → day 1 is Sun 9/20 (调休 workday).
    # simple: 9/20 Sun(1) 9/21(2) 9/22(3) 9/23(4) 9/24 Thu(5)   (中秋 9/25-9/27 comes after).
    pytest.param(
        sh(2026, 9, 19, 11), (2026, 9, 20), (2026, 9, 24), None, id="before-a-makeup-sunday"
    ),
    # Wed 2025-12-31 10:00 → day 1 12/31. simple: 12/31(1) [1/1-1/3 元旦] 1/4 Sun 调休(2)
    # 1/5(3) 1/6(4) 1/7 Wed(5).
    pytest.param(sh(2025, 12, 31, 10), (2025, 12, 31), (2026, 1, 7), None, id="new-year-2026"),
    # Thu 2026-03-12 10:00. contact (1): Thu 3/12.
    # simple (5): 3/12 Thu(1) 3/13 Fri(2) [Sat, Sun] 3/16 Mon(3) 3/17(4) 3/18 Wed(5).
    # complex (15): ... 3/19(6) 3/20(7) 3/23(8) 3/24(9) 3/25(10) 3/26(11) 3/27(12)
    #               3/30(13) 3/31(14) 4/1 Wed(15)   (清明 4/4-4/6 comes later).
    pytest.param(sh(2026, 3, 12, 10), (2026, 3, 12), (2026, 3, 18), (2026, 4, 1), id="ordinary"),
    # Received Fri 2026-02-13 10:00 → day 1 is Fri 2/13.
    # simple: 2/13 Fri(1) 2/14 Sat 调休(2) [2/15-2/23 春节] 2/24 Tue(3) 2/25(4) 2/26 Thu(5).
    # complex: 2/27 Fri(6) 2/28 Sat 调休(7) 3/2(8) 3/3(9) 3/4(10) 3/5(11) 3/6(12)
    #          3/9(13) 3/10(14) 3/11 Wed(15).
    pytest.param(
        sh(2026, 2, 13, 10), (2026, 2, 13), (2026, 2, 26), (2026, 3, 11), id="spring-festival"
    ),
    # Received Fri 2026-02-13 18:00 (after 17:00) → day 1 is Sat 2/14 (调休 workday).
    # contact: Sat 2/14. simple: 2/14(1) 2/24(2) 2/25(3) 2/26(4) 2/27 Fri(5).
    pytest.param(
        sh(2026, 2, 13, 18), (2026, 2, 14), (2026, 2, 27), None, id="cutoff-to-a-makeup-saturday"
    ),
    # Received Wed 2026-02-18 09:00 (春节, a weekday off) → day 1 is Tue 2/24.
    # simple: 2/24(1) 2/25(2) 2/26(3) 2/27(4) 2/28 Sat 调休(5).
    # complex: 3/2(6) 3/3(7) 3/4(8) 3/5(9) 3/6(10) 3/9(11) 3/10(12) 3/11(13) 3/12(14) 3/13(15).
    pytest.param(
        sh(2026, 2, 18, 9), (2026, 2, 24), (2026, 2, 28), (2026, 3, 13), id="on-a-holiday"
    ),
    # Sat 2026-03-14 10:00 → day 1 Mon 3/16; simple 3/16..3/20 Fri.
    pytest.param(
        sh(2026, 3, 14, 10), (2026, 3, 16), (2026, 3, 20), None, id="on-an-ordinary-saturday"
    ),
]


@pytest.mark.parametrize(("received", "contact", "simple", "complex_"), BY_HAND)
def test_deadlines_worked_out_by_hand(
    received: datetime,
    contact: tuple[int, int, int],
    simple: tuple[int, int, int],
    complex_: tuple[int, int, int] | None,
) -> None:
    result = deadlines(received, "simple", STD, CAL)
    assert result.contact_due_at == due(*contact)
    assert result.due_at == due(*simple)
    if complex_ is not None:
        assert deadlines(received, "complex", STD, CAL).due_at == due(*complex_)


def test_other_timezones_are_read_as_shanghai_time() -> None:
    # 08:30 UTC is 16:30 in Shanghai (before the cut-off); 09:30 UTC is 17:30 (after).
    before = deadlines(datetime(2026, 3, 12, 8, 30, tzinfo=timezone.utc), "simple", STD, CAL)
    after = deadlines(datetime(2026, 3, 12, 9, 30, tzinfo=timezone.utc), "simple", STD, CAL)
    assert before.contact_due_at == due(2026, 3, 12)
    assert after.contact_due_at == due(2026, 3, 13)
    assert before.contact_due_at.tzinfo is SHANGHAI


def test_a_configured_cutoff_and_end_of_day_are_used() -> None:
    office = ServiceStandard(1, 5, 15, cutoff=time(16, 0), end_of_day=time(17, 30))
    # Thu 2026-03-12 16:30 is after a 16:00 cut-off → day 1 Fri 3/13, due 17:30.
    result = deadlines(sh(2026, 3, 12, 16, 30), "simple", office, CAL)
    assert result.contact_due_at == sh(2026, 3, 13, 17, 30)
    assert result.due_at == sh(2026, 3, 19, 17, 30)


def test_a_year_beyond_the_calendar_counts_weekends_and_warns(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # 15 working days from Mon 2026-12-21 reach 2027, whose holidays are not configured yet:
    # only weekends are days off: day 1 Mon 12/21; 12/22-25 → 2-5; 12/28-31 → 6-9; Fri 1/1
    # (New Year, not configured yet) → 10; 1/4-1/8 → 11-15. A warning names the year.
    calendar = Calendar.from_yaml()
    with caplog.at_level("WARNING"):
        result = deadlines(sh(2026, 12, 21, 10), "complex", STD, calendar)
    assert result.due_at.date() == date(2027, 1, 8)
    assert "no holidays for 2027" in caplog.text


def test_unknown_complexity_is_refused() -> None:
    with pytest.raises(ValueError, match="complexity"):
        deadlines(sh(2026, 3, 12, 10), "urgent", STD, CAL)  # type: ignore[arg-type]


# --- naive datetimes, overdue ------------------------------------------------------------------


def test_naive_datetimes_are_rejected() -> None:
    naive = datetime(2026, 3, 12, 10)
    with pytest.raises(ValueError, match="naive"):
        deadlines(naive, "simple", STD, CAL)
    with pytest.raises(ValueError, match="naive"):
        CAL.add_working_days(naive, 1)
    with pytest.raises(ValueError, match="naive"):
        CAL.working_days_between(naive, sh(2026, 3, 20))
    with pytest.raises(ValueError, match="naive"):
        overdue(due(2026, 3, 12), naive)


def test_overdue_only_after_the_due_moment() -> None:
    due_at = due(2026, 3, 18)
    assert not overdue(due_at, due_at)
    assert overdue(due_at, due_at + timedelta(seconds=1))
    assert not overdue(due_at, datetime(2026, 3, 18, 15, 59, 59, tzinfo=timezone.utc))
    assert overdue(due_at, datetime(2026, 3, 18, 16, 0, 0, tzinfo=timezone.utc))


def test_add_working_days_and_between_basics() -> None:
    start = sh(2026, 2, 13, 9, 15)  # Fri before 春节
    assert CAL.add_working_days(start, 0) == start
    assert CAL.add_working_days(start, 1) == sh(2026, 2, 14, 9, 15)  # 调休 Saturday
    assert CAL.add_working_days(start, 2) == sh(2026, 2, 24, 9, 15)
    assert CAL.next_working_day(date(2026, 2, 14)) == date(2026, 2, 24)
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2
    assert CAL.working_days_between(date(2026, 2, 24), date(2026, 2, 13)) == -2
    with pytest.raises(ValueError):
        CAL.add_working_days(start, -1)


# --- calendar and standard validation (tmp files) ------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "calendar.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_date_in_both_lists_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "holidays:\n  2026: [2026-02-14]\nworkdays:\n  2026: [2026-02-14]\n")
    with pytest.raises(CalendarError, match=r"calendar\.yml.*2026-02-14.*both"):
        Calendar.from_yaml(path)


def test_a_weekday_makeup_workday_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "holidays:\n  2026: []\nworkdays:\n  2026: [2026-02-13]\n")
    with pytest.raises(CalendarError, match=r"calendar\.yml.*2026-02-13.*weekday"):
        Calendar.from_yaml(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("holidays:\n  2025: [2025-02-30]\n", "cannot read"),
        ("holidays:\n  2025: ['2025-13-01']\n", "not a YYYY-MM-DD date"),
        ("holidays:\n  2025: [2025-01-01 10:00:00]\n", "not a YYYY-MM-DD date"),
        ("holidays:\n  2025: [2026-01-01]\n", "another year"),
        ("holidays:\n  2025: []\nworkdays:\n  2026: [2026-02-14]\n", "year that holidays"),
        ("holidays: [2025-01-01]\n", "must map each year"),
        ("- just a list\n", "expected a mapping"),
    ],
)
def test_bad_calendar_files_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(CalendarError, match=message) as err:
        Calendar.from_yaml(path)
    assert str(path) in str(err.value)


def test_a_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match=r"nowhere\.yml"):
        Calendar.from_yaml(tmp_path / "nowhere.yml")


def test_quoted_dates_are_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "holidays:\n  2026: ['2026-02-16']\nworkdays:\n  2026: ['2026-02-14']\n")
    cal = Calendar.from_yaml(path)
    assert not cal.is_working_day(date(2026, 2, 16))
    assert cal.is_working_day(date(2026, 2, 14))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('limits: {contact: 1, simple: 5, complex: 0}\ncutoff: "17:00"\n', "limits.complex"),
        ('limits: {contact: 1, simple: 5}\ncutoff: "17:00"\n', "limits.complex"),
        ("limits: {contact: 1, simple: 5, complex: 15}\ncutoff: 17:00\n", "quoted"),
        ('limits: {contact: 1, simple: 5, complex: 15}\nend_of_day: "25:00"\n', "end_of_day"),
        ("cutoff: '17:00'\n", "limits must map"),
    ],
)
def test_bad_service_standard_files_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text, "service_standard.yml")
    with pytest.raises(CalendarError, match=message) as err:
        ServiceStandard.from_yaml(path)
    assert str(path) in str(err.value)


# --- properties ----------------------------------------------------------------------------------

# Starts and results stay inside the covered years (2025-2026): 30 working days from the
# latest start (2026-10-31) end in mid-December 2026.
starts = st.datetimes(
    min_value=datetime(2025, 1, 1, 8, 0),
    max_value=datetime(2026, 10, 31, 23, 59),
    timezones=st.sampled_from([SHANGHAI, timezone.utc]),
)
counts = st.integers(min_value=0, max_value=30)


@given(starts, st.integers(min_value=1, max_value=30))
def test_add_working_days_lands_on_a_working_day(start: datetime, n: int) -> None:
    assert CAL.is_working_day(CAL.add_working_days(start, n))


@given(starts, counts)
def test_add_working_days_is_strictly_increasing_in_n(start: datetime, n: int) -> None:
    assert CAL.add_working_days(start, n) < CAL.add_working_days(start, n + 1)


@given(starts, counts)
def test_working_days_between_inverts_add(start: datetime, n: int) -> None:
    assert CAL.working_days_between(start, CAL.add_working_days(start, n)) == n


@given(starts, st.sampled_from(["simple", "complex"]))
def test_deadlines_are_ordered_and_end_a_working_day(start: datetime, complexity: str) -> None:
    result = deadlines(start, complexity, STD, CAL)  # type: ignore[arg-type]
    assert start < result.contact_due_at <= result.due_at
    for moment in (result.contact_due_at, result.due_at):
        assert CAL.is_working_day(moment.date())
        assert moment.timetz() == time(23, 59, 59, tzinfo=SHANGHAI)
    limit = STD.simple_days if complexity == "simple" else STD.complex_days
    assert CAL.working_days_between(result.contact_due_at, result.due_at) == limit - 1
