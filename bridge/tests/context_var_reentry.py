"""A process that makes CPython 3.10/3.11 crash the way the proxy did (gh-148891), or not.

Tasks on one event loop set context variables over and over while making reference cycles
whose weakref callback sets a context variable too: the callback runs inside the collector,
and with the inline collector the collector can run inside `ContextVar.set`. Run with `inline`
(the interpreter's own collector) or `safe-points` (SafePointGc); prints "survived" at the end.
"""

import asyncio
import contextvars
import sys
import weakref

from agentllm_bridge.gc_safe_points import SafePointGc

PADS: list[contextvars.ContextVar[object]] = [contextvars.ContextVar(f"pad{i}") for i in range(24)]
MARK: contextvars.ContextVar[object] = contextvars.ContextVar("mark")
ROUNDS = 300_000
TASKS = 1


class Node:
    pass


def on_collected(_ref: object) -> None:
    MARK.set(object())
    for pad in PADS[:4]:
        pad.set(object())


async def churn(seed: int) -> None:
    for pad in PADS:
        pad.set(object())
    refs = []
    for i in range(ROUNDS):
        a, b = Node(), Node()
        a.other, b.other = b, a  # type: ignore[attr-defined]
        refs.append(weakref.ref(a, on_collected))
        del a, b
        if len(refs) > 1000:
            del refs[:500]
        start = (i + seed) % len(PADS)
        for pad in PADS[start : start + 3]:
            pad.set(object())
        if i % 500 == 0:
            await asyncio.sleep(0)


async def main(mode: str) -> None:
    collector = SafePointGc(asyncio.get_running_loop(), tick_s=0.001) if mode == "safe-points" else None
    if collector:
        collector.start()
    await asyncio.gather(*(churn(seed) for seed in range(TASKS)))
    if collector:
        collector.stop()
    sys.stdout.write("survived\n")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
