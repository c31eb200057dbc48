"""Idle and half-sent connections are closed by the server (uvicorn with the header timeout)."""

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from agentllm_bridge.http_protocol import with_header_timeout

HEADER_TIMEOUT = 0.5
WAIT_FOR_CLOSE = 15.0  # generous: only a bound for a broken server, not a measurement


async def hello(scope: dict, receive: object, send: object) -> None:  # type: ignore[type-arg]
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})  # type: ignore[operator]
    await send({"type": "http.response.body", "body": b"ok"})  # type: ignore[operator]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        hello,
        host="127.0.0.1",
        port=port,
        http=with_header_timeout(HEADER_TIMEOUT),
        timeout_keep_alive=1,
        log_level="warning",
        lifespan="off",
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    while not running.started:
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)


def closed_by_server(sock: socket.socket) -> bool:
    sock.settimeout(WAIT_FOR_CLOSE)
    try:
        while data := sock.recv(4096):
            if b"HTTP/1.1 4" in data:  # an error answer is fine too, as long as the socket closes
                continue
        return True
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def test_idle_and_half_sent_sockets_are_closed_and_others_are_served(server: str) -> None:
    host, port = server.removeprefix("http://").split(":")
    idle = [socket.create_connection((host, int(port))) for _ in range(60)]
    half_headers = [socket.create_connection((host, int(port))) for _ in range(10)]
    for sock in half_headers:
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Le")
    # Everyone else is still served while those sockets sit there.
    assert httpx.get(f"{server}/", timeout=10).text == "ok"
    try:
        assert all(closed_by_server(s) for s in idle + half_headers)
    finally:
        for sock in idle + half_headers:
            sock.close()


def test_idle_keep_alive_connection_is_closed_after_a_response(server: str) -> None:
    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
        assert closed_by_server(sock)


def test_slow_headers_after_a_response_are_cut(server: str) -> None:
    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET / HTTP/1.1\r\nHo")  # the next request starts, its headers never finish
        assert closed_by_server(sock)
