"""The web chat widget in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Browser, Page, expect

from bot.stack import Stack, free_port

pytestmark = pytest.mark.integration

TIMEOUT_MS = 60_000
CITATION = "（依据：嘉府规〔2020〕8号 第二十九条）"


@contextmanager
def partner_site(html: str) -> Iterator[str]:
    """Serve ``html`` at http://localhost:<free port>/ from a thread."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/"
    finally:
        server.shutdown()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN")
    opened = context.new_page()
    opened.set_default_timeout(TIMEOUT_MS)
    yield opened
    context.close()


def ask(page: Page, text: str) -> None:
    page.locator(".jd-input").fill(text)
    page.locator(".jd-send").click()


def test_policy_answer_with_citation_and_a_reload_keeps_the_conversation(
    page: Page, stack: Stack
) -> None:
    page.goto(stack.url("service") + "/")
    expect(page.locator(".jd-chat")).to_have_attribute("data-ready", "true")
    ask(page, "人才金卡能提供哪些服务")
    # the citation is in the answer's card (test_an_answer_is_said_once_on_a_phone_sized_screen)
    answer = page.locator(".jd-card-cite", has_text=CITATION[4:-1])
    expect(answer).to_have_count(1)
    expect(page.locator(".jd-card-title").first).to_contain_text("金卡")
    session = page.evaluate("localStorage.getItem('jd-assistant-session')")

    page.reload()
    # The transcript is back and the server-side conversation goes on: a bare follow-up is
    # answered about the entry discussed before the reload.
    expect(page.locator(".jd-card-cite", has_text=CITATION[4:-1])).to_have_count(1)
    expect(page.locator(".jd-chat")).to_have_attribute("data-ready", "true")
    assert page.evaluate("localStorage.getItem('jd-assistant-session')") == session
    ask(page, "找哪个部门？")
    expect(
        page.locator(".jd-msg--bot .jd-text", has_text="区人力资源社会保障局").last
    ).to_be_visible()


def test_an_answer_is_said_once_on_a_phone_sized_screen(page: Page, stack: Stack) -> None:
    page.set_viewport_size({"width": 375, "height": 667})
    page.goto(stack.url("service") + "/")
    expect(page.locator(".jd-chat")).to_have_attribute("data-ready", "true")
    ask(page, "人才金卡能提供哪些服务")
    card = page.locator(".jd-card")
    expect(card).to_have_count(1)
    # The card carries title, departments, the citation (numerals as in the text elsewhere)
    # and the document's status; the text bubble above it carries only the answer.
    expect(card).to_contain_text("金卡")
    expect(card.locator(".jd-card-cite")).to_have_text("依据：嘉府规〔2020〕8号 第二十九条")
    expect(card.locator(".jd-card-line")).to_contain_text(["责任单位：区人力资源社会保障局"])
    expect(card.locator(".jd-card-status")).to_contain_text("文件未写明有效期")
    answer = page.locator(".jd-msg--bot", has=card).locator(".jd-text")
    expect(answer).to_contain_text("金卡")
    for said_in_the_card in ("依据：", "责任单位", "文件未写明有效期", "第29条"):
        expect(answer).not_to_contain_text(said_in_the_card)
    # A follow-up answers in text and does not repeat the card.
    ask(page, "找哪个部门？")
    expect(
        page.locator(".jd-msg--bot .jd-text", has_text="区人力资源社会保障局").last
    ).to_be_visible()
    expect(card).to_have_count(1)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "the chat must fit a phone-sized screen"
    page.reload()  # the transcript comes back the same way
    expect(page.locator(".jd-card")).to_have_count(1)
    expect(page.locator(".jd-msg--bot .jd-text", has_text=CITATION)).to_have_count(1)


def test_buttons_typing_and_a_phone_sized_screen(page: Page, stack: Stack) -> None:
    page.set_viewport_size({"width": 375, "height": 667})
    page.goto(stack.url("service") + "/")
    expect(page.locator(".jd-chat")).to_have_attribute("data-ready", "true")
    ask(page, "你好")
    expect(page.locator(".jd-button", has_text="政策匹配")).to_be_visible()
    page.locator(".jd-button", has_text="政策匹配").click()
    expect(page.locator(".jd-msg--user .jd-text", has_text="政策匹配")).to_be_visible()
    expect(page.locator(".jd-button", has_text="制造业")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "the chat must fit a phone-sized screen"


def test_one_script_tag_on_a_partner_site_and_reconnect(page: Page, stack: Stack) -> None:
    service = stack.url("service")
    rasa = stack.url("Rasa server")
    partner = (
        "<!doctype html><html><head><meta charset='utf-8'></head><body><h1>园区官网</h1>"
        f"<script src='{service}/static/widget.js' data-socket-url='{rasa}' defer></script>"
        "</body></html>"
    )
    # The partner site: another origin (localhost, its own port), served by a real server.
    with partner_site(partner) as partner_url:
        page.goto(partner_url)
        _chat_on_the_partner_site(page)


def _chat_on_the_partner_site(page: Page) -> None:
    page.locator(".jd-toggle").click()
    expect(page.locator(".jd-chat")).to_have_attribute("data-ready", "true")
    # Drop the connection: the widget says so, reconnects, and the next message gets through.
    page.context.set_offline(True)
    expect(page.locator(".jd-status")).to_contain_text("连接已断开")
    page.context.set_offline(False)
    expect(page.locator(".jd-chat")).to_have_attribute("data-ready", "true")
    ask(page, "你是机器人吗")
    expect(page.locator(".jd-msg--bot .jd-text").last).to_contain_text("嘉定")


def test_markup_typed_into_the_widget_shows_as_text(page: Page, stack: Stack) -> None:
    page.goto(stack.url("service") + "/")
    expect(page.locator(".jd-chat")).to_have_attribute("data-ready", "true")
    attack = '<img src=x onerror="window.__xss=1"><b>加粗</b>'
    ask(page, attack)
    expect(page.locator(".jd-msg--user .jd-text", has_text=attack)).to_have_count(1)
    expect(page.locator(".jd-msg--bot .jd-text").last).to_be_visible()
    assert page.locator(".jd-msg img, .jd-msg b").count() == 0
    assert page.evaluate("window.__xss") is None
