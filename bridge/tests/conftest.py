import os

# Before anything imports litellm: use the bundled price list instead of fetching one.
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"

from collections.abc import Iterator

import litellm
import pytest

from agentllm_bridge.handler import AgnoHandler
from agentllm_bridge.identity import JWT_SECRET_ENV
from tests.fake_runtime import FakeRuntime

RUNTIME_TOKEN = "test-runtime-token"  # noqa: S105  # a fixture value, not a secret


@pytest.fixture(autouse=True)
def header_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts in header mode, whatever the developer's shell exports; JWT tests set it."""
    monkeypatch.delenv(JWT_SECRET_ENV, raising=False)


@pytest.fixture(scope="session")
def fake_runtime() -> Iterator[FakeRuntime]:
    fake = FakeRuntime().start()
    yield fake
    fake.stop()


@pytest.fixture
def runtime(fake_runtime: FakeRuntime, monkeypatch: pytest.MonkeyPatch) -> FakeRuntime:
    """The fake runtime, reset, with the bridge's environment pointing at it."""
    fake_runtime.reset()
    monkeypatch.setenv("AGENTLLM_RUNTIME_URL", fake_runtime.url)
    monkeypatch.setenv("AGENTLLM_RUNTIME_TOKEN", RUNTIME_TOKEN)
    return fake_runtime


@pytest.fixture
def handler() -> Iterator[AgnoHandler]:
    """A fresh handler registered as provider `agno`, the way the proxy registers it."""
    previous = litellm.custom_provider_map
    agno = AgnoHandler()
    litellm.custom_provider_map = [{"provider": "agno", "custom_handler": agno}]
    litellm.utils.custom_llm_setup()
    yield agno
    litellm.custom_provider_map = previous
