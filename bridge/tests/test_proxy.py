"""The real LiteLLM proxy, started from the repo's proxy_config.yaml, with the fake runtime behind.

Proves the config loads the handler, that identity headers survive the proxy, and what a client
sees for each kind of runtime failure. One proxy per identity mode (header, JWT) for the module:
each takes ~10-15 s to start.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from agentllm_bridge.identity import JWT_SECRET_ENV
from tests.conftest import RUNTIME_TOKEN
from tests.fake_runtime import FakeRuntime, Script
from tests.identity_tokens import SECRET, mint

BRIDGE = Path(__file__).resolve().parents[1]
CONFIG = BRIDGE.parent / "proxy_config.yaml"
MASTER_KEY = "sk-agno-test-key-12345"
STARTUP_TIMEOUT = 60.0
# The proxy as production starts it: LiteLLM's app behind the bridge's guard.
SERVE = [sys.executable, "-m", "agentllm_bridge.serve"]

OPENWEBUI_HEADERS = {"X-OpenWebUI-User-Id": "owui-user-1", "X-OpenWebUI-Chat-Id": "owui-chat-9"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True)
class Proxy:
    client: httpx.Client
    log_path: Path  # the proxy's stdout and stderr

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture(scope="module")
def proxy(fake_runtime: FakeRuntime) -> Iterator[httpx.Client]:
    """Header mode: AGENTLLM_IDENTITY_JWT_SECRET unset, plain Open WebUI headers trusted."""
    with run_proxy(fake_runtime) as running:
        yield running.client


@pytest.fixture(scope="module")
def jwt_proxy(fake_runtime: FakeRuntime) -> Iterator[Proxy]:
    """JWT mode: a second proxy (the bridge reads the secret from the proxy's environment)."""
    with run_proxy(fake_runtime, {JWT_SECRET_ENV: SECRET}) as running:
        yield running


@contextmanager
def run_proxy(fake_runtime: FakeRuntime, extra_env: dict[str, str] | None = None) -> Iterator[Proxy]:
    port = free_port()
    env = {
        **os.environ,
        "LITELLM_MASTER_KEY": MASTER_KEY,
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "AGENTLLM_RUNTIME_URL": fake_runtime.url,
        "AGENTLLM_RUNTIME_TOKEN": RUNTIME_TOKEN,
        "PYTHONUNBUFFERED": "1",  # the log file is read while the proxy runs
    }
    # LiteLLM would take the runtime's DATABASE_URL as its own and try to run prisma against it.
    env.pop("DATABASE_URL", None)
    env.pop(JWT_SECRET_ENV, None)  # header mode unless asked
    env.update(extra_env or {})
    with tempfile.NamedTemporaryFile(prefix="litellm-proxy-", suffix=".log") as log:
        process = subprocess.Popen(
            [*SERVE, "--config", str(CONFIG), "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(base, process, log)
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {MASTER_KEY}"}, timeout=30) as c:
                yield Proxy(client=c, log_path=Path(log.name))
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(base: str, process: "subprocess.Popen[bytes]", log: Any) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(f"{base}/health/liveliness", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    log.seek(0)
    output = log.read().decode(errors="replace")[-4000:]
    raise AssertionError(f"LiteLLM proxy did not become ready (exit={process.poll()}):\n{output}")


@pytest.fixture
def runtime_behind_proxy(fake_runtime: FakeRuntime) -> FakeRuntime:
    fake_runtime.reset()
    return fake_runtime


def chat(stream: bool = False, **extra: Any) -> dict[str, Any]:
    return {"model": "agno/demo-agent", "messages": [{"role": "user", "content": "hi"}], "stream": stream, **extra}


def sse_events(response: httpx.Response) -> list[str]:
    return [line[len("data: ") :] for line in response.iter_lines() if line.startswith("data: ")]


def test_models_lists_agents(proxy: httpx.Client) -> None:
    ids = {m["id"] for m in proxy.get("/v1/models").json()["data"]}
    assert "agno/demo-agent" in ids
    assert {"gemini-2.5-flash", "gemini-2.5-pro"} <= ids


def test_non_stream_through_proxy(proxy: httpx.Client, runtime_behind_proxy: FakeRuntime) -> None:
    runtime_behind_proxy.reset(Script(text="hello there"))
    response = proxy.post("/v1/chat/completions", json=chat(temperature=0.5), headers=OPENWEBUI_HEADERS)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["choices"][0]["message"]["content"] == "hello there"
    assert body["usage"]["total_tokens"] == 18
    seen = runtime_behind_proxy.last
    assert seen.body["model"] == "demo-agent"
    assert seen.body["temperature"] == 0.5
    assert seen.headers["authorization"] == f"Bearer {RUNTIME_TOKEN}"
    assert seen.headers["x-agentllm-user-id"] == "owui-user-1"
    assert seen.headers["x-agentllm-session-id"] == "owui-chat-9"
    # The same id in LiteLLM's response header and the runtime's request: one request, both logs.
    assert seen.headers["x-request-id"] == response.headers["x-litellm-call-id"]


def test_stream_through_proxy(proxy: httpx.Client, runtime_behind_proxy: FakeRuntime) -> None:
    runtime_behind_proxy.reset(Script(text="one two three four"))
    request = chat(stream=True, stream_options={"include_usage": True})
    with proxy.stream("POST", "/v1/chat/completions", json=request, headers=OPENWEBUI_HEADERS) as response:
        assert response.status_code == 200
        events = sse_events(response)
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    texts = [c["choices"][0]["delta"].get("content") for c in chunks if c["choices"]]
    assert len([t for t in texts if t]) > 1
    assert "".join(t for t in texts if t) == "one two three four"
    assert chunks[-1]["usage"]["total_tokens"] == 18
    seen = runtime_behind_proxy.last
    assert seen.headers["x-agentllm-user-id"] == "owui-user-1"
    assert seen.headers["x-agentllm-session-id"] == "owui-chat-9"
    assert seen.body["stream_options"] == {"include_usage": True}


def test_thought_summary_through_proxy_streamed_and_not(proxy: httpx.Client, runtime_behind_proxy: FakeRuntime) -> None:
    thought, text = "First I look at the sprint.", "The sprint is on track."
    runtime_behind_proxy.reset(Script(text=text, reasoning=thought))
    request = chat(stream=True, stream_options={"include_usage": True})
    with proxy.stream("POST", "/v1/chat/completions", json=request) as response:
        assert response.status_code == 200
        chunks = [json.loads(e) for e in sse_events(response) if e != "[DONE]"]
    deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
    assert "".join(d.get("reasoning_content") or "" for d in deltas) == thought
    assert "".join(d.get("content") or "" for d in deltas) == text
    assert len({c["id"] for c in chunks}) == 1
    assert chunks[-1]["usage"]["total_tokens"] == 18

    body = proxy.post("/v1/chat/completions", json=chat()).json()
    assert body["choices"][0]["message"]["reasoning_content"] == thought
    assert body["choices"][0]["message"]["content"] == text


@pytest.mark.parametrize("status", [404, 409, 429, 503])
def test_runtime_error_status_reaches_client_without_retry(
    proxy: httpx.Client, runtime_behind_proxy: FakeRuntime, status: int
) -> None:
    runtime_behind_proxy.reset(Script(kind="error", status=status, error={"message": f"runtime {status}"}))
    response = proxy.post("/v1/chat/completions", json=chat())
    assert response.status_code == status, response.text
    assert f"runtime {status}" in response.json()["error"]["message"]
    assert len(runtime_behind_proxy.requests) == 1  # num_retries: 0 holds: an agent call is never replayed


def test_stream_error_before_first_chunk_keeps_status(proxy: httpx.Client, runtime_behind_proxy: FakeRuntime) -> None:
    runtime_behind_proxy.reset(Script(kind="error", status=409, error={"message": "session busy"}))
    with proxy.stream("POST", "/v1/chat/completions", json=chat(stream=True)) as response:
        response.read()
    assert response.status_code == 409
    assert "session busy" in response.json()["error"]["message"]
    assert len(runtime_behind_proxy.requests) == 1


def test_mid_stream_error_reaches_client_as_error_event(proxy: httpx.Client, runtime_behind_proxy: FakeRuntime) -> None:
    runtime_behind_proxy.reset(
        Script(kind="stream_error", text="partial answer", error={"message": "boom", "code": 502})
    )
    with proxy.stream("POST", "/v1/chat/completions", json=chat(stream=True)) as response:
        assert response.status_code == 200  # headers were already sent with the first chunk
        events = sse_events(response)
    assert "[DONE]" not in events
    error = json.loads(events[-1])["error"]
    assert "boom" in error["message"]
    assert str(error["code"]) == "502"
    texts = [json.loads(e)["choices"][0]["delta"].get("content") for e in events[:-1] if json.loads(e).get("choices")]
    assert "".join(t for t in texts if t) == "partial answer"


def test_client_disconnect_reaches_runtime(proxy: httpx.Client, runtime_behind_proxy: FakeRuntime) -> None:
    runtime_behind_proxy.reset(Script(kind="hang"))
    with proxy.stream("POST", "/v1/chat/completions", json=chat(stream=True)) as response:
        for line in response.iter_lines():
            if "thinking" in line:
                break  # leaving the block closes the connection mid-stream
    assert runtime_behind_proxy.stream_closed_by_client.wait(10)


# ---- JWT mode: AGENTLLM_IDENTITY_JWT_SECRET set on the proxy ----


def test_jwt_reaches_the_handler_and_beats_a_forged_header(jwt_proxy: Proxy, runtime_behind_proxy: FakeRuntime) -> None:
    # LiteLLM passes x-openwebui-user-jwt through unfiltered (metadata.headers); the plain header,
    # which anyone with the LiteLLM key can send, is ignored.
    headers = {"X-OpenWebUI-User-Jwt": mint("owui-jwt-user"), **OPENWEBUI_HEADERS}
    response = jwt_proxy.client.post("/v1/chat/completions", json=chat(), headers=headers)
    assert response.status_code == 200, response.text
    seen = runtime_behind_proxy.last
    assert seen.headers["x-agentllm-user-id"] == "owui-jwt-user"
    assert seen.headers["x-agentllm-session-id"] == "owui-chat-9"
    assert "x-openwebui-user-jwt" not in seen.headers  # the runtime gets the verified id, not the token
    # The bridge's one INFO line per request is printed by the proxy; no token or secret is.
    line = f"agent call request_id={seen.headers['x-request-id']} agent=demo-agent stream=False identity=jwt"
    output = wait_for_output(jwt_proxy, line)
    assert line in output
    for secret in (headers["X-OpenWebUI-User-Jwt"], SECRET, RUNTIME_TOKEN):
        assert secret not in output


def test_jwt_mode_without_token_ignores_plain_headers(jwt_proxy: Proxy, runtime_behind_proxy: FakeRuntime) -> None:
    response = jwt_proxy.client.post("/v1/chat/completions", json=chat(user="mallory"), headers=OPENWEBUI_HEADERS)
    assert response.status_code == 200, response.text
    # The master key's placeholder user names nobody: anonymous, with the chat still as session.
    assert "x-agentllm-user-id" not in runtime_behind_proxy.last.headers
    assert runtime_behind_proxy.last.headers["x-agentllm-session-id"] == "owui-chat-9"


@pytest.mark.parametrize("stream", [False, True])
def test_bad_jwt_is_401_to_the_client(jwt_proxy: Proxy, runtime_behind_proxy: FakeRuntime, stream: bool) -> None:
    now = int(time.time())
    token = mint("owui-jwt-user", iat=now - 400, exp=now - 60)
    headers = {"X-OpenWebUI-User-Jwt": token}
    with jwt_proxy.client.stream("POST", "/v1/chat/completions", json=chat(stream=stream), headers=headers) as response:
        response.read()
    assert response.status_code == 401, response.text
    error = response.json()["error"]
    assert "identity token expired" in error["message"]
    assert str(error["code"]) == "401"
    assert token.split(".")[1] not in response.text
    assert runtime_behind_proxy.requests == []
    output = wait_for_output(jwt_proxy, f"request rejected request_id={response.headers['x-litellm-call-id']}")
    assert "identity token expired" in output
    assert token.split(".")[1] not in output


def wait_for_output(proxy: Proxy, text: str, timeout: float = 5.0) -> str:
    deadline = time.monotonic() + timeout
    output = proxy.output()
    while text not in output and time.monotonic() < deadline:
        time.sleep(0.05)
        output = proxy.output()
    return output


# ---- The guard in front of LiteLLM (agentllm_bridge.serve) ----


def test_non_stream_client_disconnect_reaches_runtime(proxy: httpx.Client, runtime_behind_proxy: FakeRuntime) -> None:
    # LiteLLM does not cancel a non-stream call whose client left; the guard does, and the
    # bridge's upstream request closes with it.
    runtime_behind_proxy.reset(Script(kind="hold"))
    with pytest.raises(httpx.ReadTimeout):
        proxy.post("/v1/chat/completions", json=chat(), timeout=httpx.Timeout(10, read=1.0))
    assert runtime_behind_proxy.stream_closed_by_client.wait(10)


@pytest.mark.parametrize(
    ("sent", "forwarded"),
    [("title_generation", "title_generation"), ("", None), ("a b", None), ("x" * 65, None), ("x" * 64, "x" * 64)],
)
def test_openwebui_task_header_is_forwarded_when_it_is_an_identifier(
    proxy: httpx.Client, runtime_behind_proxy: FakeRuntime, sent: str, forwarded: str | None
) -> None:
    response = proxy.post("/v1/chat/completions", json=chat(), headers={"X-OpenWebUI-Task": sent})
    assert response.status_code == 200, response.text
    assert runtime_behind_proxy.last.headers.get("x-agentllm-task") == forwarded


@pytest.mark.parametrize("stream", [False, True])
def test_client_traceparent_reaches_the_runtime(
    proxy: httpx.Client, runtime_behind_proxy: FakeRuntime, stream: bool
) -> None:
    # No `otel` callback in proxy_config.yaml: the client's own trace context is the parent.
    traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    headers = {"traceparent": traceparent, "tracestate": "vendor=1"}
    with proxy.stream("POST", "/v1/chat/completions", json=chat(stream=stream), headers=headers) as response:
        assert response.status_code == 200, response.read()
        response.read()
    seen = runtime_behind_proxy.last
    assert seen.headers["traceparent"] == traceparent
    assert seen.headers["tracestate"] == "vendor=1"


def test_no_traceparent_without_one_from_the_client(proxy: httpx.Client, runtime_behind_proxy: FakeRuntime) -> None:
    assert proxy.post("/v1/chat/completions", json=chat()).status_code == 200
    assert "traceparent" not in runtime_behind_proxy.last.headers


def test_readiness_follows_the_runtime(proxy: httpx.Client, runtime_behind_proxy: FakeRuntime) -> None:
    runtime_behind_proxy.ready = False
    deadline = time.monotonic() + 10  # past the readiness cache
    while (response := proxy.get("/health/readiness")).status_code != 503 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert response.status_code == 503
    assert response.json()["agents"] == "unavailable"
    assert proxy.get("/health/liveliness").status_code == 200
    runtime_behind_proxy.ready = True
    while (response := proxy.get("/health/readiness")).status_code != 200 and time.monotonic() < deadline + 10:
        time.sleep(0.2)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("headers", "body", "status", "message"),
    [
        ({"Authorization": ""}, chat(), 401, "missing API key"),
        ({"Authorization": "Bearer sk-not-the-key"}, chat(), 401, "invalid API key"),
        ({}, [chat()], 400, "must be a JSON object, not an array"),
        ({}, chat(messages=[{"role": "user", "content": 42}]), 400, "messages.0.content: must be a string"),
    ],
)
def test_client_faults_are_clean_4xx(
    proxy: httpx.Client,
    runtime_behind_proxy: FakeRuntime,
    headers: dict[str, str],
    body: Any,
    status: int,
    message: str,
) -> None:
    response = proxy.post("/v1/chat/completions", json=body, headers=headers)
    assert response.status_code == status, response.text
    assert message in response.json()["error"]["message"]
    assert "Traceback" not in response.text
    assert runtime_behind_proxy.requests == []


def test_missing_runtime_token_stops_the_start() -> None:
    env = {k: v for k, v in os.environ.items() if k != "AGENTLLM_RUNTIME_TOKEN"}
    done = subprocess.run([*SERVE, "--config", str(CONFIG), "--port", "1"], env=env, capture_output=True, timeout=60)
    assert done.returncode == 2
    assert b"AGENTLLM_RUNTIME_TOKEN is not set" in done.stderr
    assert b"Traceback" not in done.stderr
