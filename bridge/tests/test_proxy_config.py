"""Guards on ../proxy_config.yaml that hold for every agent entry, present and future."""

from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # PyYAML comes with litellm[proxy], without stubs

CONFIG = Path(__file__).resolve().parents[2] / "proxy_config.yaml"


def load() -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load(CONFIG.read_text())
    return config


def agent_entries() -> list[dict[str, Any]]:
    return [m for m in load()["model_list"] if str(m["model_name"]).startswith("agno/")]


def test_agents_are_listed_explicitly() -> None:
    names = [m["model_name"] for m in agent_entries()]
    assert "agno/demo-agent" in names
    assert not [n for n in names if "*" in n]  # a wildcard would hide agents from /v1/models


def test_agent_entries_route_to_the_bridge_and_never_retry_or_cool_down() -> None:
    for entry in agent_entries():
        params = entry["litellm_params"]
        assert params["model"] == entry["model_name"]
        assert params["custom_llm_provider"] == "agno"
        assert params["num_retries"] == 0, entry["model_name"]
        assert params["cooldown_time"] == 0, entry["model_name"]


def test_bridge_and_identity_settings() -> None:
    config = load()
    assert config["litellm_settings"]["custom_provider_map"] == [
        {"provider": "agno", "custom_handler": "agentllm_bridge.handler.agno_handler"}
    ]
    assert config["general_settings"]["user_header_name"] == "X-OpenWebUI-User-Id"
    assert config["general_settings"]["master_key"] == "os.environ/LITELLM_MASTER_KEY"


def test_agent_entries_are_the_generated_block() -> None:
    # `npx just sync-models` owns the lines between the markers; an agent entry written by
    # hand elsewhere would escape its drift check.
    text = CONFIG.read_text()
    begin = text.index("  # BEGIN agent entries")
    end = text.index("  # END agent entries")
    block = yaml.safe_load(text[text.index("\n", begin) + 1 : end]) or []
    assert [m["model_name"] for m in block] == sorted(m["model_name"] for m in agent_entries())
