"""The 12345 agent console in headless Chromium (Debian's /usr/bin/chromium, via Playwright)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from bot.stack import Stack

pytestmark = pytest.mark.integration

TIMEOUT_MS = 60_000
LAPTOP = {"width": 1366, "height": 768}
DEREGISTRATION = "government-services-deregistration"
CITATION_START = "（依据：嘉府规〔2020〕8号 第"
ENTERPRISE = "上海嘉定控制台测试精密机械有限公司"


@pytest.fixture
def page(browser: Browser, stack: Stack) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", viewport=LAPTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=stack.url("service"))
    opened = context.new_page()
    opened.set_default_timeout(TIMEOUT_MS)
    yield opened
    context.close()


def test_agent_answers_files_looks_up_and_sees_the_queue(
    page: Page, stack: Stack, staff_token: str, tmp_path: Path
) -> None:
    page.goto(stack.url("service") + "/console")

    # Signing in: a wrong token is refused plainly, the right one shows the department.
    page.locator("#c-token").fill("not-a-real-token")
    page.locator("#c-signin-button").click()
    expect(page.locator("#c-signin-error")).to_contain_text("令牌不正确")
    expect(page.locator("#c-app")).to_be_hidden()
    page.locator("#c-token").fill(staff_token)
    page.locator("#c-signin-button").click()
    expect(page.locator("#c-dept")).to_have_text("区经委")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    assert page.evaluate("sessionStorage.getItem('jd-console-token')") == staff_token

    _policy_question(page)
    number = _file_an_appeal(page)
    _look_up(page, number)
    _queue(page, number)

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= LAPTOP["width"], "the console must fit a laptop screen"
    page.screenshot(path=str(tmp_path / "console.png"), full_page=True)

    # A reload keeps the agent signed in (sessionStorage); signing out forgets the token.
    page.reload()
    expect(page.locator("#c-dept")).to_have_text("区经委")
    page.locator("#c-signout").click()
    expect(page.locator("#c-signin")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('jd-console-token')") is None


def _policy_question(page: Page) -> None:
    page.locator("#c-question").fill("生意做不下去了，公司怎么销户")
    page.locator("#c-kb-button").click()
    best = page.locator("#c-kb-results .c-result").first
    # The service loads the KB (spaCy, jieba) on first use: seconds on a busy machine.
    expect(best).to_have_attribute("data-entry-id", DEREGISTRATION, timeout=TIMEOUT_MS)
    expect(best.locator(".c-badge")).to_have_text("建议答复")
    answer = best.locator(".c-answer")
    expect(answer).to_contain_text(CITATION_START)
    text = answer.inner_text()
    assert text.rstrip().endswith("）")
    copy = best.locator(".c-copy")
    copy.click()
    expect(copy).to_have_text("已复制")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() == text.strip()

    # Nothing fits: the weak candidates are shown as such, with the 12345 follow-up.
    page.locator("#c-question").fill("今天天气怎么样")
    page.locator("#c-kb-button").click()
    expect(page.locator("#c-kb-results")).to_have_attribute("data-decision", "no_match")
    expect(page.locator("#c-kb-note")).to_contain_text("12345")
    expect(page.locator("#c-kb-results .c-result--weak")).to_have_count(3)


def _file_an_appeal(page: Page) -> str:
    page.locator("#c-f-enterprise_name").fill(ENTERPRISE)
    page.locator("#c-f-credit_code").fill("91310114MA1GY5BM3X")  # wrong check character
    page.locator("#c-f-contact_name").fill("赵女士")
    page.locator("#c-f-phone").fill("138 1234 5678")
    page.locator("#c-f-town").select_option("安亭镇")
    page.locator("#c-f-category").select_option(label="工程建设与施工许可")
    page.locator("#c-f-description").fill(
        "厂区门口的道路施工围挡占了半幅车道，货车进出困难，希望协调。"
    )
    page.locator("#c-appeal-submit").click()
    expect(page.locator("#c-e-credit_code")).to_contain_text("校验位")
    expect(page.locator("#c-f-credit_code")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#c-filed")).to_be_hidden()

    page.locator("#c-f-credit_code").fill("91310114MA1GY5BM3N")
    expect(page.locator("#c-e-credit_code")).to_be_hidden()
    page.locator("#c-appeal-submit").dblclick()  # files once: one key per form fill
    tracking = page.locator("#c-filed-no")
    expect(tracking).to_have_text(re.compile(r"^JD-\d{8}-\d{4,}$"))
    expect(page.locator("#c-filed-dept")).to_contain_text("区建设管理委")
    expect(page.locator("#c-filed-due")).to_contain_text("前办结答复")
    number = tracking.inner_text().strip()
    expect(page.locator("#c-filed-readback")).to_contain_text(number)
    return number


def _look_up(page: Page, number: str) -> None:
    # Typed loosely (lower case, no dashes): the console normalises the number.
    page.locator("#c-lookup-no").fill(number.lower().replace("-", ""))
    page.locator("#c-lookup-button").click()
    detail = page.locator("#c-detail")
    expect(detail).to_contain_text(number)
    expect(detail).to_contain_text(ENTERPRISE)
    expect(detail).to_contain_text("12345热线")
    expect(detail).to_contain_text("13812345678")  # 区经委 sees the full number

    page.locator("#c-lookup-no").fill("JD-20000101-0001")
    page.locator("#c-lookup-button").click()
    expect(page.locator("#c-lookup-error")).to_contain_text("没有找到诉求")
    expect(detail).to_be_hidden()


def _queue(page: Page, number: str) -> None:
    page.locator("#c-q-refresh").click()
    row = page.locator(f'#c-queue-rows tr[data-tracking-no="{number}"]')
    expect(row).to_have_count(1)
    # The double click filed one appeal (this enterprise is in no other test).
    expect(page.locator("#c-queue-rows tr", has_text=ENTERPRISE)).to_have_count(1)
    expect(row).to_contain_text(ENTERPRISE)
    expect(row).to_contain_text("138****5678")
    assert "13812345678" not in page.locator("#c-queue-table").inner_text()
    page.locator("#c-q-town").select_option("安亭镇")
    expect(row).to_have_count(1)
    page.locator("#c-q-town").select_option("南翔镇")
    expect(row).to_have_count(0)


def test_markup_in_an_appeal_shows_as_text_in_the_console(
    page: Page, stack: Stack, staff_token: str
) -> None:
    import requests

    attack = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>路灯坏了'
    filed = requests.post(
        stack.url("service") + "/api/appeals",
        json={
            "enterprise_name": "上海嘉定标记测试有限公司",
            "credit_code": "91310114MA1GY5BM3N",
            "contact_name": "钱测试",
            "phone": "13812345678",
            "town": "南翔镇",
            "category": "other",
            "description": attack + "，夜里不安全，请尽快处理",
            "channel": "web",
        },
        headers={"Idempotency-Key": "xss-" + stack.settings.rasa_auth_token[-12:]},
        timeout=30,
    )
    assert filed.status_code == 201, filed.text
    number = filed.json()["tracking_no"]
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(stack.url("service") + "/console")
    page.locator("#c-token").fill(staff_token)
    page.locator("#c-signin-button").click()
    expect(page.locator("#c-dept")).to_have_text("区经委")
    page.locator("#c-lookup-no").fill(number)
    page.locator("#c-lookup-button").click()
    detail = page.locator("#c-detail")
    expect(detail).to_contain_text("<script>window.__xss=2</script>")
    page.locator("#c-q-refresh").click()
    row = page.locator(f'#c-queue-rows tr[data-tracking-no="{number}"]')
    expect(row).to_contain_text("<img src=x")
    assert page.evaluate("window.__xss") is None
    assert page.locator("#c-detail img, #c-queue-rows img, #c-detail script").count() == 0
    assert dialogs == []
