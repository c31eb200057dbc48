"""The LiteLLM entry points for provider `agno`: forward to the runtime, map the answer back.

LiteLLM picks the method (`custom_chat_llm_router`): the proxy calls `acompletion`/`astreaming`,
`litellm.completion()` calls `completion`/`streaming`. LiteLLM passes every argument by keyword.
"""

import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator, Mapping
from typing import Any

import litellm
from litellm.llms.custom_llm import CustomLLM
from litellm.types.llms.openai import ChatCompletionUsageBlock
from litellm.types.utils import Choices, GenericStreamingChunk, Message, ModelResponse

from agentllm_bridge.chunk_merge import prefetch
from agentllm_bridge.errors import BRIDGE_ERRORS, malformed_reply
from agentllm_bridge.identity import CallContext, resolve_identity
from agentllm_bridge.request import PROVIDER, agent_name, build_call, request_id
from agentllm_bridge.runtime_client import RuntimeCall, RuntimeClient, RuntimeSettings
from agentllm_bridge.status_event import status_event
from agentllm_bridge.stream_chunk import BridgeChunk, StreamChunks
from agentllm_bridge.task_header import background_task
from agentllm_bridge.trace_context import trace_headers
from agentllm_bridge.wire import ChatCompletion, ChatCompletionChunk, Usage

CallKwargs = Mapping[str, Any]

logger = logging.getLogger("agentllm_bridge")


class AgnoHandler(CustomLLM):
    def __init__(self, client: RuntimeClient | None = None, settings: RuntimeSettings | None = None) -> None:
        super().__init__()
        self._client = client or RuntimeClient()
        # Once, at construction (the proxy's start): SettingsError names a missing variable.
        self.settings = settings or RuntimeSettings.from_env()

    def completion(self, *args: Any, **kwargs: Any) -> ModelResponse:
        completion = self._client.complete(_runtime_call(kwargs, self.settings, stream=False))
        return _to_model_response(completion, kwargs)

    async def acompletion(self, *args: Any, **kwargs: Any) -> ModelResponse:
        completion = await self._client.acomplete(_runtime_call(kwargs, self.settings, stream=False))
        return _to_model_response(completion, kwargs)

    # LiteLLM's stub says GenericStreamingChunk; CustomStreamWrapper takes ModelResponseStream too
    # (the only way a thought summary gets through, see stream_chunk.py).
    def streaming(self, *args: Any, **kwargs: Any) -> Iterator[BridgeChunk]:  # type: ignore[override]
        call = _runtime_call(kwargs, self.settings, stream=True)
        return _generate(self._client.stream(call), StreamChunks(agent_name(kwargs["model"])))

    # LiteLLM's stub declares a coroutine, but it calls this without awaiting and wraps the result
    # in CustomStreamWrapper, so an async iterator is what it needs. Not an `async def`: building
    # the call here raises config and identity errors before any stream exists.
    def astreaming(self, *args: Any, **kwargs: Any) -> AsyncIterator[BridgeChunk]:  # type: ignore[override]
        call = _runtime_call(kwargs, self.settings, stream=True)
        # The proxy's path: text deltas waiting while LiteLLM is busy go on as one chunk (chunk_merge.py).
        return _agenerate(prefetch(self._client.astream(call)), StreamChunks(agent_name(kwargs["model"])))


def _generate(chunks: Generator[ChatCompletionChunk, None, None], mapper: StreamChunks) -> Iterator[BridgeChunk]:
    # One chunk per upstream event, yielded as it arrives (no buffering).
    try:
        for chunk in chunks:
            yield _to_chunk(mapper, chunk)
    finally:
        # CustomStreamWrapper.close() closes this generator; close the upstream stream with it.
        chunks.close()


async def _agenerate(
    chunks: AsyncGenerator[ChatCompletionChunk, None], mapper: StreamChunks
) -> AsyncIterator[BridgeChunk]:
    try:
        async for chunk in chunks:
            yield _to_chunk(mapper, chunk)
    finally:
        # LiteLLM closes this generator when its client disconnects; close the upstream stream too.
        await chunks.aclose()


def _to_chunk(mapper: StreamChunks, chunk: ChatCompletionChunk) -> BridgeChunk:
    stream_chunk = mapper.as_stream_chunk(chunk)
    return stream_chunk if stream_chunk is not None else _to_generic_chunk(chunk)


def _runtime_call(kwargs: CallKwargs, settings: RuntimeSettings, *, stream: bool) -> RuntimeCall:
    litellm_params: Mapping[str, Any] = kwargs.get("litellm_params") or {}
    optional_params: Mapping[str, Any] = kwargs.get("optional_params") or {}
    req_id = request_id(litellm_params)
    agent = agent_name(kwargs["model"])
    # LiteLLM drops `user` from optional_params for custom providers; its logging object keeps it.
    details = getattr(kwargs.get("logging_obj"), "model_call_details", None)
    user = details.get("user") if isinstance(details, dict) else None
    context = CallContext(litellm_params=litellm_params, optional_params=optional_params, user=user)
    try:
        identity = resolve_identity(context)
    except BRIDGE_ERRORS as exc:
        # The message names the problem ("identity token expired"), never a token or an id.
        logger.warning("request rejected request_id=%s agent=%s stream=%s: %s", req_id, agent, stream, exc.message)
        raise
    call = build_call(
        model=kwargs["model"],
        messages=kwargs["messages"],
        optional_params=optional_params,
        identity=identity,
        req_id=req_id,
        stream=stream,
        settings=settings,
        task=background_task(context),
        trace=trace_headers(context),
    )
    # One line per request. Only these fields: never messages, tokens, secrets or keys.
    logger.info(
        "agent call request_id=%s agent=%s stream=%s identity=%s",
        req_id,
        agent,
        stream,
        identity.user_source,
    )
    return call


def _to_model_response(completion: ChatCompletion, kwargs: CallKwargs) -> ModelResponse:
    choices = completion.get("choices") or []
    if not choices:
        raise malformed_reply("completion has no choices")
    choice = choices[0]
    message = choice.get("message") or {}
    response: ModelResponse = kwargs.get("model_response") or ModelResponse()
    # Choices maps the finish reason onto OpenAI's set (and keeps the original if it differs).
    response.choices = [
        Choices(
            index=0,
            finish_reason=choice.get("finish_reason") or "stop",
            message=Message(
                role="assistant",
                content=message.get("content"),
                # The thought summary stays apart from the answer: `message.reasoning_content`.
                reasoning_content=message.get("reasoning_content") or None,
            ),
        )
    ]
    response.model = f"{PROVIDER}/{agent_name(kwargs['model'])}"
    response.created = int(time.time())
    usage = completion.get("usage")
    if usage is not None:
        # Real numbers from the runtime; without this LiteLLM would estimate with a tokenizer.
        response.usage = _to_litellm_usage(usage)  # type: ignore[attr-defined]
    return response


def _usage_block(usage: Usage) -> ChatCompletionUsageBlock:
    try:
        block: ChatCompletionUsageBlock = {
            "prompt_tokens": int(usage["prompt_tokens"]),
            "completion_tokens": int(usage["completion_tokens"]),
            "total_tokens": int(usage["total_tokens"]),
        }
        # LiteLLM's Usage takes OpenAI's prompt_tokens_details and reports cached_tokens on.
        cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens")
        if cached is not None:
            block["prompt_tokens_details"] = {"cached_tokens": int(cached)}
        # Thinking tokens, already counted in completion_tokens (OpenAI's convention).
        reasoning = (usage.get("completion_tokens_details") or {}).get("reasoning_tokens")
        if reasoning is not None:
            block["completion_tokens_details"] = {"reasoning_tokens": int(reasoning)}
        return block
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise malformed_reply(f"bad usage {usage!r}") from exc


def _to_litellm_usage(usage: Usage) -> litellm.Usage:
    return litellm.Usage(**_usage_block(usage))


def _to_generic_chunk(chunk: ChatCompletionChunk) -> GenericStreamingChunk:
    choices = chunk.get("choices") or []
    choice = choices[0] if choices else {}
    delta = choice.get("delta") or {}
    finish_reason = choice.get("finish_reason")
    usage = chunk.get("usage")
    generic = GenericStreamingChunk(
        text=delta.get("content") or "",
        # Only a real finish reason ends the stream; the trailing usage-only chunk (choices: [])
        # must not, or LiteLLM would record an empty finish reason.
        is_finished=bool(finish_reason),
        finish_reason=finish_reason or "",
        usage=_usage_block(usage) if usage else None,
        index=choice.get("index", 0),
        tool_use=None,
    )
    status = status_event(chunk)
    if status is not None:
        # LiteLLM keeps a chunk with provider fields even without text, and copies each field to
        # the top level of the chunk it sends: `event` is where Open WebUI looks.
        generic["provider_specific_fields"] = {"event": status}
    return generic


def configure_logging() -> None:
    """Give the `agentllm_bridge` logger a stderr handler, as LiteLLM does for its own loggers.

    The proxy configures no root handler, so without this the per-request INFO line would go
    nowhere (and warnings would reach stderr only through logging's last-resort handler).
    Records still propagate, so an application that configures logging gets them as well.
    """
    if logger.handlers:
        return
    stream = logging.StreamHandler()
    stream.setFormatter(logging.Formatter("%(asctime)s - %(name)s:%(levelname)s: %(message)s", "%H:%M:%S"))
    logger.addHandler(stream)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)


configure_logging()

# What proxy_config.yaml's custom_provider_map points at (`agentllm_bridge.handler.agno_handler`).
agno_handler = AgnoHandler()
