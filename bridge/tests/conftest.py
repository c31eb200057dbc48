import os

# Before anything imports litellm: use the bundled price list instead of fetching one.
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
# The module-level handler (what proxy_config.yaml names) reads its settings when the module is
# imported; tests build their own handlers with explicit settings (`install_handler`).
os.environ.setdefault("AGENTLLM_RUNTIME_TOKEN", "import-time-token")

from collections.abc import Iterator

import litellm
import pytest

from agentllm_bridge.handler import AgnoHandler
from agentllm_bridge.identity import JWT_SECRET_ENV
from agentllm_bridge.runtime_client import RuntimeClient, RuntimeSettings
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
def runtime(fake_runtime: FakeRuntime) -> FakeRuntime:
    """The fake runtime, reset (the `handler` fixture's handler points at it)."""
    fake_runtime.reset()
    return fake_runtime


def install_handler(url: str, client: RuntimeClient | None = None) -> AgnoHandler:
    """A fresh handler for the runtime at `url`, registered as provider `agno` as the proxy does."""
    agno = AgnoHandler(client, settings=RuntimeSettings(base_url=url, token=RUNTIME_TOKEN))
    litellm.custom_provider_map = [{"provider": "agno", "custom_handler": agno}]
    litellm.utils.custom_llm_setup()
    return agno


@pytest.fixture
def handler(fake_runtime: FakeRuntime) -> Iterator[AgnoHandler]:
    """A fresh handler for the fake runtime; the previous provider map is restored afterwards."""
    previous = litellm.custom_provider_map
    yield install_handler(fake_runtime.url)
    litellm.custom_provider_map = previous
