"""What every JSON request body must be before LiteLLM parses it: an object of finite numbers,
nested no deeper than a limit.

LiteLLM answers these with a 500 (a body that is an array or a string, `NaN`, `1e999`) or
misreads them (a body nested past Python's recursion limit is taken as `{}`), so the guard checks
them first with the standard library's parser.
"""

import json
import math
from typing import Any

from agentllm_bridge.client_fault import ClientFault, bad_request


def parse_json_object(body: bytes, *, max_depth: int) -> dict[str, Any]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise bad_request("request body is not valid UTF-8", "invalid_encoding") from None
    if not text.strip():
        raise bad_request("request body is empty; send a JSON object", "invalid_json")
    try:
        parsed = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float, parse_int=_finite_int)
    except ClientFault:
        raise
    except RecursionError:
        raise _too_deep(max_depth) from None
    except ValueError as exc:
        # json's message gives a position, never a copy of the input.
        raise bad_request(f"request body is not valid JSON: {exc}", "invalid_json") from None
    if not isinstance(parsed, dict):
        raise bad_request(f"request body must be a JSON object, not {_json_kind(parsed)}", "invalid_body")
    if _depth_exceeds(parsed, max_depth):
        raise _too_deep(max_depth)
    return parsed


def _no_constant(name: str) -> float:
    raise bad_request(f"request body contains {name}, which is not a JSON number", "invalid_json")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise bad_request(f"request body contains {text[:40]}, a number too large to represent", "invalid_json")
    return value


def _finite_int(text: str) -> int:
    # Python reads any integer exactly, but LiteLLM and the runtime turn numbers into doubles.
    value = int(text)
    try:
        float(value)
    except OverflowError:
        raise bad_request(
            f"request body contains {text[:20]}..., a number too large to represent", "invalid_json"
        ) from None
    return value


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"


def _too_deep(max_depth: int) -> ClientFault:
    return bad_request(f"request body is nested more than {max_depth} levels deep", "invalid_body")


def _depth_exceeds(root: object, max_depth: int) -> bool:
    # Iterative: the point is not to recurse on client-controlled depth.
    stack: list[tuple[object, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            return True
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values() if isinstance(child, dict | list))
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node if isinstance(child, dict | list))
    return False
