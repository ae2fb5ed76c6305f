"""Try the WeChat webhook locally, as WeChat's servers would call it.

    WECHAT_TOKEN=... make run            # in one terminal (any token: it only has to match)
    .venv/bin/python -m tools.wechat_try "小规模纳税人增值税有减免吗"

Signs a plaintext text message with WECHAT_TOKEN (SHA1 of the sorted token, timestamp and
nonce, WeChat's scheme), POSTs it to /webhooks/wechat/webhook and prints the reply's text
(or `success` when the answer goes through the customer-service API instead).
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time

import requests
import xmltodict

from bot.rasa_ext.channels.wechat.security import sign
from bot.settings import get_settings

ACCOUNT = "gh_local_account"


def message_xml(text: str, openid: str, msg_id: int, now: int) -> str:
    """Return a text message in WeChat's XML."""
    content = text.replace("]]>", "]]]]><![CDATA[>")
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{now}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


def try_message(url: str, token: str, text: str, openid: str = "local-tester") -> str:
    """Send ``text`` signed with ``token``; return the reply's text (or the raw body)."""
    now = int(time.time())
    nonce = secrets.token_hex(8)
    params = {"signature": sign(token, str(now), nonce), "timestamp": str(now), "nonce": nonce}
    body = message_xml(text, openid, secrets.randbelow(10**15), now)
    reply = requests.post(url, params=params, data=body.encode("utf-8"), timeout=15)
    reply.raise_for_status()
    if not reply.text.lstrip().startswith("<xml>"):
        return reply.text
    return str(xmltodict.parse(reply.text)["xml"].get("Content") or "")


def main(argv: list[str] | None = None) -> int:
    """Send one message and print the answer."""
    settings = get_settings()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("text", help="what the user types in WeChat")
    parser.add_argument(
        "--url",
        default=f"http://{settings.host}:{settings.rasa_port}/webhooks/wechat/webhook",
    )
    parser.add_argument("--openid", default="local-tester", help="the user (sender id)")
    args = parser.parse_args(argv)
    if not settings.wechat_token:
        print("set WECHAT_TOKEN (the same value for `make run` and this command)", file=sys.stderr)
        return 1
    print(try_message(args.url, settings.wechat_token, args.text, args.openid))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
