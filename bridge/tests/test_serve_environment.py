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
