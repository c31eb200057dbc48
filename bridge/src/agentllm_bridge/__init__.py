"""AgentLLM's LiteLLM side: the `agno` provider handler (`handler.py`) and the proxy process that
serves LiteLLM's app behind a guard (`serve.py`). Nothing is imported here, so that importing a
submodule does not create the handler (which reads its settings on creation)."""
