"""Several runtimes behind one bridge: which one to ask next, which to skip, when to ask another.

The bridge spreads agent calls itself rather than letting LiteLLM's router do it (several
deployments of one model): an agent call has side effects (tools, stored history), so a retry is
safe only when the runtime certainly did not start the run, and only the bridge can tell
(docs/architecture.md, "Several runtimes").

Round-robin over the runtimes not cooling down. A runtime that could not be reached, or that
refused a call without running it, is skipped for `COOLDOWN_S` (passive health: no probes of its
own); when every runtime is cooling down, each is still tried once, soonest back first.
"""

import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence

import httpx

# More runtimes than this behind one proxy is a deployment for a load balancer (one Service URL).
MAX_RUNTIME_URLS = 16
# Long enough that a dead or draining runtime costs the next few calls nothing (a runtime drains
# for up to 25 s by default and a restart takes a few seconds), short enough that a runtime back
# from a restart gets work again soon. Readiness of the proxy is asked of every runtime anyway.
COOLDOWN_S = 10.0

# The runtime's 503 codes that mean "refused before running anything".
# `overloaded` comes from admission control (before the body is parsed) and from the session
# lock's connection bound (before the run): both ran nothing, and another runtime may have room.
# `database_unavailable` also ran nothing, but the database is shared: another runtime fails alike.
REFUSED_CODES = frozenset({"overloaded"})
# `runtime_draining` is also the code of a run cut at the drain deadline (which did run), so a
# draining refusal counts only with this header, which the runtime sets on refusals alone.
REFUSED_HEADER = "x-agentllm-refused"


class ReplicaPool:
    def __init__(
        self,
        urls: Sequence[str],
        *,
        cooldown_s: float = COOLDOWN_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not urls:
            raise ValueError("a replica pool needs at least one runtime URL")
        self._urls = tuple(urls)
        self._cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()  # the sync path calls from LiteLLM's worker threads
        self._turn = 0
        self._down_until: dict[str, float] = {}

    @property
    def urls(self) -> tuple[str, ...]:
        return self._urls

    def order(self) -> list[str]:
        """The runtimes to try for one call, in order: each at most once."""
        with self._lock:
            turn = self._turn
            self._turn += 1
            now = self._clock()
            down = dict(self._down_until)
        # Turns go round the healthy ones only, so a runtime cooling down does not send its share
        # to the one after it.
        healthy = [url for url in self._urls if down.get(url, -math.inf) <= now]
        if healthy:
            start = turn % len(healthy)
            healthy = healthy[start:] + healthy[:start]
        cooling = sorted((url for url in self._urls if url not in healthy), key=lambda url: down[url])
        return healthy + cooling

    def failed(self, url: str) -> None:
        with self._lock:
            self._down_until[url] = self._clock() + self._cooldown_s

    def answered(self, url: str) -> None:
        with self._lock:
            self._down_until.pop(url, None)


def unreached(exc: httpx.TransportError) -> bool:
    """The runtime never got the whole request, so it cannot have started a run: safe to retry.

    A write that failed means the body never fully arrived (the runtime parses the whole body
    before running). A read error or timeout means the request was sent: never retried.
    """
    return isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.WriteError)


def broken(exc: httpx.TransportError) -> bool:
    """The runtime looks dead (cool it down), whether or not the call may be retried."""
    return unreached(exc) or isinstance(exc, httpx.ReadError | httpx.RemoteProtocolError)


def refused(status: int, headers: Mapping[str, str], code: object) -> bool:
    """A 503 that says the runtime refused the call without running it: safe to retry elsewhere."""
    if status != 503:
        return False
    return code in REFUSED_CODES or (code == "runtime_draining" and REFUSED_HEADER in headers)
