"""The WeChat channel served in process, for its tests: a real Sanic server (Rasa's channel
registration, a fake bot instead of the agent) on a free port, WeChat's side played with
wechatpy, and the customer-service API played by ``tests/support/fake_wechat.py``.

The fixtures (``fake_api``, ``make_harness``, ``wechat``) reach the tests of this folder through
its conftest.py; tests elsewhere import them from here."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
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

from bot.limits.rate import RateLimiter
from bot.rasa_ext.channels.wechat.channel import WeChatInput
from bot.rasa_ext.channels.wechat.config import WeChatConfig
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
