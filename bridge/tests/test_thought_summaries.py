"""Thought summaries: the runtime's `reasoning_content` reaches LiteLLM's client apart from the answer."""

from typing import Any

import litellm
import pytest
from litellm.types.utils import ModelResponseStream

from agentllm_bridge.stream_chunk import StreamChunks
from tests.fake_runtime import FakeRuntime, Script

pytestmark = pytest.mark.usefixtures("handler")

MESSAGES: list[dict[str, Any]] = [{"role": "user", "content": "Which issues are open?"}]
THOUGHT = "The user wants open issues, so I search Jira first."
TEXT = "Two issues are open."
STATUSES = [
    {"type": "status", "data": {"description": "Searching Jira…", "done": False}},
    {"type": "status", "data": {"description": "Searching Jira…", "done": True}},
]


def reasoning_of(chunks: list[Any]) -> str:
    # LiteLLM's Delta drops the attribute when it is None.
    return "".join(getattr(c.choices[0].delta, "reasoning_content", None) or "" for c in chunks if c.choices)


def assert_separate(chunks: list[Any]) -> None:
    reasoning = reasoning_of(chunks)
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert reasoning == THOUGHT
    assert content == TEXT
    # The runtime's completion id on every chunk, LiteLLM's own ones included (finish, usage).
    assert {c.id for c in chunks} == {"chatcmpl-fake"}
    assert len({c.created for c in chunks}) == 1
    assert [c.event for c in chunks if getattr(c, "event", None) is not None] == STATUSES
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["stop"]


async def test_astreaming_carries_reasoning_content_apart_from_the_text(runtime: FakeRuntime) -> None:
    runtime.reset(Script(text=TEXT, reasoning=THOUGHT, events=STATUSES))
    stream = await litellm.acompletion(
        model="agno/demo-agent", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
    )
    chunks = [c async for c in stream]
    assert_separate(chunks)
    assert chunks[-1].usage.total_tokens == 18


def test_streaming_carries_reasoning_content_apart_from_the_text(runtime: FakeRuntime) -> None:
    runtime.reset(Script(text=TEXT, reasoning=THOUGHT, events=STATUSES))
    assert_separate(list(litellm.completion(model="agno/demo-agent", messages=MESSAGES, stream=True)))


async def test_a_stream_without_thoughts_keeps_one_id_and_has_no_reasoning(runtime: FakeRuntime) -> None:
    runtime.reset(Script(text=TEXT))
    stream = await litellm.acompletion(model="agno/demo-agent", messages=MESSAGES, stream=True)
    chunks = [c async for c in stream]
    assert {c.id for c in chunks} == {"chatcmpl-fake"}
    assert reasoning_of(chunks) == ""
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == TEXT


@pytest.mark.parametrize("use_async", [False, True])
async def test_non_stream_answer_carries_message_reasoning_content(runtime: FakeRuntime, use_async: bool) -> None:
    runtime.reset(Script(text=TEXT, reasoning=THOUGHT))
    if use_async:
        response = await litellm.acompletion(model="agno/demo-agent", messages=MESSAGES)
    else:
        response = litellm.completion(model="agno/demo-agent", messages=MESSAGES)
    message = response.choices[0].message
    assert message.content == TEXT
    assert message.reasoning_content == THOUGHT


async def test_non_stream_answer_without_thoughts_has_no_reasoning_content(runtime: FakeRuntime) -> None:
    runtime.reset(Script(text=TEXT))
    response = await litellm.acompletion(model="agno/demo-agent", messages=MESSAGES)
    assert response.choices[0].message.content == TEXT
    assert getattr(response.choices[0].message, "reasoning_content", None) is None


def test_the_first_chunk_pins_the_runtime_id_and_later_plain_chunks_stay_generic() -> None:
    chunks = StreamChunks("demo-agent")
    first = chunks.as_stream_chunk(
        {"id": "chatcmpl-1", "created": 7, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}
    )
    assert isinstance(first, ModelResponseStream)
    assert (first.id, first.created, first.model) == ("chatcmpl-1", 7, "demo-agent")
    assert chunks.as_stream_chunk({"id": "chatcmpl-1", "choices": [{"index": 0, "delta": {"content": "Hi"}}]}) is None
    thought = chunks.as_stream_chunk({"id": "other", "choices": [{"index": 0, "delta": {"reasoning_content": "Hmm"}}]})
    assert isinstance(thought, ModelResponseStream)
    assert (thought.id, thought.created) == ("chatcmpl-1", 7)
    assert thought.choices[0].delta.reasoning_content == "Hmm"


def test_a_first_chunk_without_an_id_gets_one_that_later_chunks_share() -> None:
    chunks = StreamChunks("demo-agent")
    first = chunks.as_stream_chunk({"choices": [{"index": 0, "delta": {"role": "assistant"}}]})
    thought = chunks.as_stream_chunk({"choices": [{"index": 0, "delta": {"reasoning_content": "Hmm"}}]})
    assert first is not None and thought is not None
    assert first.id and first.id == thought.id
