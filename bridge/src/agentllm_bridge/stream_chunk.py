"""Thought summaries in a stream, and one id for all chunks of an answer, through LiteLLM.

Text, tool cards, status events, finish reasons and usage travel as `GenericStreamingChunk`s
(handler.py), which LiteLLM turns into OpenAI chunks itself. A `GenericStreamingChunk` has no field for a
thought summary, so a chunk with `reasoning_content` goes as a `ModelResponseStream`, which
LiteLLM passes on as it is (`delta.reasoning_content` at the client).

Ids: LiteLLM gives its chunks the id of the last `ModelResponseStream` it saw, and otherwise one
it made up at the first chunk; a `ModelResponseStream` built without an id gets a new random
one. So every `ModelResponseStream` here carries the runtime's completion id, and the stream's
first chunk (the runtime's role chunk) is one as well: from it on LiteLLM stamps that id on
the chunks it builds, and all chunks of one answer share it.
"""

import time

from litellm.types.utils import Delta, GenericStreamingChunk, ModelResponseStream, StreamingChoices

from agentllm_bridge.status_event import status_event
from agentllm_bridge.wire import ChatCompletionChunk

# What the bridge's stream generators yield to LiteLLM for one runtime chunk.
BridgeChunk = GenericStreamingChunk | ModelResponseStream


class StreamChunks:
    """Maps the chunks of one runtime stream, in order; one instance per answer."""

    def __init__(self, model: str) -> None:
        # The name LiteLLM gives the chunks it builds (the agent, without the provider).
        self._model = model
        self._id: str | None = None
        self._created: int | None = None

    def as_stream_chunk(self, chunk: ChatCompletionChunk) -> ModelResponseStream | None:
        """The chunk as a `ModelResponseStream`, or None when a `GenericStreamingChunk` serves."""
        choices = chunk.get("choices") or []
        choice = choices[0] if choices else {}
        delta = choice.get("delta") or {}
        reasoning = delta.get("reasoning_content")
        first = self._id is None
        if first:
            raw_id = chunk.get("id")
            # The runtime always sends one; without it, pin LiteLLM's own kind of id.
            self._id = raw_id if isinstance(raw_id, str) and raw_id else ModelResponseStream().id
            raw_created = chunk.get("created")
            self._created = raw_created if isinstance(raw_created, int) else int(time.time())
        if (first or reasoning) and status_event(chunk) is None and not chunk.get("usage"):
            return ModelResponseStream(
                id=self._id,
                created=self._created,
                model=self._model,
                choices=[
                    StreamingChoices(
                        index=choice.get("index", 0),
                        delta=Delta(
                            role=delta.get("role"),
                            content=delta.get("content") or None,
                            reasoning_content=reasoning if isinstance(reasoning, str) and reasoning else None,
                        ),
                        finish_reason=choice.get("finish_reason"),
                    )
                ],
            )
        return None
