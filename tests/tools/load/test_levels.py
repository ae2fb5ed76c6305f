"""Load levels: keys, labels and the ``--levels`` option."""

from __future__ import annotations

import argparse

import pytest

from tools.load import levels


def test_levels_end_with_saturation() -> None:
    made = levels.make_levels([1, 10], 20)
    assert [(lv.key, lv.label) for lv in made] == [
        ("u1", "1 user, 1 s wait"),
        ("u10", "10 users, 1 s wait"),
        ("sat20", "20 users, no wait"),
    ]
    assert [lv.key for lv in levels.make_levels([5], 0)] == ["u5"]
    assert levels.parse_users("1, 10,20,50") == [1, 10, 20, 50]
    with pytest.raises(argparse.ArgumentTypeError):
        levels.parse_users("0,10")
