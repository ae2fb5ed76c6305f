from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.limits.rate import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_the_rate_and_other_keys_untouched() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=60, burst=3, clock=clock)
    assert [limiter.allow("flood") for _ in range(5)] == [True, True, True, False, False]
    assert limiter.allow("someone else")
    clock.now += 1.0  # one token a second
    assert limiter.allow("flood") and not limiter.allow("flood")
    assert limiter.retry_after() == 1


def test_off_and_bounded() -> None:
    assert all(RateLimiter(per_minute=0, burst=1).allow("k") for _ in range(100))
    limiter = RateLimiter(per_minute=60, burst=1, max_keys=2)
    for key in ("a", "b", "c"):
        limiter.allow(key)
    assert list(limiter._buckets) == ["b", "c"]


@given(st.lists(st.floats(min_value=0, max_value=5), min_size=1, max_size=200))
def test_never_more_than_the_burst_plus_the_refill(gaps: list[float]) -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=30, burst=5, clock=clock)
    allowed = 0
    for gap in gaps:
        clock.now += gap
        allowed += limiter.allow("k")
    assert allowed <= 5 + clock.now * 30 / 60 + 1e-9
