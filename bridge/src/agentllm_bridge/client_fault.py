"""A request the proxy refuses before LiteLLM sees it, rendered as an OpenAI error JSON."""

import json
from dataclasses import dataclass

_TYPES = {401: "authentication_error", 404: "not_found_error", 408: "timeout_error", 413: "invalid_request_error"}


@dataclass(frozen=True)
class ClientFault(Exception):
    """The message names the problem (and `param` the field); it never quotes secrets or ids."""

    status: int
    message: str
    code: str
    param: str | None = None

    def __str__(self) -> str:
        return self.message

    def body(self) -> bytes:
        error = {
            "message": self.message,
            "type": _TYPES.get(self.status, "invalid_request_error"),
            "code": self.code,
            "param": self.param,
        }
        return json.dumps({"error": error}).encode()


def bad_request(message: str, code: str, param: str | None = None) -> ClientFault:
    return ClientFault(400, message, code, param)
