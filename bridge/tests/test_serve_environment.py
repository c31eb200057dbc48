"""The proxy takes its settings from its environment only, never from a stray .env file."""

import subprocess
import sys
import textwrap


def test_litellm_never_loads_a_dotenv_file() -> None:
    # LiteLLM calls python-dotenv at import (litellm/__init__.py) and in its CLI module unless
    # LITELLM_MODE says otherwise; count those calls in a fresh interpreter that imports what
    # `python -m agentllm_bridge.serve` imports, in the same order.
    probe = textwrap.dedent(
        """
        import dotenv
        calls = []
        dotenv.load_dotenv = lambda *args, **kwargs: calls.append(args) or False
        import agentllm_bridge.serve
        import litellm.proxy.proxy_cli
        print(len(calls))
        """
    )
    env = {"AGENTLLM_RUNTIME_TOKEN": "serve-env-test-token", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "0", result.stderr


def test_several_workers_are_refused_not_ignored() -> None:
    # LiteLLM's CLI would take --num_workers and do nothing with it (we serve one app object).
    env = {"AGENTLLM_RUNTIME_TOKEN": "serve-env-test-token", "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "agentllm_bridge.serve", "--config", "nowhere.yaml", "--num_workers", "2"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False, timeout=60)
    assert result.returncode == 2
    assert "--num_workers 2 is not supported" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_tracing_sampler_it_cannot_honour_stops_the_start_naming_it() -> None:
    env = {
        "AGENTLLM_RUNTIME_TOKEN": "serve-env-test-token",
        "PATH": "/usr/bin:/bin",
        "OTEL_TRACES_EXPORTER": "console",
        "OTEL_TRACES_SAMPLER": "jaeger_remote",
    }
    command = [sys.executable, "-m", "agentllm_bridge.serve", "--config", "nowhere.yaml"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False, timeout=60)
    assert result.returncode == 2
    assert "OTEL_TRACES_SAMPLER=jaeger_remote is not supported" in result.stderr
    assert "Traceback" not in result.stderr
