"""Open WebUI's background-task name, forwarded to the runtime as `X-AgentLLM-Task`.

Open WebUI fills per-connection custom headers from templates (`parse_custom_headers` in
backend/open_webui/utils/headers.py): `{{TASK}}` becomes `metadata.get("task", "") or ""`. With
the operator's `X-OpenWebUI-Task: {{TASK}}` in `OPENAI_API_CONFIGS`, a normal chat turn sends the
header with an empty value, and a background task sends its `TASKS` value: `title_generation`,
`tags_generation`, `follow_up_generation`, `query_generation`, `autocomplete_generation`,
`emoji_generation`, `image_prompt_generation`, `function_calling`, `moa_response_generation`.
Only a short identifier is passed on; anything else (blank, long, odd characters) is dropped
without logging its value.
"""

import re

from agentllm_bridge.identity import CallContext

OPENWEBUI_TASK_HEADER = "x-openwebui-task"
RUNTIME_TASK_HEADER = "X-AgentLLM-Task"
_TASK = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def background_task(ctx: CallContext) -> str | None:
    value = ctx.headers.get(OPENWEBUI_TASK_HEADER)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if _TASK.fullmatch(value) else None
