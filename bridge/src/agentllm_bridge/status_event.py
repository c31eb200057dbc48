"""Status lines ("Searching Jira…") from the runtime's stream, passed on for Open WebUI.

The runtime marks a tool call's start and end with a chunk whose delta is empty and whose
top-level `event` is `{"type": "status", "data": {"description", "done"}}`. Handed to LiteLLM as
the chunk's `provider_specific_fields={"event": ...}`, it reaches the client as a top-level
`event` key, which Open WebUI gives to its event emitter. Only well-formed status events pass:
anything else in `event` could drive other Open WebUI events, so it is dropped.
"""

from typing import Any

from agentllm_bridge.wire import ChatCompletionChunk, StatusEvent

# The runtime cuts its phrases to 120 characters; this only stops a runaway line.
MAX_DESCRIPTION_CHARS = 200


def status_event(chunk: ChatCompletionChunk) -> StatusEvent | None:
    """The chunk's status event, rebuilt from its two fields, or None when it has none."""
    event: Any = chunk.get("event")
    if not isinstance(event, dict) or event.get("type") != "status":
        return None
    data = event.get("data")
    if not isinstance(data, dict):
        return None
    description = data.get("description")
    done = data.get("done")
    if not isinstance(description, str) or not description.strip() or not isinstance(done, bool):
        return None
    if len(description) > MAX_DESCRIPTION_CHARS:
        description = description[: MAX_DESCRIPTION_CHARS - 1] + "…"
    return {"type": "status", "data": {"description": description, "done": done}}
