import pytest

from agentllm_bridge.sse import SseDecoder, iter_chunks


def decode(lines: list[str]) -> list[str]:
    decoder = SseDecoder()
    events = [data for line in lines if (data := decoder.feed(line)) is not None]
    if (tail := decoder.flush()) is not None:
        events.append(tail)
    return events


def test_data_lines_comments_and_other_fields() -> None:
    lines = [": keep-alive", "", "event: message", "id: 7", 'data: {"a":', "data:1}", "", "retry: 5", ""]
    assert decode(lines) == ['{"a":\n1}']


def test_event_without_trailing_blank_line_is_flushed() -> None:
    assert decode(["data: [DONE]"]) == ["[DONE]"]


def test_chunks_until_done_ignoring_what_follows() -> None:
    lines = ['data: {"choices": []}', "", "data: [DONE]", "", 'data: {"late": true}', ""]
    assert list(iter_chunks(iter(lines))) == [{"choices": []}]


def test_error_event_raises_with_its_code() -> None:
    lines = ['data: {"choices": []}', "", 'data: {"error": {"message": "busy", "code": 409}}', ""]
    chunks = iter_chunks(iter(lines))
    assert next(chunks) == {"choices": []}
    with pytest.raises(Exception) as caught:
        next(chunks)
    assert getattr(caught.value, "status_code", None) == 409
    assert "busy" in str(caught.value)


def test_stream_cut_before_done_is_502() -> None:
    with pytest.raises(Exception) as caught:
        list(iter_chunks(iter(['data: {"choices": []}', ""])))
    assert getattr(caught.value, "status_code", None) == 502


def test_non_json_event_is_502() -> None:
    with pytest.raises(Exception) as caught:
        list(iter_chunks(iter(["data: nope", ""])))
    assert getattr(caught.value, "status_code", None) == 502
