"""Which routes need an API key: the ones LiteLLM's OpenAPI schema marks with a security scheme.

LiteLLM answers a request without a key on such a route with a 500 (its auth-failure path
imports `prisma`, absent here), so the guard refuses it first. The set comes from the app's own
OpenAPI schema (`app.openapi()`, public FastAPI API; LiteLLM's key dependency is a security
scheme there), built on first use in a worker thread (LiteLLM's schema takes seconds to build,
which must not stall the event loop): the guard asks only for requests without a usable key on
routes other than the LLM API. LiteLLM's public routes (`/`, `/routes`, liveness) pass, as
LiteLLM lets them; routes LiteLLM hides from its schema are left to LiteLLM.
"""

import asyncio
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

from litellm.proxy._types import LiteLLMRoutes

_PARAM = re.compile(r"\{[^}/]+\}")


class KeyRoutes:
    def __init__(self, openapi: Callable[[], Mapping[str, Any]]) -> None:
        self._openapi = openapi
        self._lock = threading.Lock()
        self._exact: frozenset[str] | None = None
        self._templated: list[re.Pattern[str]] = []

    async def needs_key(self, path: str) -> bool:
        if path in LiteLLMRoutes.public_routes.value:
            return False
        exact, templated = await asyncio.to_thread(self._load) if self._exact is None else self._load()
        return path in exact or any(p.fullmatch(path) for p in templated)

    def _load(self) -> tuple[frozenset[str], list[re.Pattern[str]]]:
        with self._lock:
            if self._exact is None:
                paths = self._openapi().get("paths", {})
                secured = [path for path, operations in paths.items() if _secured(operations)]
                self._exact = frozenset(p for p in secured if "{" not in p)
                self._templated = [_pattern(p) for p in secured if "{" in p]
            return self._exact, self._templated


def _secured(operations: object) -> bool:
    return isinstance(operations, Mapping) and any(
        isinstance(op, Mapping) and op.get("security") for op in operations.values()
    )


def _pattern(template: str) -> re.Pattern[str]:
    parts = _PARAM.split(template)
    return re.compile("[^/]+".join(re.escape(part) for part in parts))
