from __future__ import annotations

import pytest

from bot.settings import PROJECT_ROOT
from tests.conftest import POLICY_SOURCE

SHARED_COPY = PROJECT_ROOT.parent / "shared" / "policy-source" / POLICY_SOURCE.name


def test_source_is_the_policy_document(policy_source: str) -> None:
    assert "嘉府规〔2020〕8号" in policy_source
    assert "35. 本实施意见自2020年10月25日起实施" in policy_source


@pytest.mark.skipif(not SHARED_COPY.exists(), reason="no shared/ folder beside the checkout")
def test_repository_copy_matches_shared(policy_source: str) -> None:
    assert SHARED_COPY.read_text(encoding="utf-8") == policy_source
