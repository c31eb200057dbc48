"""LiteLLM call arguments -> the runtime request (body and headers)."""

import uuid
from collections.abc import Mapping
from typing import Any

from agentllm_bridge.identity import Identity
from agentllm_bridge.runtime_client import RuntimeCall, RuntimeSettings
from agentllm_bridge.task_header import RUNTIME_TASK_HEADER
from agentllm_bridge.wire import ChatRequest

PROVIDER = "agno"


def agent_name(model: str) -> str:
    """LiteLLM normally strips the provider already; strip `agno/` again in case it did not."""
    prefix = f"{PROVIDER}/"
    return model[len(prefix) :] if model.startswith(prefix) else model


def build_body(model: str, messages: list[Any], optional_params: Mapping[str, Any], *, stream: bool) -> ChatRequest:
    body: ChatRequest = {"model": agent_name(model), "messages": messages, "stream": stream}
    if stream:
        # Always: the last chunk carries real token usage, which LiteLLM reports and bills.
        body["stream_options"] = {"include_usage": True}
    if (temperature := optional_params.get("temperature")) is not None:
        body["temperature"] = temperature
    # LiteLLM maps max_completion_tokens to max_tokens for us; accept either in case it does not.
    max_tokens = optional_params.get("max_tokens", optional_params.get("max_completion_tokens"))
    if max_tokens is not None:
        body["max_tokens"] = max_tokens
    if (top_p := optional_params.get("top_p")) is not None:
        body["top_p"] = top_p
    if (stop := optional_params.get("stop")) is not None:
        body["stop"] = stop
    return body


def request_id(litellm_params: Mapping[str, Any]) -> str:
    """LiteLLM's call id when there is one, so one request can be followed in both logs."""
    call_id = litellm_params.get("litellm_call_id")
    return call_id if isinstance(call_id, str) and call_id else str(uuid.uuid4())


def build_headers(
    settings: RuntimeSettings,
    identity: Identity,
    req_id: str,
    *,
    stream: bool,
    task: str | None = None,
    trace: Mapping[str, str] | None = None,
) -> dict[str, str]:
    headers = {
        # First: the fixed headers below always win over anything in it.
        **(trace or {}),
        "Authorization": f"Bearer {settings.token}",
        "X-Request-Id": req_id,
        "Accept": "text/event-stream" if stream else "application/json",
    }
    if identity.user_id is not None:
        headers["X-AgentLLM-User-Id"] = identity.user_id
    if identity.session_id is not None:
        headers["X-AgentLLM-Session-Id"] = identity.session_id
    if task is not None:
        headers[RUNTIME_TASK_HEADER] = task
    return headers


def build_call(
    *,
    model: str,
    messages: list[Any],
    optional_params: Mapping[str, Any],
    identity: Identity,
    req_id: str,
    stream: bool,
    settings: RuntimeSettings,
    task: str | None = None,
    trace: Mapping[str, str] | None = None,
) -> RuntimeCall:
    return RuntimeCall(
        settings=settings,
        body=build_body(model, messages, optional_params, stream=stream),
        headers=build_headers(settings, identity, req_id, stream=stream, task=task, trace=trace),
        request_id=req_id,
    )
