"""The whole handoff as people do it, in headless Chromium: a user in the web widget, an
agent in the console. User asks for a person → agent takes it and replies → the user sees it
→ agent hands back → the bot answers again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from bot.stack import Stack

pytestmark = pytest.mark.integration

TIMEOUT_MS = 60_000
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[[dict[str, int]], Page]]:
    contexts = []

    def _open(viewport: dict[str, int]) -> Page:
        context = browser.new_context(locale="zh-CN", viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        return page

    yield _open
    for context in contexts:
        context.close()


def ask(page: Page, text: str) -> None:
    page.locator(".jd-input").fill(text)
    page.locator(".jd-send").click()


def test_handoff_round_trip_in_the_browser(
    open_page: Callable[[dict[str, int]], Page],
    stack: Stack,
    issue_staff_token: Callable[[str, str], str],
    tmp_path: Path,
) -> None:
    user = open_page(PHONE)
    user.goto(stack.url("service") + "/")
    expect(user.locator(".jd-chat")).to_have_attribute("data-ready", "true")
    ask(user, "我想找人工客服")
    expect(user.locator(".jd-msg--bot .jd-text").last).to_contain_text("已为您转接人工服务")

    agent = open_page(LAPTOP)
    agent.goto(stack.url("service") + "/console")
    agent.locator("#c-token").fill(issue_staff_token("qjw", "坐席-浏览器"))
    agent.locator("#c-signin-button").click()
    expect(agent.locator("#c-dept")).to_have_text("区经委")

    # The waiting handoff shows in the inbox with the user's words; the agent takes it.
    entry = agent.locator("#c-handoff-list li", has_text="我想找人工客服").first
    entry.click()
    transcript = agent.locator("#c-handoff-transcript")
    expect(transcript).to_contain_text("我想找人工客服")
    agent.locator("#c-handoff-take").click()
    expect(user.locator(".jd-msg--bot .jd-text").last).to_contain_text("工作人员已接入")

    # The user writes; the bot keeps silent and the agent sees it (phone masked).
    ask(user, "我们公司想申请稳岗补贴，我电话13912345678")
    expect(transcript).to_contain_text("我电话139****5678")
    expect(transcript).not_to_contain_text("13912345678")

    reply = "您好，我是区经委的工作人员，稳岗补贴的事我来帮您看看。"
    agent.locator("#c-handoff-text").fill(reply)
    agent.locator("#c-handoff-send").click()
    person = user.locator(".jd-msg--agent").last
    expect(person).to_contain_text(reply)
    expect(person.locator(".jd-who")).to_have_text("工作人员")
    expect(transcript).to_contain_text(reply)
    agent.screenshot(path=str(tmp_path / "console-handoff.png"), full_page=True)
    user.screenshot(path=str(tmp_path / "widget-handoff.png"))
    # Nothing from the bot came between the user's message and the agent's reply.
    last_user = user.locator(".jd-msg").nth(-2)
    expect(last_user).to_contain_text("13912345678")

    # Hand back: the user is told, and the bot answers the next question.
    agent.locator("#c-handoff-release").click()
    expect(user.locator(".jd-msg--bot .jd-text").last).to_contain_text("智能助手继续为您服务")
    expect(agent.locator("#c-handoff-form")).to_be_hidden()
    ask(user, "人才金卡能提供哪些服务")
    # the answer, with its citation in the card (test_browser.py: an answer is said once)
    expect(user.locator(".jd-card-cite", has_text="第二十九条").last).to_be_visible()


def test_departments_that_do_not_work_handoffs_do_not_see_the_inbox(
    open_page: Callable[[dict[str, int]], Page],
    stack: Stack,
    issue_staff_token: Callable[[str, str], str],
) -> None:
    agent = open_page(LAPTOP)
    agent.goto(stack.url("service") + "/console")
    agent.locator("#c-token").fill(issue_staff_token("tax", "税务窗口"))
    agent.locator("#c-signin-button").click()
    expect(agent.locator("#c-dept")).to_have_text("区税务局")
    expect(agent.locator("#c-kb")).to_be_visible()
    expect(agent.locator("#c-handoff")).to_be_hidden()
