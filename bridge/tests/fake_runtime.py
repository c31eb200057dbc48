"""A real HTTP server standing in for the TypeScript runtime: records requests, serves scripts.

Speaks the runtime contract: JSON completions, SSE streams (chunked, `data: [DONE]` last),
OpenAI error JSON with a status, and a mid-stream `data: {"error": ...}` event.
"""

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

# "hold": a non-stream run that never answers; it waits until the client closes the connection.
# "drop": a runtime killed mid-answer: the stream's first event, then the connection closes.
Kind = Literal["auto", "json", "sse", "error", "stream_error", "hang", "slow", "hold", "drop"]


@dataclass(frozen=True)
class Recorded:
    path: str
    headers: dict[str, str]  # lower-cased names
    body: dict[str, Any]


@dataclass
class Script:
    kind: Kind = "auto"
    text: str = "Hello from the fake runtime"
    status: int = 200
    error: dict[str, Any] = field(default_factory=dict)
    chunk_delay: float = 0.02
    usage: dict[str, Any] = field(
        default_factory=lambda: {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
    )
    # Top-level `event`s sent before the text, each on an empty-delta chunk (the runtime's status lines).
    events: list[Any] = field(default_factory=list)
    # A thought summary sent before the text as `reasoning_content` (streamed word by word).
    reasoning: str = ""
    # Chunks sent as they are after the role chunk, instead of events, reasoning, text, finish and
    # usage; then [DONE]. With `gate`, each text chunk after the first waits for one release.
    chunks: list[dict[str, Any]] | None = None
    gate: threading.Semaphore | None = None
    # Extra response headers of an "error" answer (the runtime's Retry-After).
    headers: dict[str, str] = field(default_factory=dict)


class FakeRuntime:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.script = Script()
        self.stream_closed_by_client = threading.Event()
        self.ready = True  # what GET /readyz answers: 200 or 503
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> "FakeRuntime":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self, script: Script | None = None) -> None:
        self.requests.clear()
        self.script = script or Script()
        self.stream_closed_by_client.clear()
        self.ready = True

    @property
    def last(self) -> Recorded:
        return self.requests[-1]


def completion(script: Script, model: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": script.text}
    if script.reasoning:
        message["reasoning_content"] = script.reasoning
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": script.usage,
    }


def chunk(model: str, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def words(text: str) -> list[str]:
    parts = text.split(" ")
    return [p if i == 0 else " " + p for i, p in enumerate(parts)]


def _make_handler(fake: FakeRuntime) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive and chunked streams, like the real runtime

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet test output

        def do_GET(self) -> None:
            if self.path == "/readyz":
                self._json(200 if fake.ready else 503, {"status": "ok" if fake.ready else "not ready"})
            else:
                self._json(404, {"error": {"message": "not found"}})

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.loads(raw or b"{}")
            fake.requests.append(
                Recorded(path=self.path, headers={k.lower(): v for k, v in self.headers.items()}, body=body)
            )
            script = fake.script
            model = str(body.get("model"))
            kind = script.kind
            if kind == "auto":
                kind = "sse" if body.get("stream") else "json"
            if kind == "json":
                self._json(200, completion(script, model))
            elif kind == "slow":
                time.sleep(script.chunk_delay)
                self._json(200, completion(script, model))
            elif kind == "error":
                self._json(script.status, {"error": script.error}, script.headers)
            elif kind == "hold":
                self._hold()
            else:
                self._stream(kind, script, model)

        def _json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _event(self, data: str) -> None:
            payload = f"data: {data}\n\n".encode()
            self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
            self.wfile.flush()

        def _stream(self, kind: Kind, script: Script, model: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                self._event(json.dumps(chunk(model, {"role": "assistant", "content": ""})))
                if kind == "hang":
                    self._hang(script, model)
                    return
                if kind == "drop":
                    self.close_connection = True  # no final chunk: the body ends unfinished
                    return
                if script.chunks is not None:
                    self._chunks(script)
                    return
                for event in script.events:
                    self._event(json.dumps({**chunk(model, {}), "event": event}))
                if script.reasoning:
                    for part in words(script.reasoning):
                        self._event(json.dumps(chunk(model, {"reasoning_content": part})))
                for part in words(script.text):
                    time.sleep(script.chunk_delay)
                    self._event(json.dumps(chunk(model, {"content": part})))
                if kind == "stream_error":
                    self._event(json.dumps({"error": script.error}))
                    self.close_connection = True
                    self.wfile.write(b"0\r\n\r\n")
                    return
                self._event(json.dumps(chunk(model, {}, "stop")))
                usage_chunk = {**chunk(model, {}), "choices": [], "usage": script.usage}
                self._event(json.dumps(usage_chunk))
                self._event("[DONE]")
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                fake.stream_closed_by_client.set()
                self.close_connection = True

        def _chunks(self, script: Script) -> None:
            texts = 0
            for item in script.chunks or []:
                delta = (item.get("choices") or [{}])[0].get("delta") or {}
                if delta.get("content") or delta.get("reasoning_content"):
                    texts += 1
                    # The test lets the next delta go only once it has the previous one.
                    if script.gate is not None and texts > 1 and not script.gate.acquire(timeout=20):
                        raise BrokenPipeError("gate never opened")
                self._event(json.dumps(item))
            self._event("[DONE]")
            self.wfile.write(b"0\r\n\r\n")

        def _hold(self) -> None:
            """Answer nothing; report when the client closes the connection (or after 20 s)."""
            self.connection.settimeout(0.05)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                try:
                    if self.connection.recv(1, socket.MSG_PEEK) == b"":
                        fake.stream_closed_by_client.set()
                        break
                except TimeoutError:
                    continue
                except OSError:
                    fake.stream_closed_by_client.set()
                    break
            self.close_connection = True

        def _hang(self, script: Script, model: str) -> None:
            """A run that never ends: one delta, then keep-alive comments until the client leaves."""
            self._event(json.dumps(chunk(model, {"content": "thinking"})))
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                time.sleep(0.05)
                self.wfile.write(b"8\r\n: ping\n\n\r\n")  # an SSE comment, as servers send to keep alive
                self.wfile.flush()
            self.close_connection = True

    return Handler
