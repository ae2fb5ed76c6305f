"""The WeChat channel, in process: a real Sanic server (Rasa's channel registration, a fake
bot instead of the agent) on a free port, WeChat's side played with wechatpy, and the
customer-service API played by ``tests/support/fake_wechat.py``."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from types import SimpleNamespace
from typing import Any, TypeVar

import pytest
import requests
import xmltodict
from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from bot.rasa_ext.channels.wechat import WeChatInput
from bot.rasa_ext.channels.wechat_support import (
    NON_TEXT_REPLY,
    TTLCache,
    WeChatConfig,
    chosen_option,
    escape_cdata,
    openid_hash,
    render_turn,
    sign,
    signature_ok,
)
from bot.ratelimit import RateLimiter
from bot.settings import PROJECT_ROOT, get_settings
from tests.support.fake_wechat import FakeWeChatAPI

TOKEN = "jiading-test-token"
APP_ID = "wx0123456789abcdef"
APP_SECRET = "s3cret"
KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"  # wechatpy's test EncodingAESKey
OLD_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # WeChat's sample EncodingAESKey
OTHER_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut"
OPENID = "oJd0Yt-user-0001"
ACCOUNT = "gh_jiading_oa"
PHONE = "13812345678"

# WeChat's signature example, as wechatpy's own tests use it (tests/test_utils.py) ...
VECTOR = {"token": "test", "timestamp": "1410685589", "nonce": "test"}
VECTOR_SIGNATURE = "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff"
# ... and its safe-mode example (tests/test_crypto.py: msg_signature over four parts).
VECTOR_ENCRYPT = (
    "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGs"
    "L8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZ"
    "SjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05U"
    "PPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2"
    "XeFYFMNMpatF9XiKzHo3"
)
VECTOR_MSG = {"token": "123456", "timestamp": "1411525903", "nonce": "461056294"}
VECTOR_MSG_SIGNATURE = "407518b7649e86ef23978113f92d27afa9296533"

GREETING = "您好，我是嘉定企业服务助手。"
MENU_TEXT = "请问您想办理哪项业务？"
BUTTONS = [
    {"title": "政策咨询", "payload": "/ask_policy"},
    {"title": "企业诉求", "payload": "/file_appeal"},
    {"title": "查询进度", "payload": "/check_appeal_status"},
]
MENU_REPLY = f"{MENU_TEXT}\n\n回复数字选择：\n1. 政策咨询\n2. 企业诉求\n3. 查询进度"
ERROR_TEXT = "抱歉，系统暂时出现问题，请稍后再试。"

T = TypeVar("T")


def answer_to(text: str) -> str:
    return f"您问的是：{text}\n\n（依据：嘉府规〔2020〕8号 第十七条）"


class FakeBot:
    """Stands in for Rasa's agent: answers through ``message.output_channel``."""

    def __init__(self) -> None:
        self.received: list[UserMessage] = []
        self.delay = 0.0

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        await asyncio.sleep(self.delay)
        out, sender, text = message.output_channel, message.sender_id, message.text or ""
        if text == "你好":
            await out.send_text_message(sender, GREETING)
        elif text == "菜单":
            await out.send_text_with_buttons(sender, MENU_TEXT, BUTTONS)
        elif text.startswith("boom"):
            raise RuntimeError(f"failed on {text}")
        else:
            await out.send_text_message(sender, answer_to(text))
            await out.send_custom_json(sender, {"type": "policy_answer", "articles": [17]})

    @property
    def texts(self) -> list[str | None]:
        return [message.text for message in self.received]


def wx_sign(*parts: str) -> str:
    """Sign with wechatpy's signer (not the channel's code)."""
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def text_xml(content: str, msg_id: int, openid: str = OPENID) -> str:
    content = content.replace("]]>", "]]]]><![CDATA[>")  # as WeChat writes it
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


def other_xml(msg_type: str, msg_id: int, fields: str) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{OPENID}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>"
        f"{fields}<MsgId>{msg_id}</MsgId></xml>"
    )


def event_xml(event: str, create_time: int) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{OPENID}]]></FromUserName>"
        f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event></xml>"
    )


class Harness:
    """The channel served by a real Sanic server in a thread, and WeChat's side of it."""

    def __init__(self, channel: WeChatInput, bot: FakeBot) -> None:
        self.channel, self.bot = channel, bot
        # Sanic 21.12 rewrites its request handling ("touch-up") at each app start; outside
        # test mode a second app in one process fails (KeyError: 'send'). sanic-testing
        # sets this flag for the same reason; it stays on for any later in-process app.
        Sanic.test_mode = True
        self.app = Sanic(f"wechat_test_{uuid.uuid4().hex[:12]}", configure_logging=False)
        self.app.ctx.agent = SimpleNamespace(handle_message=bot)
        register([channel], self.app, route="/webhooks/")  # Rasa's own registration
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        port = self._sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{port}/webhooks/wechat"
        self.url = f"{self.base}/webhook"
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def start() -> Any:
            server = await self.app.create_server(
                sock=self._sock, return_asyncio_server=True, access_log=False
            )
            await server.startup()
            return server

        self._server = self._loop.run_until_complete(start())
        self._ready.set()
        self._loop.run_forever()

    def start(self) -> Harness:
        self._thread.start()
        assert self._ready.wait(10), "Sanic did not start"
        return self

    def stop(self) -> None:
        async def close() -> None:
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def run(self, coro: Coroutine[Any, Any, T], timeout_s: float = 15.0) -> T:
        """Run ``coro`` on the server's event loop, where the channel's state lives."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout_s)

    def query(self, *, timestamp: int | None = None, nonce: str = "1320562132") -> dict[str, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        token = self.channel.config.token
        return {
            "signature": wx_sign(token, stamp, nonce),
            "timestamp": stamp,
            "nonce": nonce,
            "openid": OPENID,
        }

    def post(
        self,
        xml: str,
        *,
        key: str | None = None,
        params: dict[str, str] | None = None,
        msg_signature: str | None = None,
    ) -> requests.Response:
        """POST one message as WeChat does: plain, or encrypted under ``key`` (safe mode)."""
        params = params or self.query()
        body = xml
        if key is not None:
            crypto = WeChatCrypto(self.channel.config.token, key, APP_ID)
            sealed = xmltodict.parse(
                crypto.encrypt_message(xml, params["nonce"], params["timestamp"])
            )["xml"]
            body = (
                f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
                f"<Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt></xml>"
            )
            params = {
                **params,
                "encrypt_type": "aes",
                "msg_signature": msg_signature or sealed["MsgSignature"],
            }
        return requests.post(self.url, params=params, data=body.encode("utf-8"), timeout=15)

    def say(self, content: str, msg_id: int, **kwargs: Any) -> requests.Response:
        return self.post(text_xml(content, msg_id), **kwargs)


def reply_text(resp: requests.Response, *, safe: bool = False) -> str:
    """Return the Content of a passive text reply (decrypted with the current key)."""
    assert resp.status_code == 200, resp.text
    xml = resp.text
    if safe:
        sealed = xmltodict.parse(xml)["xml"]
        crypto = WeChatCrypto(TOKEN, KEY, APP_ID)
        xml = crypto.decrypt_message(
            xml, sealed["MsgSignature"], sealed["TimeStamp"], sealed["Nonce"]
        )
    doc = xmltodict.parse(xml)["xml"]
    assert doc["MsgType"] == "text"
    assert (doc["ToUserName"], doc["FromUserName"]) == (OPENID, ACCOUNT)
    return str(doc["Content"])


def wait_until(check: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


@pytest.fixture
def fake_api() -> Iterator[FakeWeChatAPI]:
    with FakeWeChatAPI(APP_ID, APP_SECRET).running() as fake:
        yield fake


@pytest.fixture
def make_harness(fake_api: FakeWeChatAPI) -> Iterator[Callable[..., Harness]]:
    started: list[Harness] = []

    def make(
        clock: Callable[[], float] = time.time, limiter: RateLimiter | None = None, **overrides: Any
    ) -> Harness:
        config = WeChatConfig(
            token=TOKEN,
            app_id=APP_ID,
            app_secret=APP_SECRET,
            encoding_aes_key=KEY,
            previous_encoding_aes_key=OLD_KEY,
            api_base=fake_api.base_url,
            passive_timeout_s=3.0,
        )
        channel = WeChatInput(replace(config, **overrides), clock=clock, limiter=limiter)
        harness = Harness(channel, FakeBot())
        started.append(harness.start())
        return harness

    yield make
    for harness in started:
        harness.stop()


@pytest.fixture
def wechat(make_harness: Callable[..., Harness]) -> Harness:
    return make_harness()


# --- signatures -----------------------------------------------------------------------


def test_signature_matches_wechat_examples() -> None:
    assert sign(*VECTOR.values()) == VECTOR_SIGNATURE
    assert signature_ok(VECTOR_SIGNATURE, *VECTOR.values())
    assert not signature_ok(VECTOR_SIGNATURE[:-1] + "e", *VECTOR.values())
    assert not signature_ok("", *VECTOR.values())
    assert not signature_ok("签名", *VECTOR.values())  # not ASCII: no exception either
    assert sign(*VECTOR_MSG.values(), VECTOR_ENCRYPT) == VECTOR_MSG_SIGNATURE
    assert signature_ok(VECTOR_MSG_SIGNATURE, *VECTOR_MSG.values(), VECTOR_ENCRYPT)


def test_url_verification_with_wechats_example(make_harness: Callable[..., Harness]) -> None:
    # The example's timestamp is from 2014: the channel's clock is set to just after it.
    harness = make_harness(token="test", clock=lambda: 1410685589 + 30.0)
    params = {**VECTOR, "signature": VECTOR_SIGNATURE, "echostr": "5837397520665436492"}
    params.pop("token")
    resp = requests.get(harness.url, params=params, timeout=10)
    assert (resp.status_code, resp.text) == (200, "5837397520665436492")

    bad = {**params, "signature": VECTOR_SIGNATURE[:-1] + "e"}
    assert requests.get(harness.url, params=bad, timeout=10).status_code == 403


def test_url_verification_refuses_a_stale_timestamp(make_harness: Callable[..., Harness]) -> None:
    harness = make_harness(token="test")  # real clock: the 2014 example is stale
    params = {"signature": VECTOR_SIGNATURE, "timestamp": "1410685589", "nonce": "test"}
    resp = requests.get(harness.url, params={**params, "echostr": "x"}, timeout=10)
    assert resp.status_code == 403


def test_bad_signature_is_refused_and_not_processed(wechat: Harness) -> None:
    params = wechat.query()
    forged = {**params, "signature": sign("another-token", params["timestamp"], params["nonce"])}
    assert wechat.say("问题", 2001, params=forged).status_code == 403
    assert wechat.say("问题", 2002, params={"timestamp": params["timestamp"]}).status_code == 403
    # Safe mode: a good signature but a forged msg_signature.
    resp = wechat.say("问题", 2003, key=KEY, msg_signature="0" * 40)
    assert resp.status_code == 403
    assert wechat.bot.received == []


@pytest.mark.parametrize("offset", [-301, 301, -100_000])
def test_stale_timestamp_is_refused(wechat: Harness, offset: int) -> None:
    params = wechat.query(timestamp=int(time.time()) + offset)
    assert wechat.say("问题", 2100, params=params).status_code == 403
    assert wechat.bot.received == []


def test_timestamp_inside_the_window_is_accepted(wechat: Harness) -> None:
    params = wechat.query(timestamp=int(time.time()) - 250)
    assert reply_text(wechat.say("问题", 2200, params=params)) == answer_to("问题")


def test_without_token_every_request_gets_503(
    make_harness: Callable[..., Harness], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.rasa_ext.channels")
    harness = make_harness(token="")
    assert requests.get(harness.url, params={"echostr": "x"}, timeout=10).status_code == 503
    assert harness.say("问题", 2300).status_code == 503
    assert harness.bot.received == []
    assert "WECHAT_TOKEN is not set" in caplog.text


# --- plaintext and safe mode ----------------------------------------------------------


def test_plaintext_message_gets_a_passive_reply(wechat: Harness) -> None:
    resp = wechat.say("安亭镇有什么人才政策？", 3001)
    assert resp.headers["content-type"].startswith("application/xml")
    # One text (the policy payload is not shown on WeChat).
    assert reply_text(resp) == answer_to("安亭镇有什么人才政策？")
    [message] = wechat.bot.received
    assert (message.sender_id, message.input_channel) == (OPENID, "wechat")
    assert message.text == "安亭镇有什么人才政策？"
    assert message.message_id == "3001"
    assert message.metadata == {"msg_id": "3001", "msg_type": "text"}
    assert message.output_channel.name() == "wechat"


def test_reply_text_cannot_break_out_of_cdata(wechat: Harness) -> None:
    assert reply_text(wechat.say("a]]></Content>b", 3101)) == answer_to("a]]></Content>b")


def test_safe_mode_with_the_current_key(wechat: Harness) -> None:
    resp = wechat.say("问题甲", 4001, key=KEY)
    assert "<Encrypt>" in resp.text and "问题" not in resp.text
    assert reply_text(resp, safe=True) == answer_to("问题甲")


def test_safe_mode_with_the_previous_key_replies_under_the_current_one(wechat: Harness) -> None:
    assert reply_text(wechat.say("问题乙", 4101, key=OLD_KEY), safe=True) == answer_to("问题乙")
    assert wechat.bot.texts == ["问题乙"]


def test_safe_mode_with_an_unknown_key_is_not_processed(wechat: Harness) -> None:
    assert wechat.say("问题丙", 4201, key=OTHER_KEY).status_code == 400
    assert wechat.bot.received == []


# --- retries --------------------------------------------------------------------------


def test_retries_of_one_message_run_through_rasa_once(wechat: Harness) -> None:
    wechat.bot.delay = 0.6
    xml, params = text_xml("重复的问题", 5001), wechat.query()

    def send(delay: float) -> requests.Response:
        time.sleep(delay)
        return wechat.post(xml, params=params)

    with ThreadPoolExecutor(3) as pool:
        responses = list(pool.map(send, [0.0, 0.15, 0.3]))
    assert [reply_text(resp) for resp in responses] == [answer_to("重复的问题")] * 3
    # A late retry gets the same answer again, still without a second run.
    assert reply_text(wechat.post(xml, params=params)) == answer_to("重复的问题")
    assert wechat.bot.texts == ["重复的问题"]


def test_retries_of_a_slow_message_get_success(
    make_harness: Callable[..., Harness], fake_api: FakeWeChatAPI
) -> None:
    harness = make_harness(passive_timeout_s=0.3)
    harness.bot.delay = 1.2
    xml = text_xml("慢问题", 5101)
    assert harness.post(xml).text == "success"
    assert harness.post(xml).text == "success"  # a retry while the turn runs
    [sent] = fake_api.wait_for("sent", 1)
    assert harness.post(xml).text == "success"  # and one after it was sent
    time.sleep(0.3)
    assert len(fake_api.sent) == 1
    assert sent["text"]["content"] == answer_to("慢问题")
    assert harness.bot.texts == ["慢问题"]


# --- what the bot says ----------------------------------------------------------------


def test_buttons_become_numbered_options_and_a_digit_sends_the_payload(wechat: Harness) -> None:
    assert reply_text(wechat.say("菜单", 6001)) == MENU_REPLY
    wechat.say("2", 6002)
    assert wechat.bot.received[-1].text == "/file_appeal"
    assert wechat.bot.received[-1].metadata["wechat_option"] == "2"
    # The options were used up by that turn: a digit is now just text.
    wechat.say("2", 6003)
    assert wechat.bot.received[-1].text == "2"
    # Full-width digits count; a number out of range does not.
    wechat.say("菜单", 6004)
    wechat.say("３", 6005)
    assert wechat.bot.received[-1].text == "/check_appeal_status"
    wechat.say("菜单", 6006)
    wechat.say("4", 6007)
    assert wechat.bot.received[-1].text == "4"


def test_options_expire(make_harness: Callable[..., Harness]) -> None:
    harness = make_harness(options_ttl_s=0.2)
    harness.say("菜单", 6101)
    time.sleep(0.4)
    harness.say("1", 6102)
    assert harness.bot.texts == ["菜单", "1"]


@pytest.mark.parametrize(
    ("msg_type", "fields"),
    [
        ("image", "<PicUrl><![CDATA[http://x/p.jpg]]></PicUrl><MediaId><![CDATA[m]]></MediaId>"),
        ("voice", "<MediaId><![CDATA[m]]></MediaId><Format><![CDATA[amr]]></Format>"),
        ("video", "<MediaId><![CDATA[m]]></MediaId><ThumbMediaId>t</ThumbMediaId>"),
        ("location", "<Location_X>31.38</Location_X><Location_Y>121.25</Location_Y>"),
        ("link", "<Title><![CDATA[t]]></Title><Url><![CDATA[http://x]]></Url>"),
    ],
)
def test_non_text_messages_get_the_please_type_reply(
    wechat: Harness, msg_type: str, fields: str
) -> None:
    resp = wechat.post(other_xml(msg_type, 7001, fields))
    assert reply_text(resp) == NON_TEXT_REPLY == "目前只能处理文字消息，请直接输入您的问题。"
    assert wechat.bot.received == []


def test_subscribe_reaches_rasa_as_nihao(wechat: Harness) -> None:
    created = int(time.time())
    resp = wechat.post(event_xml("subscribe", created))
    assert reply_text(resp) == GREETING
    # The same event again (a retry: same FromUserName and CreateTime) is not run again.
    assert reply_text(wechat.post(event_xml("subscribe", created))) == GREETING
    [message] = wechat.bot.received
    assert (message.text, message.sender_id) == ("你好", OPENID)
    assert message.metadata == {"msg_id": None, "msg_type": "event"}


def test_unsubscribe_and_other_events_get_success(wechat: Harness) -> None:
    assert wechat.post(event_xml("unsubscribe", int(time.time()))).text == "success"
    assert wechat.post(event_xml("VIEW", int(time.time()))).text == "success"
    # An event wechatpy does not know is still an event, not a "non-text message".
    assert wechat.post(event_xml("some_future_event", int(time.time()))).text == "success"
    assert wechat.bot.received == []


def test_a_failing_turn_still_answers(wechat: Harness) -> None:
    assert reply_text(wechat.say("boom", 7101)) == ERROR_TEXT


# --- slow answers through the customer-service API ------------------------------------


def test_slow_answer_arrives_through_the_customer_service_api(
    make_harness: Callable[..., Harness], fake_api: FakeWeChatAPI
) -> None:
    harness = make_harness(passive_timeout_s=0.3)
    harness.bot.delay = 1.0
    assert harness.say("慢问题一", 8001).text == "success"
    [sent] = fake_api.wait_for("sent", 1)
    assert sent == {"touser": OPENID, "msgtype": "text", "text": {"content": answer_to("慢问题一")}}
    assert "慢问题一".encode() in fake_api.raw_bodies[-1]  # UTF-8, not \\u escapes

    assert harness.say("慢问题二", 8002).text == "success"
    fake_api.wait_for("sent", 2)
    assert fake_api.token_requests == 1  # the access token is cached


def test_refused_answer_is_kept_and_prepended_to_the_next_one(
    make_harness: Callable[..., Harness],
    fake_api: FakeWeChatAPI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.rasa_ext.channels")
    harness = make_harness(passive_timeout_s=0.3)
    fake_api.refuse_errcode = 45015
    harness.bot.delay = 1.0
    assert harness.say("慢问题", 8101).text == "success"
    fake_api.wait_for("refused", 1)
    wait_until(lambda: "kept for the user's next message" in caplog.text)

    fake_api.refuse_errcode = None
    harness.bot.delay = 0.0
    both = reply_text(harness.say("下一个问题", 8102))
    assert both == f"{answer_to('慢问题')}\n\n{answer_to('下一个问题')}"
    assert reply_text(harness.say("第三个问题", 8103)) == answer_to("第三个问题")
    assert fake_api.sent == []


def test_logs_carry_ids_and_openid_hashes_only(
    make_harness: Callable[..., Harness],
    fake_api: FakeWeChatAPI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.rasa_ext.channels")
    harness = make_harness(passive_timeout_s=0.3)
    harness.say(f"我的电话是{PHONE}", 9001)
    harness.say(f"boom {PHONE}", 9002)
    harness.bot.delay = 1.0
    fake_api.refuse_errcode = 48001
    harness.say(f"慢：电话{PHONE}", 9003)
    fake_api.wait_for("refused", 1)
    wait_until(lambda: "kept for the user's next message" in caplog.text)
    assert "9001" in caplog.text and openid_hash(OPENID) in caplog.text
    assert PHONE not in caplog.text
    assert OPENID not in caplog.text


# --- configuration --------------------------------------------------------------------


def test_credentials_yml_registers_the_channel(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.run import create_http_input_channels

    monkeypatch.setenv("WECHAT_TOKEN", "token-from-env")
    monkeypatch.setenv("WECHAT_APP_ID", APP_ID)
    monkeypatch.setenv("WECHAT_ENCODING_AES_KEY", KEY)
    monkeypatch.setenv("WECHAT_PASSIVE_TIMEOUT_S", "2.5")
    get_settings.cache_clear()
    try:
        channels = create_http_input_channels(None, str(PROJECT_ROOT / "credentials.yml"))
    finally:
        get_settings.cache_clear()
    by_name = {channel.name(): channel for channel in channels}
    assert {"rest", "socketio", "wechat"} <= set(by_name)
    wechat = by_name["wechat"]
    assert isinstance(wechat, WeChatInput)
    assert wechat.url_prefix() == "wechat"
    assert (wechat.config.token, wechat.config.app_id) == ("token-from-env", APP_ID)
    assert wechat.config.passive_timeout_s == 2.5
    assert wechat.config.api_base == "https://api.weixin.qq.com"


def test_credentials_override_settings_and_bad_keys_fail() -> None:
    from rasa.shared.exceptions import RasaException

    channel = WeChatInput.from_credentials({"token": "t", "timestamp_window_s": "60"})
    assert (channel.config.token, channel.config.timestamp_window_s) == ("t", 60.0)
    with pytest.raises(RasaException, match="Unknown keys"):
        WeChatInput.from_credentials({"tokn": "t"})
    with pytest.raises(RasaException, match="43 characters"):
        WeChatInput.from_credentials({"token": "t", "encoding_aes_key": "short"})


# --- helpers --------------------------------------------------------------------------


def test_render_turn() -> None:
    messages: list[dict[str, Any]] = [
        {"recipient_id": OPENID, "text": "第一段"},
        {"recipient_id": OPENID, "custom": {"type": "policy_answer"}},
        {"recipient_id": OPENID, "text": "第二段", "buttons": BUTTONS[:2]},
    ]
    text, options = render_turn(messages)
    assert text == "第一段\n\n第二段\n\n回复数字选择：\n1. 政策咨询\n2. 企业诉求"
    assert options == ["/ask_policy", "/file_appeal"]
    assert render_turn([{"custom": {"type": "policy_answer"}}]) == ("", [])


def test_chosen_option() -> None:
    options = ["/a", "/b"]
    assert chosen_option(" 1 ", options) == "/a"
    assert chosen_option("２", options) == "/b"
    assert chosen_option("2.", options) == "/b"
    for text in ("0", "3", "12", "一", "1 号", ""):
        assert chosen_option(text, options) is None


def test_escape_cdata() -> None:
    assert escape_cdata("a]]>b") == "a]]]]><![CDATA[>b"
    wrapped = f"<x><![CDATA[{escape_cdata('a]]>b')}]]></x>"
    assert xmltodict.parse(wrapped)["x"] == "a]]>b"


def test_ttl_cache_expires_and_stays_bounded() -> None:
    now = [0.0]
    cache: TTLCache[str, int] = TTLCache(10.0, 3, clock=lambda: now[0])
    for index, key in enumerate("abcd"):
        cache.put(key, index)
    assert len(cache) == 3 and cache.get("a") is None and cache.get("d") == 3
    now[0] = 10.5
    assert cache.get("d") is None and len(cache) == 0
    cache.put("e", 5)
    assert cache.pop("e") == 5 and cache.pop("e") is None
