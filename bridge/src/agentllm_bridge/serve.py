"""The proxy process: LiteLLM's app behind `ProxyGuard`, served by uvicorn with our timeouts.

    bridge/.venv/bin/python -m agentllm_bridge.serve --config proxy_config.yaml --host H --port P

Takes the `litellm` command's arguments. LiteLLM's own CLI does the set-up (config, logging,
environment) with its `--skip_server_startup` flag, which stops before it runs uvicorn; then we
run uvicorn ourselves on the same app object, wrapped, with LiteLLM's own uvicorn arguments plus
the keep-alive and header timeouts. Nothing in LiteLLM is patched.
"""

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

# Read by litellm at import (the next line imports it): start offline, with the bundled price list.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
# Otherwise ("DEV") LiteLLM loads the first .env it finds above its own install folder, which for
# bridge/.venv is the repository root: a compose .env there would hand the proxy every variable in
# it, DATABASE_URL included. The proxy's settings come from its environment, nothing else.
os.environ.setdefault("LITELLM_MODE", "PRODUCTION")

from agentllm_bridge.runtime_client import RuntimeSettings, SettingsError

EXIT_BAD_SETTINGS = 2


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        # Checked before LiteLLM's slow import, so a missing secret stops the start at once.
        from agentllm_bridge.proxy_settings import ProxySettings
        from agentllm_bridge.proxy_tracing import sampler_from_env, tracing_choice

        runtime = RuntimeSettings.from_env()
        settings = ProxySettings.from_env()
        if tracing_choice(os.environ) is not None:
            sampler_from_env(os.environ)
        _refuse_workers(args)
    except SettingsError as exc:
        sys.stderr.write(f"agentllm proxy: {exc}\n")
        return EXIT_BAD_SETTINGS

    import uvicorn
    from litellm.proxy.proxy_cli import ProxyInitializationHelpers, run_server

    known = _address(args)
    run_server.main(args=[*args, "--skip_server_startup"], standalone_mode=False)

    from litellm.proxy import proxy_server

    from agentllm_bridge import gc_safe_points, log_filters
    from agentllm_bridge.guard import AuthState, ProxyGuard
    from agentllm_bridge.http_protocol import with_header_timeout
    from agentllm_bridge.key_routes import KeyRoutes
    from agentllm_bridge.proxy_tracing import start_proxy_tracing
    from agentllm_bridge.readiness import RuntimeReadiness

    log_filters.install()
    # After LiteLLM's set-up, before its start-up event: LiteLLM's `otel` callback, only when the
    # OTEL_* variables ask for an exporter.
    tracer_provider = start_proxy_tracing(os.environ)

    def auth_state() -> AuthState:
        # Read per request: LiteLLM sets both in its start-up event, after this function runs.
        return AuthState(master_key=proxy_server.master_key, has_database=proxy_server.prisma_client is not None)

    readiness = RuntimeReadiness(
        runtime.readiness_urls, timeout_s=settings.readiness_timeout_s, cache_s=settings.readiness_cache_s
    )
    app: Any = ProxyGuard(
        proxy_server.app, settings, readiness, auth_state, KeyRoutes(proxy_server.app.openapi).needs_key
    )
    if gc_safe_points.needed():
        # CPython 3.10/3.11 crash when a collection runs inside ContextVar.set (gh-148891).
        app = gc_safe_points.CollectAtSafePoints(app)
    uvicorn_args = ProxyInitializationHelpers.get_default_unvicorn_init_args(
        host=known.host, port=known.port, log_config=known.log_config
    )
    uvicorn_args.update(
        app=app,
        http=with_header_timeout(settings.header_timeout_s),
        timeout_keep_alive=settings.keepalive_timeout_s,
    )
    loop_type = ProxyInitializationHelpers.get_loop_type()
    if loop_type:
        uvicorn_args["loop"] = loop_type
    try:
        uvicorn.run(**uvicorn_args)
    finally:
        if tracer_provider is not None:
            # Flushes the queued spans, within the exporter's timeout (OTEL_EXPORTER_OTLP_TIMEOUT).
            tracer_provider.shutdown()
    return 0


def _refuse_workers(args: list[str]) -> None:
    """LiteLLM's `--num_workers` would be accepted and ignored: we run uvicorn on one app object.

    Several workers need uvicorn to import the app in each process, which LiteLLM's set-up (done
    once here, in this process) cannot give; run several proxy processes instead.
    """
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--num_workers", default=None)
    known, _ = parser.parse_known_args(args)
    if known.num_workers is not None and known.num_workers.strip() != "1":
        raise SettingsError(
            f"--num_workers {known.num_workers} is not supported: one proxy process runs one worker;"
            " run several proxy processes (replicas) behind a load balancer instead"
            " (docs/performance.md, Scaling)"
        )


def _address(args: list[str]) -> argparse.Namespace:
    """The few LiteLLM CLI options we need ourselves, with LiteLLM's defaults; the rest is LiteLLM's."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--host", default=os.environ.get("HOST", "0.0.0.0"))  # noqa: S104  # LiteLLM's default
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "4000")))
    parser.add_argument("--log_config", default=None)
    known, _ = parser.parse_known_args(args)
    return known


if __name__ == "__main__":
    sys.exit(main())
