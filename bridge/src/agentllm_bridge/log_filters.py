"""Client faults are one WARNING line in the proxy's log, never an ERROR or a traceback.

LiteLLM 1.108.7 logs a 4xx from a provider at ERROR with its traceback (`log_llm_api_exception`:
"a 4xx returned by a provider is an upstream or deployment problem"). For the `agno` provider a
4xx is the runtime refusing the client's input (a bad role, a session busy, an unknown agent).
LiteLLM's own rejections (`is_expected_client_error`: a missing `messages`, a bad key) it logs
at ERROR without a traceback. Both become WARNING without the traceback; other providers' 4xx
and every 5xx are left as LiteLLM writes them.
"""

import logging

from litellm.litellm_core_utils.core_helpers import is_expected_client_error

from agentllm_bridge.request import PROVIDER

# LiteLLM's loggers (litellm/_logging.py): verbose_logger, verbose_router_logger, verbose_proxy_logger.
LITELLM_LOGGERS = ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy")


class AgentClientFaults(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = _exception_of(record)
        if record.levelno >= logging.ERROR and (is_agent_client_fault(exc) or is_expected_client_error(exc)):
            record.exc_info = None
            record.exc_text = None
            record.levelno = logging.WARNING
            record.levelname = logging.getLevelName(logging.WARNING)
        return True


def install() -> None:
    for name in LITELLM_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, AgentClientFaults) for f in logger.filters):
            # First: LiteLLM's own logger filter (StdoutLogTruncationFilter) turns the record's
            # arguments, the exception among them, into text.
            logger.filters.insert(0, AgentClientFaults())


def is_agent_client_fault(exc: BaseException | None) -> bool:
    if exc is None:
        return False
    status = getattr(exc, "status_code", None)
    if not isinstance(status, int) or isinstance(status, bool) or not 400 <= status <= 499:
        return False
    return getattr(exc, "llm_provider", None) == PROVIDER or "AgnoException" in str(exc)


def _exception_of(record: logging.LogRecord) -> BaseException | None:
    if record.exc_info and record.exc_info[1] is not None:
        return record.exc_info[1]
    args = record.args if isinstance(record.args, tuple) else ()
    return next((a for a in args if isinstance(a, BaseException)), None)
