"""Checks on a parsed request body that LiteLLM 1.108.7 would otherwise answer with a 500.

Only what breaks LiteLLM itself is checked here: wrong JSON types in `messages` (LiteLLM iterates
them and fails with "'int' object is not iterable"), content parts LiteLLM refuses with a 500
("Invalid user message"), `api_base`/`base_url` in the body. The agent runtime validates the rest
(roles, limits, sampling values) and its 400s reach the client unchanged.

Agent models (`agno/...`) are chat-only: the bridge implements no other endpoint, and LiteLLM
answers those with 500 "Not implemented yet!" or "'agno' is not a valid LlmProviders".
"""

from collections.abc import Mapping
from typing import Any

from litellm.types.llms.openai import ValidUserMessageContentTypes

from agentllm_bridge.client_fault import ClientFault, bad_request
from agentllm_bridge.request import PROVIDER

CHAT_PATH_SUFFIX = "/chat/completions"
_VALID_USER_PARTS = frozenset(ValidUserMessageContentTypes)
# Body keys that would make LiteLLM send the call somewhere else (with the configured key).
_FORBIDDEN_KEYS = ("api_base", "base_url")


def is_agent_model(model: object) -> bool:
    return isinstance(model, str) and model.startswith(f"{PROVIDER}/")


def is_chat_path(path: str) -> bool:
    return path.rstrip("/").endswith(CHAT_PATH_SUFFIX)


def check_endpoint(path: str, body: Mapping[str, Any]) -> None:
    model = body.get("model")
    if is_agent_model(model) and not is_chat_path(path):
        raise ClientFault(
            400,
            f"model {model} is chat-only: call it on /v1/chat/completions, not {path}",
            "model_not_supported",
            "model",
        )


def check_chat_request(body: Mapping[str, Any]) -> None:
    for key in _FORBIDDEN_KEYS:
        if key in body:
            raise bad_request(
                f"{key}: not accepted in the request body; the proxy decides where models run", "invalid_request", key
            )
    if "messages" in body:
        _check_messages(body["messages"])
    if is_agent_model(body.get("model")):
        n = body.get("n")
        # LiteLLM drops `n` for custom providers, so one choice would come back silently.
        if n is not None and (isinstance(n, bool) or n != 1):
            raise bad_request("n: only n=1 is supported", "invalid_request", "n")


def _check_messages(messages: object) -> None:
    if not isinstance(messages, list):
        raise bad_request("messages: must be an array of messages", "invalid_request", "messages")
    for index, message in enumerate(messages):
        where = f"messages.{index}"
        if not isinstance(message, dict):
            raise bad_request(f"{where}: must be an object", "invalid_request", where)
        role = message.get("role")
        if not isinstance(role, str):
            raise bad_request(f"{where}.role: must be a string", "invalid_request", f"{where}.role")
        _check_content(message.get("content"), role, f"{where}.content")


def _check_content(content: object, role: str, where: str) -> None:
    if content is None or isinstance(content, str):
        return
    if not isinstance(content, list):
        raise bad_request(f"{where}: must be a string, an array of content parts, or null", "invalid_request", where)
    for index, part in enumerate(content):
        part_where = f"{where}.{index}"
        if not isinstance(part, dict):
            raise bad_request(f"{part_where}: must be a content part object", "invalid_request", part_where)
        kind = part.get("type")
        if not isinstance(kind, str):
            raise bad_request(f"{part_where}.type: must be a string", "invalid_request", f"{part_where}.type")
        if role == "user" and kind not in _VALID_USER_PARTS:
            allowed = ", ".join(sorted(_VALID_USER_PARTS))
            raise bad_request(
                f"{part_where}.type: unknown content part type {kind[:40]!r} (one of {allowed})",
                "invalid_request",
                f"{part_where}.type",
            )
        if kind == "text" and not isinstance(part.get("text"), str):
            raise bad_request(f"{part_where}.text: must be a string", "invalid_request", f"{part_where}.text")
