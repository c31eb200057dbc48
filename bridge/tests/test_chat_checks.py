"""Shapes of `messages` LiteLLM crashes on, agent-only rules, and the chat-only endpoint rule."""

from typing import Any

import pytest

from agentllm_bridge.chat_checks import check_chat_request, check_endpoint
from agentllm_bridge.client_fault import ClientFault

AGENT = "agno/demo-agent"


def chat(**extra: Any) -> dict[str, Any]:
    return {"model": AGENT, "messages": [{"role": "user", "content": "hi"}], **extra}


def says(content: Any) -> dict[str, Any]:
    return chat(messages=[{"role": "user", "content": content}])


@pytest.mark.parametrize(
    ("body", "param", "message"),
    [
        (chat(messages=5), "messages", "must be an array"),
        (chat(messages={"role": "user"}), "messages", "must be an array"),
        (chat(messages=[5]), "messages.0", "must be an object"),
        (chat(messages=[None]), "messages.0", "must be an object"),
        (chat(messages=[{"role": 5, "content": "hi"}]), "messages.0.role", "must be a string"),
        (says(42), "messages.0.content", "must be a string, an array of content parts, or null"),
        (says(True), "messages.0.content", "must be a string, an array of content parts, or null"),
        (says({"type": "text", "text": "hi"}), "messages.0.content", "must be a string, an array"),
        (says([5]), "messages.0.content.0", "must be a content part object"),
        (says([{"text": "hi"}]), "messages.0.content.0.type", "must be a string"),
        (says([{"type": "hologram"}]), "messages.0.content.0.type", "unknown content part type 'hologram'"),
        (says([{"type": "text", "text": 5}]), "messages.0.content.0.text", "must be a string"),
        (chat(api_base="http://elsewhere"), "api_base", "not accepted in the request body"),
        (chat(base_url="http://elsewhere"), "base_url", "not accepted in the request body"),
        (chat(n=2), "n", "only n=1 is supported"),
        (chat(n=0), "n", "only n=1 is supported"),
        (chat(n=True), "n", "only n=1 is supported"),
    ],
)
def test_refused(body: dict[str, Any], param: str, message: str) -> None:
    with pytest.raises(ClientFault) as caught:
        check_chat_request(body)
    assert caught.value.status == 400
    assert caught.value.param == param
    assert message in caught.value.message


@pytest.mark.parametrize(
    "body",
    [
        chat(),
        chat(n=1),
        chat(n=None),
        says(None),
        says([{"type": "text", "text": "hi"}, {"type": "image_url", "image_url": {"url": "data:,"}}]),
        chat(messages=[{"role": "assistant", "content": [{"type": "refusal", "refusal": "no"}]}]),
        {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "hi"}], "n": 2},  # LiteLLM's call
        {"model": AGENT},  # a missing `messages` is LiteLLM's own clean 400
    ],
)
def test_accepted(body: dict[str, Any]) -> None:
    check_chat_request(body)


@pytest.mark.parametrize(
    "path",
    ["/v1/embeddings", "/v1/images/generations", "/v1/audio/speech", "/v1/rerank", "/v1/completions", "/v1/responses"],
)
def test_agents_are_chat_only(path: str) -> None:
    with pytest.raises(ClientFault) as caught:
        check_endpoint(path, {"model": AGENT, "input": "hi"})
    assert caught.value.status == 400
    assert caught.value.param == "model"
    assert f"model {AGENT} is chat-only" in caught.value.message


@pytest.mark.parametrize(
    ("path", "model"),
    [("/v1/chat/completions", AGENT), ("/chat/completions/", AGENT), ("/v1/embeddings", "gemini-2.5-flash")],
)
def test_other_endpoints_pass(path: str, model: str) -> None:
    check_endpoint(path, {"model": model})
