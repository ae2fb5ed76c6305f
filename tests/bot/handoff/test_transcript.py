from __future__ import annotations

from bot.handoff.notices import load_notices
from bot.handoff.transcript import preview, transcript


def test_the_transcript_keeps_what_people_said_masked() -> None:
    events = [
        {"event": "action", "name": "action_listen", "timestamp": 1.0},
        {"event": "user", "text": "EXTERNAL: handoff_timeout", "timestamp": 2.0},
        {"event": "user", "text": "我身份证310114199501011232，电话13812345678", "timestamp": 3.0},
        {"event": "bot", "text": "好的", "timestamp": 4.0},
        {"event": "bot", "text": "工作人员在", "metadata": {"from": "agent"}, "timestamp": 5.0},
        {"event": "bot", "text": "", "timestamp": 6.0},
    ]
    lines = transcript(events)
    assert [line["from"] for line in lines] == ["user", "bot", "agent"]
    assert "13812345678" not in lines[0]["text"] and "310114199501011232" not in lines[0]["text"]
    assert lines[0]["at"] == "1970-01-01T00:00:03+00:00"
    assert preview(lines) == lines[0]["text"]
    assert preview([{"from": "user", "text": "长" * 80, "at": None}]) == "长" * 60 + "…"
    assert len(transcript(events * 100, limit=10)) == 10


def test_every_notice_comes_from_the_domain() -> None:
    notices = load_notices()
    assert set(notices) == {"taken", "released", "closed", "timeout"}
    event = notices["timeout"].event(handoff_id=1)
    assert event["event"] == "bot" and event["metadata"] == {"handoff_id": 1}
    assert [b["payload"] for b in event["data"]["buttons"]] == ["/file_appeal", "/request_human"]
    assert notices["taken"].event()["data"] == {}
