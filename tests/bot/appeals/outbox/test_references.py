from __future__ import annotations

from bot.appeals.outbox.references import (
    REFERENCE_ALPHABET,
    REFERENCE_PREFIX,
    is_provisional_reference,
    new_reference,
)


def test_references() -> None:
    references = {new_reference() for _ in range(200)}
    assert len(references) == 200
    for reference in references:
        assert is_provisional_reference(reference)
        assert reference.startswith(REFERENCE_PREFIX)
        assert not set(reference[4:]) & set("0O1IL")
        assert set(reference[4:]) <= set(REFERENCE_ALPHABET)
    assert not is_provisional_reference("JD-20261127-0042")
    assert not is_provisional_reference("TMP-0000OOOO")
    assert is_provisional_reference(" tmp-7kq2mxhd ")  # as users type it
