"""Merging the text deltas that wait while LiteLLM is busy; one chunk per delta when none wait.

No timing: the pure tests feed a source that never waits (everything is queued before the
consumer looks); the LiteLLM tests decide when the fake runtime writes (all at once, or one
delta per chunk the consumer has received).
"""

import asyncio
import logging
import threading
from collections.abc import AsyncGenerator, Iterator
from typing import Any

import anyio
import litellm
import pytest

from agentllm_bridge.chunk_merge import MAX_MERGED_CHARS, MAX_WAITING_CHUNKS, prefetch, text_kind
from agentllm_bridge.errors import BRIDGE_ERRORS, malformed_reply
from agentllm_bridge.wire import ChatCompletionChunk
from tests.fake_runtime import FakeRuntime, Script, chunk, words

MESSAGES = [{"role": "user", "content": "hi"}]
STATUS = {"type": "status", "data": {"description": "Searching Jira…", "done": False}}
DONE_STATUS = {"type": "status", "data": {"description": "Searching Jira…", "done": True}}
CARD = '\n<details type="tool_calls" done="true" id="c1" name="jira">\n<summary>Tool Executed</summary>\n</details>\n'
USAGE = {"prompt_tokens": 3, "completion_tokens": 9, "total_tokens": 12}


def text(part: str, kind: str = "content", cid: str = "chatcmpl-1") -> ChatCompletionChunk:
    c: Any = {**chunk("m", {kind: part}), "id": cid}
    return c  # type: ignore[no-any-return]


def special(**fields: Any) -> ChatCompletionChunk:
    c: Any = {**chunk("m", {}), "id": "chatcmpl-1", **fields}
    return c  # type: ignore[no-any-return]


def finish() -> ChatCompletionChunk:
    c: Any = {**chunk("m", {}, "stop"), "id": "chatcmpl-1"}
    return c  # type: ignore[no-any-return]


async def source(
    items: list[ChatCompletionChunk], error: Exception | None = None, closed: list[bool] | None = None
) -> AsyncGenerator[ChatCompletionChunk, None]:
    try:
        for item in items:
            yield item
        if error is not None:
            raise error
    finally:
        if closed is not None:
            closed.append(True)


async def drain(items: list[ChatCompletionChunk], **kwargs: Any) -> list[ChatCompletionChunk]:
    return [c async for c in prefetch(source(items), **kwargs)]


def delta(c: ChatCompletionChunk) -> Any:
    return c["choices"][0]["delta"] if c.get("choices") else None


async def test_waiting_text_merges_and_nothing_else_moves() -> None:
    role = text("", "role")
    role["choices"][0]["delta"] = {"role": "assistant", "content": ""}
    status = special(event=STATUS)
    usage = special(choices=[], usage=USAGE)
    items = [role, status, text("a"), text("b"), text("c"), text(CARD), text("d"), status, text("e"), finish(), usage]
    out = await drain(items)
    assert out == [
        role,
        status,
        text("abc"),
        text(CARD),
        text("d"),
        status,
        text("e"),
        finish(),
        usage,
    ]


async def test_reasoning_and_answer_merge_apart() -> None:
    items = [text("x", "reasoning_content"), text("y", "reasoning_content"), text("1"), text("2")]
    assert [delta(c) for c in await drain(items)] == [{"reasoning_content": "xy"}, {"content": "12"}]


async def test_other_ids_and_choices_do_not_merge() -> None:
    other_choice = text("c")
    other_choice["choices"][0]["index"] = 1
    items = [text("a"), text("b", cid="chatcmpl-2"), other_choice]
    assert await drain(items) == items


async def test_a_merged_chunk_stops_at_the_limit() -> None:
    half = "x" * (MAX_MERGED_CHARS // 2)
    out = await drain([text(half), text(half), text("y")])
    assert [delta(c)["content"] for c in out] == [half * 2, "y"]
    assert len(delta(out[0])["content"]) == MAX_MERGED_CHARS
    # A single delta past the limit goes as it is, never cut.
    long = "z" * (MAX_MERGED_CHARS + 1)
    assert [delta(c)["content"] for c in await drain([text("a"), text(long), text("b")])] == ["a", long, "b"]


async def test_at_most_max_waiting_are_read_ahead() -> None:
    items = [text(str(i % 10)) for i in range(3 * MAX_WAITING_CHUNKS)]
    out = await drain(items, max_chars=10**6)
    assert "".join(delta(c)["content"] for c in out) == "".join(delta(c)["content"] for c in items)
    # The reader stops at a full queue, so one chunk holds at most what the queue held.
    assert len(out) >= 3
    assert all(len(delta(c)["content"]) <= MAX_WAITING_CHUNKS for c in out)


async def test_an_error_comes_after_the_text_before_it() -> None:
    got: list[ChatCompletionChunk] = []
    with pytest.raises(BRIDGE_ERRORS) as caught:
        async for c in prefetch(source([text("a"), text("b")], error=malformed_reply("cut"))):
            got.append(c)
    assert got == [text("ab")]
    assert "cut" in str(caught.value)


async def test_closing_early_closes_the_upstream() -> None:
    closed: list[bool] = []
    stream = prefetch(source([text("a"), finish(), text("b")], closed=closed))
    assert await anext(stream) == text("a")
    await stream.aclose()
    assert closed == [True]


def test_only_plain_text_merges() -> None:
    assert text_kind(text("a")) == "content"
    assert text_kind(text("a", "reasoning_content")) == "reasoning_content"
    both = text("a")
    both["choices"][0]["delta"]["reasoning_content"] = "b"
    assert text_kind(both) is None
    assert text_kind(text("")) is None
    assert text_kind(text(CARD)) is None
    assert text_kind(finish()) is None
    assert text_kind(special(event=STATUS)) is None
    assert text_kind(special(choices=text("a")["choices"], usage=USAGE)) is None
    assert text_kind(special(choices=[])) is None


# Through LiteLLM, against the fake runtime.


@pytest.fixture
def upstream_done() -> Iterator[threading.Event]:
    """Set when the bridge has read a runtime stream to its end (its debug line says so)."""
    done = threading.Event()

    class Watch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.getMessage().startswith("runtime stream closed"):
                done.set()

    logger = logging.getLogger("agentllm_bridge")
    watch, level = Watch(), logger.level
    logger.addHandler(watch)
    logger.setLevel(logging.DEBUG)
    yield done
    logger.removeHandler(watch)
    logger.setLevel(level)


def script_chunks(parts: list[str]) -> list[dict[str, Any]]:
    status = [{**chunk("m", {}), "event": e} for e in (STATUS, DONE_STATUS)]
    middle = len(parts) // 2
    texts = [chunk("m", {"content": p}) for p in parts]
    return [
        *texts[:middle],
        status[0],
        chunk("m", {"content": CARD}),
        status[1],
        *texts[middle:],
        chunk("m", {}, "stop"),
        {**chunk("m", {}), "choices": [], "usage": USAGE},
    ]


@pytest.mark.usefixtures("handler")
async def test_a_fast_runtime_and_a_slow_consumer_give_fewer_larger_chunks(
    runtime: FakeRuntime, upstream_done: threading.Event
) -> None:
    parts = words(" ".join(f"word{i}" for i in range(60)))
    runtime.reset(Script(chunks=script_chunks(parts)))
    stream = await litellm.acompletion(
        model="agno/demo-agent", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
    )
    first = await anext(stream)
    # The consumer is busy until the bridge holds the whole answer.
    assert await asyncio.to_thread(upstream_done.wait, 20)
    rest = [c async for c in stream]
    chunks = [first, *rest]
    contents = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    events = [c.event for c in chunks if getattr(c, "event", None) is not None]
    assert "".join(contents) == "".join(parts[:30]) + CARD + "".join(parts[30:])
    assert len(contents) < len(parts) // 4
    assert CARD in contents  # its own chunk, between the halves
    assert contents.index(CARD) not in (0, len(contents) - 1)
    assert events == [STATUS, DONE_STATUS]
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["stop"]
    assert getattr(chunks[-1], "usage", None) is not None
    assert chunks[-1].usage.total_tokens == 12
    assert len({c.id for c in chunks}) == 1


@pytest.mark.usefixtures("handler")
async def test_a_slow_runtime_and_a_fast_consumer_give_one_chunk_per_delta(runtime: FakeRuntime) -> None:
    parts = words("one two three four five six seven eight")
    gate = threading.Semaphore(0)
    runtime.reset(Script(chunks=[chunk("m", {"content": p}) for p in parts] + [chunk("m", {}, "stop")], gate=gate))
    stream = await litellm.acompletion(model="agno/demo-agent", messages=MESSAGES, stream=True)
    contents: list[str] = []
    async for c in stream:
        if c.choices and c.choices[0].delta.content:
            contents.append(c.choices[0].delta.content)
            gate.release()  # only now may the runtime write the next delta
    assert contents == parts


async def test_a_cancelled_consumer_closes_an_upstream_that_is_waiting() -> None:
    # As when the proxy's client disconnects: its task group cancels the stream mid-read.
    closed: list[bool] = []

    async def waiting() -> AsyncGenerator[ChatCompletionChunk, None]:
        try:
            yield text("a")
            await asyncio.Event().wait()  # the runtime sends nothing more
        finally:
            closed.append(True)

    stream = prefetch(waiting())
    assert await anext(stream) == text("a")
    async with anyio.create_task_group() as group:
        group.start_soon(anext, stream)
        await anyio.wait_all_tasks_blocked()
        group.cancel_scope.cancel()
    await stream.aclose()
    assert closed == [True]
