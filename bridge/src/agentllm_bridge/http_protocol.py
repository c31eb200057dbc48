"""uvicorn's h11 protocol with one more timer: a request's headers must arrive in time.

uvicorn 0.54 closes idle keep-alive connections (`timeout_keep_alive`) but has no limit on a
connection that never sends a request, or sends its headers a byte at a time: a few hundred
such sockets would hold file descriptors forever. This timer starts when a connection opens and
again when a response completes, and closes the connection if no new request's headers have
been parsed by then. Given to uvicorn as `http=` (its supported way to choose the protocol class).
"""

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


def with_header_timeout(timeout_s: float) -> type[H11Protocol]:
    class HeaderTimeoutProtocol(H11Protocol):
        header_timeout_s = timeout_s

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._header_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm_header_timer()

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_header_timer()
            super().connection_lost(exc)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm_header_timer()

        def _arm_header_timer(self) -> None:
            self._cancel_header_timer()
            waiting_since = self.cycle  # a new request replaces the cycle
            self._header_timer = self.loop.call_later(self.header_timeout_s, self._header_timeout, waiting_since)

        def _cancel_header_timer(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _header_timeout(self, waiting_since: object) -> None:
            self._header_timer = None
            if self.cycle is waiting_since and not self.transport.is_closing():
                self.transport.close()

    return HeaderTimeoutProtocol
