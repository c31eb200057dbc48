"""The OpenAI wire shapes the bridge sends to and reads from the runtime.

Only the fields the bridge touches are declared (depend on the slice you use); the runtime may
send more and they are ignored.
"""

from typing import Any, NotRequired, TypedDict


class StreamOptions(TypedDict):
    include_usage: bool


class ChatRequest(TypedDict):
    """Body of `POST /v1/chat/completions` to the runtime."""

    model: str
    messages: list[Any]
    stream: bool
    stream_options: NotRequired[StreamOptions]
    temperature: NotRequired[float]
    max_tokens: NotRequired[int]
    top_p: NotRequired[float]
    stop: NotRequired[str | list[str]]


class PromptTokensDetails(TypedDict, total=False):
    # Of prompt_tokens, those Gemini served from its implicit prefix cache.
    cached_tokens: int


class CompletionTokensDetails(TypedDict, total=False):
    # Of completion_tokens, those Gemini spent thinking.
    reasoning_tokens: int


class Usage(TypedDict):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    prompt_tokens_details: NotRequired[PromptTokensDetails]
    completion_tokens_details: NotRequired[CompletionTokensDetails]


class Message(TypedDict, total=False):
    role: str
    content: str | None
    # The model's thought summary, apart from the answer (only when the agent thinks).
    reasoning_content: str | None


class Choice(TypedDict, total=False):
    index: int
    message: Message
    finish_reason: str | None


class ChatCompletion(TypedDict, total=False):
    """A non-stream reply (`object: chat.completion`)."""

    id: str
    model: str
    choices: list[Choice]
    usage: Usage


class Delta(TypedDict, total=False):
    role: str
    content: str | None
    reasoning_content: str | None


class ChunkChoice(TypedDict, total=False):
    index: int
    delta: Delta
    finish_reason: str | None


class StatusData(TypedDict):
    description: str
    done: bool


class StatusEvent(TypedDict):
    """What the user is told while a tool runs; Open WebUI's `status` event shape."""

    type: str
    data: StatusData


class ChatCompletionChunk(TypedDict, total=False):
    """One SSE `data:` event of a stream (`object: chat.completion.chunk`)."""

    id: str
    created: int
    choices: list[ChunkChoice]
    usage: Usage | None
    # Only on the runtime's status chunks (their delta is empty); see status_event.py.
    event: StatusEvent


class ErrorDetail(TypedDict, total=False):
    message: str
    type: str
    code: str | int | None
    param: str | None


class ErrorBody(TypedDict):
    """`{"error": {...}}`: a non-2xx body, or the one event of a failed stream."""

    error: ErrorDetail
