"""Garbage collection at safe points only, on CPython 3.10 and 3.11 (CPython issue gh-148891).

On those versions the cyclic collector runs inline, inside whatever allocation crosses its
threshold, including the node allocations of `ContextVar.set`. A finaliser or weakref callback
the collector then runs may itself set a context variable, which frees the context's mapping
while `ContextVar.set` is still walking it: a use-after-free, and the process dies with SIGSEGV.
LiteLLM sets context variables on every request (routing, logging, its internal call markers)
and closes abandoned coroutines whose `finally` resets them, so under load the proxy crashed
here (the scale bench: about one proxy in five runs of 100 streams, in `libpython3.11`).

Python 3.12 moved collection to the interpreter's safe points between bytecodes. This module
does the same for 3.10/3.11: the automatic collector is switched off and a loop callback
collects instead, with the collector's own thresholds, from the event loop's thread between two
callbacks, where no C code is half-way through a context's mapping. Finalisers still run on the
loop's thread, as they would have. Objects alive at start-up are frozen (`gc.freeze`) so the
full collections this triggers only walk what was allocated since.
"""

import asyncio
import gc
import sys
import time
from dataclasses import dataclass
from typing import Any

# Collection is due at most this long after the collector would have run on its own. Between
# two ticks allocations only wait in generation 0 (a few thousand objects at 100 streams).
TICK_S = 0.02
# The collector itself skips most full collections (its "long-lived" ratio, not readable from
# Python); this stands in for it, so a full collection runs at most this often.
FULL_COLLECTION_MIN_INTERVAL_S = 5.0


def needed(version: tuple[int, int] = (sys.version_info.major, sys.version_info.minor)) -> bool:
    """CPython 3.12 and later collect between bytecodes already; 3.10 and 3.11 need this."""
    return sys.implementation.name == "cpython" and (3, 10) <= version < (3, 12)


@dataclass
class SafePointCollector:
    full_min_interval_s: float = FULL_COLLECTION_MIN_INTERVAL_S
    _last_full: float = float("-inf")

    def generation_due(self, now: float) -> int | None:
        """The oldest generation whose count passed its threshold, as the collector decides."""
        counts = gc.get_count()
        thresholds = gc.get_threshold()
        if counts[2] > thresholds[2] and now - self._last_full >= self.full_min_interval_s:
            return 2
        if counts[1] > thresholds[1]:
            return 1
        if counts[0] > thresholds[0]:
            return 0
        return None

    def collect_if_due(self) -> int | None:
        now = time.monotonic()
        generation = self.generation_due(now)
        if generation is not None:
            gc.collect(generation)
            if generation == 2:
                self._last_full = now
        return generation


class SafePointGc:
    """Switches the inline collector off and collects from `loop` every `tick_s` instead."""

    def __init__(self, loop: asyncio.AbstractEventLoop, *, tick_s: float = TICK_S) -> None:
        self._loop = loop
        self._tick_s = tick_s
        self._collector = SafePointCollector()
        self._handle: asyncio.TimerHandle | None = None

    def start(self) -> None:
        if self._handle is not None:
            return
        gc.freeze()  # start-up's objects (LiteLLM's modules and tables) never need walking again
        gc.disable()
        self._handle = self._loop.call_later(self._tick_s, self._tick)

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        gc.enable()

    def _tick(self) -> None:
        try:
            self._collector.collect_if_due()
        finally:
            self._handle = self._loop.call_later(self._tick_s, self._tick)


class CollectAtSafePoints:
    """An ASGI layer that starts `SafePointGc` on the server's own loop at its first event.

    The first event is the lifespan start-up, before any request: from then on no collection
    runs inline. It passes every event on unchanged.
    """

    def __init__(self, app: Any) -> None:
        self._app = app
        self.gc: SafePointGc | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.gc is None:
            self.gc = SafePointGc(asyncio.get_running_loop())
            self.gc.start()
        await self._app(scope, receive, send)
