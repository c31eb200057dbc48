"""The guard's body checks: what LiteLLM would answer with a 500 or misread becomes a named 400."""

import json

import pytest

from agentllm_bridge.body_checks import parse_json_object
from agentllm_bridge.client_fault import ClientFault

DEPTH = 8


def fault(body: bytes | str) -> ClientFault:
    with pytest.raises(ClientFault) as caught:
        parse_json_object(body.encode() if isinstance(body, str) else body, max_depth=DEPTH)
    return caught.value


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[]", "must be a JSON object, not an array"),
        ('"hi"', "must be a JSON object, not a string"),
        ("42", "must be a JSON object, not a number"),
        ("true", "must be a JSON object, not a boolean"),
        ("null", "must be a JSON object, not null"),
        ("", "request body is empty"),
        ("  \n", "request body is empty"),
        ('{"model": ', "not valid JSON"),
        ('{"t": NaN}', "contains NaN, which is not a JSON number"),
        ('{"t": Infinity}', "contains Infinity"),
        ('{"t": -Infinity}', "contains -Infinity"),
        ('{"t": 1e999}', "contains 1e999, a number too large"),
        ('{"t": -1e400}', "a number too large"),
        ('{"t": 1' + "0" * 400 + "}", "a number too large"),
        (b'{"t": "\xff"}', "not valid UTF-8"),
        ('{"a": ' + "[" * 20_000 + "]" * 20_000 + "}", f"nested more than {DEPTH} levels"),
    ],
)
def test_refused(body: bytes | str, message: str) -> None:
    refused = fault(body)
    assert refused.status == 400
    assert message in refused.message
    error = json.loads(refused.body())["error"]
    assert set(error) == {"message", "type", "code", "param"}
    assert error["type"] == "invalid_request_error"


def test_depth_limit_is_inclusive() -> None:
    # The body object is level 1; DEPTH levels pass, one more does not.
    at_limit = '{"a": ' + "[" * (DEPTH - 1) + "]" * (DEPTH - 1) + "}"
    assert parse_json_object(at_limit.encode(), max_depth=DEPTH) == json.loads(at_limit)
    over = '{"a": ' + "[" * DEPTH + "]" * DEPTH + "}"
    assert f"more than {DEPTH}" in fault(over).message


def test_accepts_ordinary_bodies() -> None:
    body = '\ufeff{"model": "agno/demo-agent", "temperature": -0.0, "max_tokens": 12, "x": 1e300}'
    assert parse_json_object(body.encode(), max_depth=DEPTH)["max_tokens"] == 12
