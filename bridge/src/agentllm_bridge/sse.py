"""Server-sent events as the runtime writes them: `data: {json}` events, `data: [DONE]` last.

litellm[proxy] ships no SSE client parser (only sse-starlette, a server), so this is the small
subset of the SSE spec the runtime uses: `data:` lines joined per event, events end at a blank
line, comments and other fields ignored. A `{"error": ...}` event raises; [DONE] ends the stream.
"""

import json
from collections.abc import AsyncIterator, Iterator

from agentllm_bridge.errors import from_stream_event, malformed_reply, stream_ended_early
from agentllm_bridge.wire import ChatCompletionChunk

DONE = "[DONE]"


class SseDecoder:
    """Feed lines (without their line ending); returns each complete event's data."""

    def __init__(self) -> None:
        self._data: list[str] = []

    def feed(self, line: str) -> str | None:
        if line == "":
            if not self._data:
                return None
            data = "\n".join(self._data)
            self._data = []
            return data
        if line.startswith(":"):
            return None  # comment / keep-alive
        field, _, value = line.partition(":")
        if field == "data":
            self._data.append(value[1:] if value.startswith(" ") else value)
        return None

    def flush(self) -> str | None:
        """An event left open when the connection ended (no trailing blank line)."""
        return self.feed("")


def parse_event(data: str) -> ChatCompletionChunk | None:
    """One event's data -> a chunk, None for [DONE]; an error event raises the bridge error."""
    if data.strip() == DONE:
        return None
    try:
        payload = json.loads(data)
    except ValueError as exc:
        raise malformed_reply(f"SSE event is not JSON: {data[:200]!r}") from exc
    if not isinstance(payload, dict):
        raise malformed_reply("SSE event is not a JSON object")
    error = payload.get("error")
    if isinstance(error, dict):
        raise from_stream_event(error)
    chunk: ChatCompletionChunk = payload  # type: ignore[assignment]  # checked field by field on use
    return chunk


def iter_chunks(lines: Iterator[str]) -> Iterator[ChatCompletionChunk]:
    decoder = SseDecoder()
    for line in lines:
        data = decoder.feed(line)
        if data is None:
            continue
        chunk = parse_event(data)
        if chunk is None:
            return
        yield chunk
    tail = decoder.flush()
    if tail is not None and parse_event(tail) is None:
        return
    raise stream_ended_early()


async def aiter_chunks(lines: AsyncIterator[str]) -> AsyncIterator[ChatCompletionChunk]:
    decoder = SseDecoder()
    async for line in lines:
        data = decoder.feed(line)
        if data is None:
            continue
        chunk = parse_event(data)
        if chunk is None:
            return
        yield chunk
    tail = decoder.flush()
    if tail is not None and parse_event(tail) is None:
        return
    raise stream_ended_early()
