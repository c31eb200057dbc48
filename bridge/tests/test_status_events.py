"""Status lines: the runtime's status chunks reach LiteLLM's stream as a top-level `event`."""

from typing import Any

import litellm
import pytest

from agentllm_bridge.status_event import MAX_DESCRIPTION_CHARS, status_event
from agentllm_bridge.wire import ChatCompletionChunk
from tests.fake_runtime import FakeRuntime, Script

MESSAGES: list[dict[str, Any]] = [{"role": "user", "content": "Find my issues"}]


def status(description: str, done: bool) -> dict[str, Any]:
    return {"type": "status", "data": {"description": description, "done": done}}


def on_chunk(event: Any) -> ChatCompletionChunk:
    return {"id": "c", "choices": [{"index": 0, "delta": {}}], "event": event}


def test_a_well_formed_status_event_passes() -> None:
    assert status_event(on_chunk(status("Searching Jira…", False))) == status("Searching Jira…", False)


@pytest.mark.parametrize(
    "event",
    [
        None,
        "Searching",
        {"type": "chat:completion", "data": {"content": "injected"}},
        {"type": "status"},
        {"type": "status", "data": {"description": 7, "done": False}},
        {"type": "status", "data": {"description": "  ", "done": False}},
        {"type": "status", "data": {"description": "x", "done": "no"}},
    ],
)
def test_anything_but_a_status_event_is_dropped(event: Any) -> None:
    assert status_event(on_chunk(event)) is None


def test_extra_fields_are_not_passed_on() -> None:
    event = {"type": "status", "data": {"description": "Reading…", "done": True, "hidden": True}, "x": 1}
    assert status_event(on_chunk(event)) == status("Reading…", True)


def test_a_description_at_the_limit_is_kept_and_a_longer_one_cut_to_it() -> None:
    exact = "a" * MAX_DESCRIPTION_CHARS
    assert status_event(on_chunk(status(exact, False))) == status(exact, False)
    cut = status_event(on_chunk(status("b" * (MAX_DESCRIPTION_CHARS + 1), False)))
    assert cut is not None
    assert len(cut["data"]["description"]) == MAX_DESCRIPTION_CHARS
    assert cut["data"]["description"].endswith("…")


STATUSES = [status("Searching Jira…", False), status("Searching Jira…", True)]


@pytest.mark.usefixtures("handler")
async def test_astreaming_carries_status_events_before_the_text_and_outside_it(runtime: FakeRuntime) -> None:
    runtime.reset(Script(text="Two issues.", events=[*STATUSES, {"type": "chat:completion", "data": {}}]))
    stream = await litellm.acompletion(model="agno/demo-agent", messages=MESSAGES, stream=True)
    seen: list[Any] = []
    text = ""
    async for c in stream:
        event = getattr(c, "event", None)
        if event is not None:
            assert not text, "a status after the text"
            seen.append(event)
        if c.choices and c.choices[0].delta.content:
            text += c.choices[0].delta.content
    assert seen == STATUSES
    assert text == "Two issues."


@pytest.mark.usefixtures("handler")
def test_streaming_carries_status_events(runtime: FakeRuntime) -> None:
    runtime.reset(Script(text="Two issues.", events=STATUSES))
    chunks = list(litellm.completion(model="agno/demo-agent", messages=MESSAGES, stream=True))
    assert [c.event for c in chunks if getattr(c, "event", None) is not None] == STATUSES
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "Two issues."
