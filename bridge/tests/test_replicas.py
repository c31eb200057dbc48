"""Several runtimes behind one bridge: the URL list, rotation, failover only when safe, cooldown.

Most cases use httpx's MockTransport (every failure exactly where the test puts it); the refused
connection and the runtime dying mid-answer use real sockets.
"""

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Literal

import httpx
import litellm
import pytest

from agentllm_bridge.errors import RUNTIME_UNAVAILABLE
from agentllm_bridge.readiness import RuntimeReadiness
from agentllm_bridge.replicas import COOLDOWN_S, MAX_RUNTIME_URLS, ReplicaPool
from agentllm_bridge.runtime_client import RuntimeCall, RuntimeClient, RuntimeSettings, SettingsError
from tests.conftest import RUNTIME_TOKEN, install_handler
from tests.fake_runtime import FakeRuntime, Script

Mode = Literal["complete", "acomplete", "stream", "astream"]
MODES: list[Mode] = ["complete", "acomplete", "stream", "astream"]
A, B, C = "http://a.test:9510", "http://b.test:9510", "http://c.test:9510"
MESSAGES = [{"role": "user", "content": "hi"}]
Handler = Callable[[httpx.Request], httpx.Response]


# ---- parsing -------------------------------------------------------------------------------------


def settings_from(url: str) -> RuntimeSettings:
    return RuntimeSettings.from_env({"AGENTLLM_RUNTIME_TOKEN": "t", "AGENTLLM_RUNTIME_URL": url})


def test_one_url_works_as_before() -> None:
    settings = settings_from("http://runtime:9510/")
    assert settings.base_url == "http://runtime:9510"
    assert settings.urls == ("http://runtime:9510",)
    assert settings.readiness_urls == ("http://runtime:9510/readyz",)
    assert RuntimeSettings(base_url="http://x:1", token=RUNTIME_TOKEN).urls == ("http://x:1",)


def test_a_comma_separated_list() -> None:
    settings = settings_from(" http://r1:9510 , https://r2:9510/,http://10.0.0.3:9510")
    assert settings.urls == ("http://r1:9510", "https://r2:9510", "http://10.0.0.3:9510")
    assert settings.base_url == "http://r1:9510"


def test_at_most_the_limit() -> None:
    urls = [f"http://r{i}:9510" for i in range(MAX_RUNTIME_URLS)]
    assert len(settings_from(",".join(urls)).urls) == MAX_RUNTIME_URLS
    with pytest.raises(SettingsError, match=f"AGENTLLM_RUNTIME_URL lists 17 URLs; at most {MAX_RUNTIME_URLS}"):
        settings_from(",".join([*urls, "http://one-more:9510"]))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("http://r1:9510,,http://r2:9510", r"AGENTLLM_RUNTIME_URL must be an http:// .* \(entry 2\)"),
        ("http://r1:9510,ftp://r2", r"AGENTLLM_RUNTIME_URL must be an http:// .* \(entry 2\)"),
        ("http://user:secret@r1:9510", "AGENTLLM_RUNTIME_URL must be an http:// .*no credentials"),
        ("http://", "AGENTLLM_RUNTIME_URL must be an http://"),
        ("http://r1:9510,http://r1:9510/", "AGENTLLM_RUNTIME_URL lists the same URL twice"),
    ],
)
def test_bad_lists_name_the_variable(raw: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message) as caught:
        settings_from(raw)
    assert "secret" not in str(caught.value)


# ---- the pool ------------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_round_robin_and_cooldown() -> None:
    clock = Clock()
    pool = ReplicaPool([A, B, C], clock=clock)
    assert [pool.order()[0] for _ in range(4)] == [A, B, C, A]
    pool.failed(B)
    # B goes last while it cools down (still tried, once, if all before it fail).
    assert pool.order() == [A, C, B]
    assert pool.order() == [C, A, B]
    clock.now += COOLDOWN_S
    assert pool.order() == [A, B, C]  # turn 6 of 3: back in the round


def test_all_cooling_down_tries_each_soonest_back_first() -> None:
    clock = Clock()
    pool = ReplicaPool([A, B, C], clock=clock)
    pool.failed(C)
    clock.now += 1
    pool.failed(A)
    clock.now += 1
    pool.failed(B)
    assert pool.order() == [C, A, B]
    pool.answered(A)
    assert pool.order()[0] == A


# ---- failover through the client ------------------------------------------------------------------


def completion_json(url: str) -> dict[str, Any]:
    return {"choices": [{"index": 0, "message": {"role": "assistant", "content": url}, "finish_reason": "stop"}]}


def sse(url: str) -> bytes:
    chunk = {"choices": [{"index": 0, "delta": {"content": url}, "finish_reason": None}]}
    return f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode()


def answer(request: httpx.Request) -> httpx.Response:
    url = f"{request.url.scheme}://{request.url.host}:{request.url.port}"
    if json.loads(request.content).get("stream"):
        return httpx.Response(200, content=sse(url), headers={"Content-Type": "text/event-stream"})
    return httpx.Response(200, json=completion_json(url))


def refused_draining(_: httpx.Request) -> httpx.Response:
    return httpx.Response(
        503,
        json={"error": {"message": "shutting down", "type": "server_error", "code": "runtime_draining"}},
        headers={"X-AgentLLM-Refused": "draining", "Retry-After": "5"},
    )


def error(status: int, code: str, **headers: str) -> Handler:
    def respond(_: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"error": {"message": code, "code": code}}, headers=headers)

    return respond


def raises(exc: type[httpx.TransportError]) -> Handler:
    def respond(request: httpx.Request) -> httpx.Response:
        raise exc("boom", request=request)

    return respond


class Broken(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A 200 whose body breaks after its first event: the response had started."""

    def __iter__(self) -> Iterator[bytes]:
        yield sse("started").split(b"data: [DONE]")[0]
        raise httpx.ReadError("connection reset")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield sse("started").split(b"data: [DONE]")[0]
        raise httpx.ReadError("connection reset")


def breaks_mid_answer(_: httpx.Request) -> httpx.Response:
    return httpx.Response(200, stream=Broken(), headers={"Content-Type": "text/event-stream"})


class Runtimes:
    """Scripted runtimes by host; records which ones each call reached."""

    def __init__(self, **behaviour: Handler) -> None:
        self.behaviour = behaviour
        self.reached: list[str] = []
        self.headers: list[httpx.Headers] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host.split(".")[0]
        self.reached.append(host)
        self.headers.append(request.headers)
        return self.behaviour.get(host, answer)(request)


class MockedClient(RuntimeClient):
    def __init__(self, runtimes: Runtimes) -> None:
        super().__init__()
        self._sync_mock = httpx.Client(transport=httpx.MockTransport(runtimes))
        self._async_mock = httpx.AsyncClient(transport=httpx.MockTransport(runtimes))

    def _sync_client(self) -> httpx.Client:
        return self._sync_mock

    def _async_client(self) -> httpx.AsyncClient:
        return self._async_mock


def runtime_call(urls: tuple[str, ...], *, stream: bool) -> RuntimeCall:
    return RuntimeCall(
        settings=RuntimeSettings(base_url=urls[0], token=RUNTIME_TOKEN, base_urls=urls),
        body={"model": "demo-agent", "messages": [{"role": "user", "content": "hi"}], "stream": stream},
        headers={"X-Request-Id": "req-1", "traceparent": "00-" + "a" * 32 + "-" + "b" * 16 + "-01"},
        request_id="req-1",
    )


def run(client: RuntimeClient, mode: Mode, urls: tuple[str, ...] = (A, B, C)) -> str:
    """One call; the text is the URL of the runtime that answered."""
    call = runtime_call(urls, stream=mode in ("stream", "astream"))
    if mode == "complete":
        return str(client.complete(call)["choices"][0]["message"]["content"])
    if mode == "stream":
        return "".join(str(c["choices"][0]["delta"].get("content") or "") for c in client.stream(call))

    async def go() -> str:
        if mode == "acomplete":
            return str((await client.acomplete(call))["choices"][0]["message"]["content"])
        return "".join([str(c["choices"][0]["delta"].get("content") or "") async for c in client.astream(call)])

    return asyncio.run(go())


def status_of(exc: BaseException) -> Any:
    # A bridge error, or LiteLLM's wrapper of one raised mid-stream: both keep the status.
    return getattr(exc, "status_code", None)


@pytest.mark.parametrize("mode", MODES)
def test_calls_rotate_over_the_runtimes(mode: Mode) -> None:
    runtimes = Runtimes()
    client = MockedClient(runtimes)
    assert [run(client, mode) for _ in range(4)] == [A, B, C, A]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "failure",
    [
        raises(httpx.ConnectError),
        raises(httpx.ConnectTimeout),
        raises(httpx.WriteError),
        refused_draining,
        error(503, "overloaded", **{"Retry-After": "2"}),
    ],
    ids=["connect-refused", "connect-timeout", "write-failed", "draining", "overloaded"],
)
def test_fails_over_when_the_run_certainly_did_not_start(mode: Mode, failure: Handler) -> None:
    runtimes = Runtimes(a=failure)
    client = MockedClient(runtimes)
    assert run(client, mode) == B
    # Each attempt carries the same request id and trace context.
    assert runtimes.reached == ["a", "b"]
    assert {h["x-request-id"] for h in runtimes.headers} == {"req-1"}
    assert len({h["traceparent"] for h in runtimes.headers}) == 1
    # A cools down: the next calls skip it while it does.
    assert [run(client, mode) for _ in range(3)] == [C, B, C]
    assert "a" not in runtimes.reached[2:]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("failure", "status"),
    [
        (raises(httpx.ReadTimeout), 504),
        (raises(httpx.ReadError), 502),
        (raises(httpx.RemoteProtocolError), 502),
        (error(500, "internal"), 502),
        (error(503, "upstream_unavailable"), 503),
        # A run cut at the drain deadline: same code, no refusal header, it did run.
        (error(503, "runtime_draining"), 503),
        (error(409, "session_busy"), 409),
        (error(429, "rate_limited"), 429),
    ],
    ids=["read-timeout", "read-error", "disconnected", "500", "gemini-503", "drain-cut", "409", "429"],
)
def test_never_retries_once_the_runtime_may_have_run(mode: Mode, failure: Handler, status: int) -> None:
    runtimes = Runtimes(a=failure)
    with pytest.raises(Exception) as caught:
        run(MockedClient(runtimes), mode)
    assert status_of(caught.value) == status
    assert runtimes.reached == ["a"]


@pytest.mark.parametrize("mode", ["stream", "astream"])
def test_never_retries_after_the_response_started(mode: Mode) -> None:
    runtimes = Runtimes(a=breaks_mid_answer)
    client = MockedClient(runtimes)
    with pytest.raises(Exception) as caught:
        run(client, mode)
    assert status_of(caught.value) == 502
    assert runtimes.reached == ["a"]
    # The runtime that broke cools down: the next calls go elsewhere.
    assert {run(client, mode) for _ in range(2)} == {B, C}
    assert runtimes.reached.count("a") == 1


@pytest.mark.parametrize("mode", MODES)
def test_all_down_tries_each_once_then_reports_the_error(mode: Mode) -> None:
    runtimes = Runtimes(a=raises(httpx.ConnectError), b=refused_draining, c=raises(httpx.ConnectError))
    client = MockedClient(runtimes)
    with pytest.raises(Exception) as caught:
        run(client, mode)
    assert status_of(caught.value) == 503
    assert runtimes.reached == ["a", "b", "c"]
    assert RUNTIME_UNAVAILABLE in str(caught.value)
    # All cooling down: the next call still tries each, once.
    runtimes.reached.clear()
    with pytest.raises(Exception) as again:
        run(client, mode)
    assert status_of(again.value) == 503
    assert sorted(runtimes.reached) == ["a", "b", "c"]


@pytest.mark.parametrize("mode", MODES)
def test_the_last_refusal_is_what_the_client_gets(mode: Mode) -> None:
    runtimes = Runtimes(a=raises(httpx.ConnectError), b=refused_draining)
    with pytest.raises(Exception) as caught:
        run(MockedClient(runtimes), mode, (A, B))
    assert status_of(caught.value) == 503
    assert "shutting down" in str(caught.value)


# ---- real sockets and the LiteLLM entry points ----------------------------------------------------


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.usefixtures("handler")  # restores the provider map afterwards
def test_through_litellm_a_refused_connection_goes_to_the_next_runtime(
    runtime: FakeRuntime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="agentllm_bridge")
    down = closed_port_url()
    agno = install_handler(runtime.url)
    agno.settings = RuntimeSettings(base_url=down, token=RUNTIME_TOKEN, base_urls=(down, runtime.url))
    messages = MESSAGES
    text = litellm.completion(model="agno/demo-agent", messages=messages).choices[0].message.content
    assert text == "Hello from the fake runtime"
    streamed = "".join(
        c.choices[0].delta.content or ""
        for c in litellm.completion(model="agno/demo-agent", messages=messages, stream=True)
    )
    assert streamed == "Hello from the fake runtime"

    async def both_async() -> None:
        done = await litellm.acompletion(model="agno/demo-agent", messages=messages)
        assert done.choices[0].message.content == "Hello from the fake runtime"
        stream = await litellm.acompletion(model="agno/demo-agent", messages=messages, stream=True)
        assert "".join([c.choices[0].delta.content or "" async for c in stream]) == "Hello from the fake runtime"

    asyncio.run(both_async())
    assert len(runtime.requests) == 4
    answered = [r.getMessage() for r in caplog.records if "runtime answered" in r.getMessage()]
    assert len(answered) == 4
    assert all(runtime.url in line and RUNTIME_TOKEN not in line for line in answered)


@pytest.mark.usefixtures("handler")
def test_through_litellm_a_runtime_dying_mid_answer_is_a_clean_error_not_a_retry(runtime: FakeRuntime) -> None:
    runtime.reset(Script(kind="drop"))
    other = FakeRuntime().start()
    try:
        agno = install_handler(runtime.url)
        agno.settings = RuntimeSettings(base_url=runtime.url, token=RUNTIME_TOKEN, base_urls=(runtime.url, other.url))
        with pytest.raises(Exception) as caught:
            for _ in litellm.completion(
                model="agno/demo-agent", messages=[{"role": "user", "content": "hi"}], stream=True
            ):
                pass
        assert status_of(caught.value) == 502
        assert len(runtime.requests) == 1
        assert other.requests == []
    finally:
        other.stop()


async def test_readiness_is_ready_when_any_runtime_is(runtime: FakeRuntime) -> None:
    down = closed_port_url()
    not_ready = FakeRuntime().start()
    not_ready.ready = False
    try:
        urls = [f"{down}/readyz", f"{not_ready.url}/readyz"]
        assert not await RuntimeReadiness(urls, timeout_s=1.0, cache_s=0).is_ready()
        urls.append(f"{runtime.url}/readyz")
        assert await RuntimeReadiness(urls, timeout_s=1.0, cache_s=0).is_ready()
    finally:
        not_ready.stop()
