"""LiteLLM custom provider `agno`: forwards agent calls to the AgentLLM runtime."""

from agentllm_bridge.handler import AgnoHandler, agno_handler

__all__ = ["AgnoHandler", "agno_handler"]
