"""Fewer, larger chunks when LiteLLM reads slower than the runtime streams.

LiteLLM pays a fixed cost per chunk (CustomStreamWrapper builds, logs and serializes each one),
so at many streams it falls behind and deltas wait in the bridge. `prefetch` reads the runtime's
stream in its own task into a bounded queue; each time LiteLLM asks for a chunk it gets the next
one, with the plain text deltas already waiting behind it merged in. Nothing ever waits for a
merge: when the queue is empty the chunk goes alone, so a stream LiteLLM keeps up with stays
token by token.

Only a delta that is text alone (`content`, or `reasoning_content`, never both) of the same
choice and id merges, and only with the same kind. A role chunk, a tool card, a status event, a
finish reason, usage, an error or anything with other fields stays its own chunk, in order.
"""

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Literal

import anyio

from agentllm_bridge.wire import ChatCompletionChunk, Delta

# A merged chunk's text stops growing here (a single longer delta is passed on as it is). Large
# enough that at 100 streams a chunk carries many Gemini deltas (tens of characters each), small
# enough that a client catching up still renders in steps, not one jump.
MAX_MERGED_CHARS = 1024
# Chunks read ahead of LiteLLM per stream. Past it the reader stops reading, so a stalled
# consumer pushes back on the runtime through TCP instead of filling the bridge's memory.
MAX_WAITING_CHUNKS = 256

# The fields a text-only chunk may carry; anything else (usage, event, ...) keeps it apart.
_PLAIN_KEYS = frozenset({"id", "object", "created", "model", "choices", "system_fingerprint"})
# How the runtime starts a tool card in `content` (tool-card.ts): a card is never merged.
_CARD_MARK = "<details"

TextKind = Literal["content", "reasoning_content"]


@dataclass(frozen=True)
class _End:
    error: BaseException | None = None


def text_kind(chunk: ChatCompletionChunk) -> TextKind | None:
    """Which text a chunk carries alone, or None when it must stay a chunk of its own."""
    if not chunk.keys() <= _PLAIN_KEYS:
        return None
    choices = chunk.get("choices")
    if not isinstance(choices, list) or len(choices) != 1 or not isinstance(choices[0], dict):
        return None
    choice = choices[0]
    if choice.get("finish_reason") is not None or not choice.keys() <= {"index", "delta", "finish_reason", "logprobs"}:
        return None
    if choice.get("logprobs") is not None:
        return None
    delta = choice.get("delta")
    if not isinstance(delta, dict) or len(delta) != 1:
        return None
    kind, text = next(iter(delta.items()))
    if kind == "content" and isinstance(text, str) and text and _CARD_MARK not in text:
        return "content"
    if kind == "reasoning_content" and isinstance(text, str) and text:
        return "reasoning_content"
    return None


def _text(chunk: ChatCompletionChunk, kind: TextKind) -> str:
    text = chunk["choices"][0]["delta"][kind]
    assert isinstance(text, str)  # text_kind checked it
    return text


def _same_stream(a: ChatCompletionChunk, b: ChatCompletionChunk) -> bool:
    return a.get("id") == b.get("id") and a["choices"][0].get("index", 0) == b["choices"][0].get("index", 0)


def _with_text(chunk: ChatCompletionChunk, kind: TextKind, text: str) -> ChatCompletionChunk:
    delta: Delta = {"content": text} if kind == "content" else {"reasoning_content": text}
    return {**chunk, "choices": [{**chunk["choices"][0], "delta": delta}]}


async def prefetch(
    chunks: AsyncGenerator[ChatCompletionChunk, None],
    *,
    max_chars: int = MAX_MERGED_CHARS,
    max_waiting: int = MAX_WAITING_CHUNKS,
) -> AsyncGenerator[ChatCompletionChunk, None]:
    """The chunks of `chunks` in order, text deltas already waiting merged into the one before."""
    queue: asyncio.Queue[ChatCompletionChunk | _End] = asyncio.Queue(max_waiting)

    # The reader runs in its own anyio cancel scope: stopping it by that scope (not Task.cancel)
    # lets httpx close the runtime connection while the proxy's own scope is being cancelled.
    stop = anyio.CancelScope()

    async def read() -> None:
        with stop:
            try:
                async for chunk in chunks:
                    await queue.put(chunk)
            except Exception as exc:  # handed to the consumer, raised there in order
                await queue.put(_End(exc))
            else:
                await queue.put(_End())
            finally:
                # Stopped at a `put` the upstream generator is suspended at its `yield`: closing it
                # closes the runtime response, so the runtime aborts the agent run.
                with anyio.CancelScope(shield=True):
                    await chunks.aclose()

    reader = asyncio.create_task(read())
    held: ChatCompletionChunk | _End | None = None
    try:
        while True:
            item = held if held is not None else await queue.get()
            held = None
            if isinstance(item, _End):
                if item.error is not None:
                    raise item.error
                return
            kind = text_kind(item)
            if kind is not None:
                parts = [_text(item, kind)]
                size = len(parts[0])
                # Only what is already queued: never wait for more.
                while size < max_chars and not queue.empty():
                    nxt = queue.get_nowait()
                    if isinstance(nxt, _End) or text_kind(nxt) != kind or not _same_stream(item, nxt):
                        held = nxt
                        break
                    text = _text(nxt, kind)
                    if size + len(text) > max_chars:
                        held = nxt
                        break
                    parts.append(text)
                    size += len(text)
                if len(parts) > 1:
                    item = _with_text(item, kind, "".join(parts))
            yield item
    finally:
        stop.cancel()
        # Shielded: the consumer may be in a cancelled scope (client gone); wait for the close.
        with anyio.CancelScope(shield=True):
            await reader
