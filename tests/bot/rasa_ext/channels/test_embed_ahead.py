"""The message is embedded on the worker thread, before the Rasa server handles it."""

from __future__ import annotations

import asyncio
import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from bot import embedding
from bot.rasa_ext.channels import embed_ahead
from bot.rasa_ext.channels.embed_ahead import embedding_first, wanted


@dataclass
class Message:
    text: str | None


def test_only_text_the_nlu_graph_embeds_is_wanted() -> None:
    assert wanted("小规模纳税人增值税能少交吗")
    # Rasa 3.6 runs the NLU graph, the featurizer included, on payloads too.
    assert wanted("/file_appeal")
    assert wanted('/choose_policy{"entry": "tax-vat"}')
    assert not wanted("   ")
    assert not wanted(None)


def _record(monkeypatch: pytest.MonkeyPatch, fail: bool = False) -> list[tuple[str, str]]:
    calls: list[tuple[str, str]] = []

    def fake_embed(text: str) -> None:
        calls.append(("embed", threading.current_thread().name))
        if fail:
            raise RuntimeError("engine")

    monkeypatch.setattr(embedding, "embed", fake_embed)
    return calls


def _handle(texts: list[str | None], calls: list[tuple[str, str]]) -> None:
    async def on_new_message(message: Message) -> str:
        calls.append(("handle", str(message.text)))
        return "done"

    async def main() -> None:
        handle = embedding_first(on_new_message)
        for text in texts:
            assert await handle(Message(text)) == "done"

    asyncio.run(main())


def test_embeds_on_the_worker_thread_then_handles(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _record(monkeypatch)
    _handle(["公司注销要多久"], calls)
    assert calls[0][0] == "embed" and calls[0][1].startswith("embed-ahead")
    assert calls[0][1] != threading.main_thread().name
    assert calls[1] == ("handle", "公司注销要多久")


def test_blank_text_is_handled_without_embedding(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _record(monkeypatch)
    _handle(["", "  ", None], calls)
    assert [c[0] for c in calls] == ["handle", "handle", "handle"]


def test_payloads_are_embedded_first_too(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _record(monkeypatch)
    _handle(["/file_appeal"], calls)
    assert [c[0] for c in calls] == ["embed", "handle"]


def test_a_failed_embedding_still_handles_the_message(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _record(monkeypatch, fail=True)
    _handle(["人才服务卡怎么申请"], calls)
    assert [c[0] for c in calls] == ["embed", "handle"]


def test_the_featurizer_then_finds_the_vector_without_encoding() -> None:
    text = "嘉定区的企业服务专员多久上门一次"
    before = embedding.encoded()
    asyncio.run(embed_ahead.embed_ahead(text))
    assert embedding.encoded() == before + 1
    embedding.embed(text)  # what E5Featurizer and KbRouter call on the event loop
    assert embedding.encoded() == before + 1


@pytest.mark.parametrize(
    ("module", "make"),
    [
        ("bot.rasa_ext.channels.rest", lambda m: m.LimitedRestInput()),
        ("bot.rasa_ext.channels.socketio", lambda m: m.ProjectSocketIOInput()),
        ("bot.rasa_ext.channels.wechat.channel", lambda m: m.WeChatInput.from_credentials({})),
    ],
)
def test_every_input_channel_embeds_first(
    monkeypatch: pytest.MonkeyPatch, module: str, make: Callable[[Any], Any]
) -> None:
    channel_module = importlib.import_module(module)
    wrapped: list[object] = []

    def record(on_new_message: object) -> object:
        wrapped.append(on_new_message)
        return on_new_message

    monkeypatch.setattr(channel_module, "embedding_first", record)

    async def on_new_message(_: object) -> None:
        return None

    make(channel_module).blueprint(on_new_message)
    assert wrapped == [on_new_message]
