"""What the bridge logs: one INFO line per request, and never a secret, a token or the user's words."""

import logging

import litellm
import pytest

from agentllm_bridge.identity import JWT_SECRET_ENV
from tests.conftest import RUNTIME_TOKEN
from tests.fake_runtime import FakeRuntime
from tests.identity_tokens import SECRET, mint

pytestmark = pytest.mark.usefixtures("handler")

PLANTED = "planted-secret-7f3a9c-do-not-log"  # what a user might paste in chat
MASTER_KEY = "sk-master-key-must-not-be-logged"


def bridge_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("agentllm_bridge")]


def leaks(records: list[logging.LogRecord], *secrets: str) -> list[tuple[str, int, str]]:
    """(logger, level, secret prefix) for every record whose rendering or attributes hold a secret."""
    formatter = logging.Formatter()
    found = []
    for record in records:
        text = formatter.format(record) + repr(record.args) + repr(record.__dict__)
        found += [(record.name, record.levelno, secret[:12]) for secret in secrets if secret in text]
    return found


def is_litellm_debug(leak: tuple[str, int, str]) -> bool:
    name, level, _ = leak
    return name.startswith("LiteLLM") and level == logging.DEBUG


async def test_nothing_secret_reaches_any_log_record(
    runtime: FakeRuntime, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(JWT_SECRET_ENV, SECRET)
    monkeypatch.setenv("LITELLM_MASTER_KEY", MASTER_KEY)
    caplog.set_level(logging.DEBUG)  # every logger, every level
    caplog.set_level(logging.DEBUG, logger="agentllm_bridge")
    token = mint("u-logged")
    messages = [{"role": "user", "content": f"my password is {PLANTED}"}]
    metadata = {"headers": {"x-openwebui-user-jwt": token, "x-openwebui-chat-id": "c-log"}}

    await litellm.acompletion(
        model="agno/demo-agent", messages=messages, metadata=metadata, litellm_call_id="call-log-1"
    )
    stream = await litellm.acompletion(
        model="agno/demo-agent", messages=messages, metadata=metadata, stream=True, litellm_call_id="call-log-2"
    )
    async for _ in stream:
        pass
    # A rejected token is logged too (as a warning), and must not be echoed either.
    bad = mint("u-logged", secret="x" * 40)
    with pytest.raises(Exception, match="identity token signature invalid"):
        await litellm.acompletion(
            model="agno/demo-agent",
            messages=messages,
            metadata={"headers": {"x-openwebui-user-jwt": bad}},
            litellm_call_id="call-log-3",
        )
    assert runtime.last.headers["x-agentllm-user-id"] == "u-logged"  # the token really was used

    assert bridge_records(caplog), "the bridge logged nothing: the test would prove nothing"
    secrets = (RUNTIME_TOKEN, token, bad, SECRET, MASTER_KEY, *token.split("."), *bad.split("."))
    # Tokens, secrets and keys: in no record of any logger at any level.
    assert leaks(caplog.records, *secrets) == []
    # The user's words: in no record either, except LiteLLM's own DEBUG dump of the call's params
    # (utils.py, "Params passed to completion()"), which only LITELLM_LOG=DEBUG / --detailed_debug
    # turns on. Pinned so a change in litellm shows up here.
    planted = leaks(caplog.records, PLANTED)
    assert [leak for leak in planted if not is_litellm_debug(leak)] == []

    info = [r.getMessage() for r in bridge_records(caplog) if r.levelno == logging.INFO]
    assert info == [
        "agent call request_id=call-log-1 agent=demo-agent stream=False identity=jwt",
        "agent call request_id=call-log-2 agent=demo-agent stream=True identity=jwt",
    ]
    warnings = [r.getMessage() for r in bridge_records(caplog) if r.levelno == logging.WARNING]
    assert warnings == [
        "request rejected request_id=call-log-3 agent=demo-agent stream=False: identity token signature invalid"
    ]


@pytest.mark.parametrize(
    ("kwargs", "source"),
    [({"user": "u-body"}, "body"), ({"metadata": {"user_id": "u-meta"}}, "metadata"), ({}, "anonymous")],
)
def test_info_line_names_the_identity_source_in_header_mode(
    runtime: FakeRuntime, caplog: pytest.LogCaptureFixture, kwargs: dict[str, object], source: str
) -> None:
    caplog.set_level(logging.INFO, logger="agentllm_bridge")
    litellm.completion(
        model="agno/demo-agent", messages=[{"role": "user", "content": "hi"}], litellm_call_id="call-src", **kwargs
    )
    info = [r.getMessage() for r in bridge_records(caplog) if r.levelno == logging.INFO]
    assert info == [f"agent call request_id=call-src agent=demo-agent stream=False identity={source}"]
