"""Is an agent runtime ready? Asked of each runtime's `/readyz`, bounded in time, briefly cached.

With several runtimes the proxy is ready when at least one is: the bridge sends calls to the
ready ones (replicas.py), so one runtime draining or restarting does not take the proxy out.

The proxy's `/health/readiness` uses it: a proxy whose runtime is down cannot serve any agent, so
it must not be reported ready. Liveness never asks (a dead runtime is restarted by the launcher,
not by restarting the proxy). The timeout keeps a probe short even when the runtime hangs; the
cache keeps a burst of probes (several orchestrators, a dashboard) to one runtime request.
"""

import asyncio
import logging
import time
from collections.abc import Sequence

import httpx

logger = logging.getLogger("agentllm_bridge")


class RuntimeReadiness:
    def __init__(self, readiness_urls: Sequence[str], *, timeout_s: float, cache_s: float) -> None:
        self._urls = tuple(readiness_urls)
        self._timeout = httpx.Timeout(timeout_s)
        self._cache_s = cache_s
        self._checked_at = float("-inf")
        self._ready = False
        self._lock = asyncio.Lock()

    async def is_ready(self) -> bool:
        async with self._lock:  # concurrent probes share one runtime request
            if time.monotonic() - self._checked_at >= self._cache_s:
                self._ready = await self._ask()
                self._checked_at = time.monotonic()
            return self._ready

    async def _ask(self) -> bool:
        # All at once: the probe takes one timeout however many runtimes there are.
        async with httpx.AsyncClient(timeout=self._timeout) as client:
            answers = await asyncio.gather(*(_ask_one(client, url) for url in self._urls))
        return any(answers)


async def _ask_one(client: httpx.AsyncClient, url: str) -> bool:
    try:
        response = await client.get(url)
    except httpx.HTTPError as exc:
        logger.warning("runtime readiness check failed url=%s: %s: %s", url, type(exc).__name__, exc)
        return False
    if response.status_code != 200:
        logger.warning("runtime not ready url=%s: HTTP %s", url, response.status_code)
        return False
    return True
