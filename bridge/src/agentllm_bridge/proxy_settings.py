"""The proxy process's own limits, read once from the environment when it starts.

Each bound has a default, a variable to change it, and a clear error when the value is unusable
(`SettingsError` names the variable, and the proxy does not start).
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass

from agentllm_bridge.runtime_client import SettingsError

PREFIX = "AGENTLLM_PROXY_"


@dataclass(frozen=True)
class ProxySettings:
    # A request body larger than this is a 413. The runtime's own default limit is 4 MiB
    # (AGENTLLM_MAX_BODY_BYTES); direct Gemini calls with images may need more.
    max_body_bytes: int = 16 * 1024 * 1024
    # The whole body must arrive within this many seconds of the headers, or the request is a 408.
    body_timeout_s: float = 60.0
    # A connection must deliver a request's complete headers within this many seconds of opening
    # (or of the previous response): idle and half-sent sockets are closed after it.
    header_timeout_s: float = 15.0
    # An idle keep-alive connection is closed after this many seconds (uvicorn's default).
    keepalive_timeout_s: float = 5.0
    # JSON nested deeper than this is a 400. Real requests nest about 10 levels (tool schemas
    # more); LiteLLM copies bodies recursively and misreads one nested past ~1000 levels.
    max_json_depth: int = 64
    # Readiness asks the runtime's /readyz with this timeout, and reuses an answer this long.
    readiness_timeout_s: float = 1.0
    readiness_cache_s: float = 2.0
    # Sent as Retry-After with a 503 for an agent call (the launcher restarts a dead runtime).
    retry_after_s: int = 5

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "ProxySettings":
        default = cls()
        return cls(
            max_body_bytes=_int(env, "MAX_BODY_BYTES", default.max_body_bytes),
            body_timeout_s=_seconds(env, "BODY_TIMEOUT_S", default.body_timeout_s),
            header_timeout_s=_seconds(env, "HEADER_TIMEOUT_S", default.header_timeout_s),
            keepalive_timeout_s=_seconds(env, "KEEPALIVE_TIMEOUT_S", default.keepalive_timeout_s),
            max_json_depth=_int(env, "MAX_JSON_DEPTH", default.max_json_depth),
            readiness_timeout_s=_seconds(env, "READINESS_TIMEOUT_S", default.readiness_timeout_s),
            readiness_cache_s=_seconds(env, "READINESS_CACHE_S", default.readiness_cache_s, allow_zero=True),
            retry_after_s=_int(env, "RETRY_AFTER_S", default.retry_after_s),
        )


def _raw(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(PREFIX + name, "").strip()
    return value or None


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = _raw(env, name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SettingsError(f"{PREFIX}{name} must be a positive whole number, got {raw[:20]!r}")
    return int(raw)


def _seconds(env: Mapping[str, str], name: str, default: float, *, allow_zero: bool = False) -> float:
    raw = _raw(env, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not (0 <= value <= 86_400) or (value == 0 and not allow_zero):
        raise SettingsError(f"{PREFIX}{name} must be a number of seconds, got {raw[:20]!r}")
    return value
