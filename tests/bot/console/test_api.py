"""The agent console's staff API (bot.console.api) on a temporary SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.appeals.fields import FIELDS, load_field_config
from bot.appeals.service.views import masked_phone
from bot.console.api import PAGE, STATIC
from bot.kb.answer import answer_text
from bot.kb.holder import stored_index
from tests.bot.appeals.service.conftest import BODY, FakeClock, api_client, staff_token
from tests.support.fresh_interpreter import run_fresh

DEREGISTRATION = "government-services-deregistration"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(tmp_path: Path, clock: FakeClock) -> Iterator[TestClient]:
    with api_client(f"sqlite:///{tmp_path / 'appeals.db'}", clock) as test_client:
        yield test_client


token = staff_token


def file(client: TestClient, key: str, **changes: Any) -> str:
    body = {**BODY, "channel": "hotline", **changes}
    response = client.post("/api/appeals", json=body, headers={"Idempotency-Key": key})
    assert response.status_code == 201, response.text
    return str(response.json()["tracking_no"])


def test_me_names_the_department_and_needs_a_token(client: TestClient) -> None:
    anonymous = client.get("/api/staff/me")
    assert anonymous.status_code == 401
    assert anonymous.headers["Cache-Control"] == "no-store"
    wrong = client.get("/api/staff/me", headers={"Authorization": "Bearer not-a-token"})
    assert wrong.status_code == 401
    jw = client.get("/api/staff/me", headers=token(client, "qjw"))
    assert jw.status_code == 200
    assert jw.json() == {
        "department": "qjw",
        "name": "区经委",
        "triage": True,
        "handoffs": True,
    }
    assert jw.headers["Cache-Control"] == "no-store"
    tax = client.get("/api/staff/me", headers=token(client, "tax")).json()
    assert tax == {
        "department": "tax",
        "name": "区税务局",
        "triage": False,
        "handoffs": False,
    }


def test_every_staff_response_is_no_store(client: TestClient) -> None:
    jw = token(client, "qjw")
    for path in ("/api/staff/appeals", "/api/staff/stats", "/api/staff/queue"):
        response = client.get(path, headers=jw)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert client.get("/api/staff/appeals/JD-20200101-0001", headers=jw).headers[
        "Cache-Control"
    ] == ("no-store")
    assert "no-store" not in client.get("/healthz").headers.get("Cache-Control", "")


def test_a_colloquial_question_gets_the_answer_the_bot_gives(client: TestClient) -> None:
    question = "生意做不下去了，公司怎么销户"
    assert client.get("/api/staff/kb/search", params={"q": question}).status_code == 401
    found = client.get("/api/staff/kb/search", params={"q": question}, headers=token(client, "tax"))
    assert found.status_code == 200
    assert found.headers["Cache-Control"] == "no-store"
    body = found.json()
    assert body["decision"] == "answer" and body["note"] == ""
    assert 1 <= len(body["results"]) <= 3
    best = body["results"][0]
    assert best["entry_id"] == DEREGISTRATION and best["selected"] is True
    assert set(best) >= {"entry_id", "title", "articles", "score", "text", "citation"}
    entry = next(e for e in stored_index().index.entries if e.id == DEREGISTRATION)
    assert best["text"] == answer_text(entry)
    assert best["text"].endswith(best["citation"])
    assert best["citation"].startswith("（依据：嘉府规〔2020〕8号 第")
    assert best["departments"] == {"lead": list(entry.lead), "responsible": list(entry.responsible)}
    assert all(not r["selected"] for r in body["results"][1:])


def test_no_match_still_lists_weak_candidates_and_suggests_12345(client: TestClient) -> None:
    jw = token(client, "qjw")
    body = client.get("/api/staff/kb/search", params={"q": "今天天气怎么样"}, headers=jw).json()
    assert body["decision"] == "no_match"
    assert len(body["results"]) == 3
    assert not any(r["selected"] for r in body["results"])
    assert "12345" in body["note"] and "仅供参考" in body["note"]
    assert all(r["text"].endswith(r["citation"]) for r in body["results"])


def test_a_bare_followup_is_ranked_as_any_question(client: TestClient) -> None:
    """The console has no conversation: "找哪个部门？" is searched, not asked back."""
    jw = token(client, "qjw")
    body = client.get("/api/staff/kb/search", params={"q": "找哪个部门？"}, headers=jw).json()
    assert body["decision"] in {"answer", "choices", "no_match"}
    assert len(body["results"]) == 3


def test_questions_must_be_present_and_not_too_long(client: TestClient) -> None:
    jw = token(client, "qjw")
    assert client.get("/api/staff/kb/search", headers=jw).status_code == 422
    blank = client.get("/api/staff/kb/search", params={"q": "   "}, headers=jw)
    assert blank.status_code == 422 and blank.json()["detail"] == "请输入来电人的问题"
    long = client.get("/api/staff/kb/search", params={"q": "销户" * 251}, headers=jw)
    assert long.status_code == 422


def test_appeal_options_come_from_the_field_config(client: TestClient) -> None:
    assert client.get("/api/staff/appeal-options").status_code == 401
    options = client.get("/api/staff/appeal-options", headers=token(client, "tax")).json()
    config = load_field_config()
    assert options["towns"] == list(config.towns)
    assert options["categories"][0] == {"code": "tax", "label": "税务"}
    assert [c["code"] for c in options["categories"]] == [c.code for c in config.categories]
    assert [f["name"] for f in options["fields"]] == [
        "enterprise_name",
        "credit_code",
        "contact_name",
        "phone",
        "town",
        "category",
        "description",
    ]
    assert options["fields"][1]["label"] == "统一社会信用代码"
    by_name = {f["name"]: f for f in options["fields"]}
    assert by_name["phone"]["kind"] == "tel" and by_name["phone"]["max_length"] == 40
    assert by_name["description"]["kind"] == "long_text"
    assert by_name["town"]["choices"][0] == {"value": config.towns[0], "label": config.towns[0]}
    assert by_name["category"]["choices"][0] == {"value": "tax", "label": "税务"}
    assert "choices" not in by_name["enterprise_name"]
    assert {"code": "qjw", "name": "区经委", "kind": "triage"} in options["departments"]
    assert {s["code"] for s in options["statuses"]} >= {"received", "closed", "escalated"}
    assert options["channels"]["hotline"] == "12345热线"


def test_the_queue_puts_overdue_first_then_newest_and_filters(
    client: TestClient, clock: FakeClock
) -> None:
    jw = token(client, "qjw")
    # Two appeals filed on 10 March; by 20 April both are past their due dates.
    old_build = file(client, "key-old-build-0001")
    old_tax = file(client, "key-old-tax-0001", category="tax", town="南翔镇")
    clock.advance(days=41)
    new_tax = file(client, "key-new-tax-0001", category="tax", town="南翔镇")
    new_build = file(client, "key-new-build-0001")

    queue = client.get("/api/staff/queue", headers=jw).json()
    assert [i["tracking_no"] for i in queue["items"]] == [old_tax, old_build, new_build, new_tax]
    assert [i["overdue"] for i in queue["items"]] == [True, True, False, False]
    assert queue["total"] == 4 and queue["overdue"] == 2
    # The routing API's own list has the same order now.
    listed = client.get("/api/staff/appeals", headers=jw).json()
    assert [a["tracking_no"] for a in listed] == [old_tax, old_build, new_build, new_tax]

    def numbers(**params: Any) -> list[str]:
        response = client.get("/api/staff/queue", params=params, headers=jw)
        assert response.status_code == 200, response.text
        return [i["tracking_no"] for i in response.json()["items"]]

    assert numbers(overdue=True) == [old_tax, old_build]
    assert numbers(overdue=False) == [new_build, new_tax]
    assert numbers(department="tax") == [old_tax, new_tax]
    assert numbers(town="南翔镇") == [old_tax, new_tax]
    assert numbers(town="南翔镇", overdue=True, department="tax") == [old_tax]
    assert numbers(status="received") == [old_tax, old_build, new_build, new_tax]
    assert numbers(status="closed") == []
    assert numbers(limit=1) == [old_tax]
    assert client.get("/api/staff/queue", params={"limit": 1}, headers=jw).json()["total"] == 4

    # A replied appeal is not overdue, whatever its due date.
    build = token(client, "construction")
    url = f"/api/staff/appeals/{old_build}"
    client.post(f"{url}/triage", json={"lead_department": "construction"}, headers=jw)
    client.post(f"{url}/dispatch", json={}, headers=jw)
    client.post(f"{url}/accept", json={}, headers=build)
    client.post(f"{url}/reply", json={"reply": "已安排修复。"}, headers=build)
    assert numbers(overdue=True) == [old_tax]
    assert numbers(status="replied") == [old_build]


def test_queue_filters_are_checked_and_scoped(client: TestClient) -> None:
    tax = token(client, "tax")
    mine = file(client, "key-tax-scope-01", category="tax")
    file(client, "key-build-scope-01")
    assert client.get("/api/staff/queue").status_code == 401
    assert [
        i["tracking_no"] for i in client.get("/api/staff/queue", headers=tax).json()["items"]
    ] == [mine]
    assert (
        client.get("/api/staff/queue", params={"department": "tax"}, headers=tax).status_code == 200
    )
    other = client.get("/api/staff/queue", params={"department": "construction"}, headers=tax)
    assert other.status_code == 403 and other.json()["detail"] == "只有区经委可以按部门筛选"
    jw = token(client, "qjw")
    for params in ({"department": "nowhere"}, {"town": "浦东新区"}, {"status": "lost"}):
        assert client.get("/api/staff/queue", params=params, headers=jw).status_code == 422


def test_phones_are_masked_in_the_queue_and_full_in_the_detail(client: TestClient) -> None:
    number = file(
        client,
        "key-mask-0001",
        phone="13812345678",
        description="厂区外面的路灯坏了半年，请回电13987654321或021-62345678",
    )
    jw = token(client, "qjw")
    queue = client.get("/api/staff/queue", headers=jw)
    item = queue.json()["items"][0]
    assert item["phone"] == "138****5678"
    for secret in ("13812345678", "+8613812345678", "13987654321", "62345678"):
        assert secret not in queue.text
    assert "139****4321" in item["summary"]
    assert "contact_name" not in item and "description" not in item
    # The detail view (the routing API) shows the full number to 区经委 and the department
    # the appeal is proposed to, and nothing to another department.
    url = f"/api/staff/appeals/{number}"
    assert client.get(url, headers=jw).json()["phone"] == "+8613812345678"
    assert client.get(url, headers=token(client, "construction")).json()["phone"] == (
        "+8613812345678"
    )
    assert client.get(url, headers=token(client, "tax")).status_code == 404


def test_masked_phone_copes_with_purged_and_odd_values() -> None:
    assert masked_phone("+862162345678") == "021****5678"
    assert masked_phone(None) is None
    assert masked_phone("garbage") == "****"


def test_a_hotline_appeal_is_filed_once_with_the_chat_forms_checks(client: TestClient) -> None:
    body = {**BODY, "channel": "hotline", "credit_code": "91310114MA1GY5BM3X"}
    headers = {"Idempotency-Key": "console-7d1f0c1e-0000-4000-8000-000000000001"}
    bad = client.post("/api/appeals", json=body, headers=headers)
    assert bad.status_code == 422
    assert [p["loc"] for p in bad.json()["detail"]] == [["body", "credit_code"]]
    body["credit_code"] = "91310114MA1GY5BM3N"
    first = client.post("/api/appeals", json=body, headers=headers)
    again = client.post("/api/appeals", json=body, headers=headers)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    jw = token(client, "qjw")
    items = client.get("/api/staff/queue", headers=jw).json()["items"]
    assert [(i["tracking_no"], i["channel"]) for i in items] == [
        (first.json()["tracking_no"], "hotline")
    ]


def test_the_console_page_is_static_and_locked_down(client: TestClient) -> None:
    page = client.get("/console")
    assert page.status_code == 200
    assert "12345坐席助手" in page.text
    scripts = [
        "core.js",
        "kb.js",
        "appeal-form.js",
        "appeals.js",
        "handoff.js",
        "handoff-chat.js",
        "start.js",
    ]
    styles = ["console.css", "kb.css", "appeals.css", "handoff.css"]
    assert all(f'src="/console/static/{name}"' in page.text for name in scripts)
    assert all(f'href="/console/static/{name}"' in page.text for name in styles)
    assert "http://" not in page.text and "https://" not in page.text  # nothing from a CDN
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    for name in scripts:
        script = client.get(f"/console/static/{name}")
        assert script.status_code == 200 and "innerHTML" not in script.text
    for name in styles:
        assert client.get(f"/console/static/{name}").status_code == 200


def test_the_queue_masks_numbers_as_the_staff_lists_do(client: TestClient) -> None:
    file(
        client, "key-mask-0002", description="路灯坏了，身份证310101199001011235，苏州0512-62345678"
    )
    queue = client.get("/api/staff/queue", headers=token(client, "qjw"))
    summary = queue.json()["items"][0]["summary"]
    assert "310101199001011235" not in summary and "****1235" in summary
    assert "62345678" not in summary and "****5678" in summary


def test_the_service_imports_no_kb_module_that_loads_slowly() -> None:
    """The KB (spaCy, TensorFlow, the index) loads on the first question or /me, not at import."""
    code = "import json, sys, bot.console.api; print(json.dumps('bot.kb.store' in sys.modules))"
    assert run_fresh(code) is False


def test_the_console_form_keeps_no_copy_of_the_field_list() -> None:
    """The form is drawn from the API's declaration; neither its markup nor script names a field.

    (The appeal's detail view and the queue show a filed appeal's values; they are not a form.)
    """
    page = PAGE.read_text(encoding="utf-8")
    form = page[
        page.index('<form id="c-appeal-form"') : page.index(
            "</form>", page.index('<form id="c-appeal-form"')
        )
    ]
    script = (STATIC / "appeal-form.js").read_text(encoding="utf-8")
    for text in (form, script):
        assert not [name for name in FIELDS if name in text]
