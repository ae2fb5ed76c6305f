"""Signatures, the timestamp window and safe mode (bot/rasa_ext/channels/wechat/security.py),
checked with WeChat's own examples and over the served channel."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from types import SimpleNamespace

import pytest
import requests
import xmltodict
from rasa.shared.exceptions import RasaException
from wechatpy.crypto import WeChatCrypto

from bot.rasa_ext.channels.wechat.config import WeChatConfig
from bot.rasa_ext.channels.wechat.security import (
    MAX_BODY_BYTES,
    Envelope,
    Refused,
    sign,
    signature_ok,
)
from tests.bot.rasa_ext.channels.wechat.harness import (
    APP_ID,
    KEY,
    OLD_KEY,
    OTHER_KEY,
    TOKEN,
    Harness,
    answer_to,
    reply_text,
)

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


def test_envelope_refuses_a_large_body_and_passes_plain_messages_through() -> None:
    envelope = Envelope(WeChatConfig(token=TOKEN), clock=time.time)
    large = SimpleNamespace(args={}, body=b"x" * (MAX_BODY_BYTES + 1))
    with pytest.raises(Refused) as refused:
        envelope.open(large)
    assert refused.value.status == 413
    plain = SimpleNamespace(args={}, body="<xml>问题</xml>".encode())
    assert envelope.open(plain) == ("<xml>问题</xml>", False)
    assert envelope.seal("<xml/>", False, "1320562132") == "<xml/>"


def test_envelope_seals_a_safe_mode_reply_under_the_current_key() -> None:
    config = WeChatConfig(token=TOKEN, app_id=APP_ID, encoding_aes_key=KEY)
    sealed = Envelope(config, clock=time.time).seal("<xml>答复</xml>", True, "1320562132")
    doc = xmltodict.parse(sealed)["xml"]
    assert "答复" not in sealed and doc["Nonce"] == "1320562132"
    crypto = WeChatCrypto(TOKEN, KEY, APP_ID)
    opened = crypto.decrypt_message(sealed, doc["MsgSignature"], doc["TimeStamp"], doc["Nonce"])
    assert opened == "<xml>答复</xml>"


def test_envelope_refuses_a_key_of_the_wrong_length() -> None:
    with pytest.raises(RasaException, match="43 characters"):
        Envelope(WeChatConfig(token=TOKEN, encoding_aes_key=KEY[:-1]), clock=time.time)
