# AgentLLM: tool-using agents as models behind a LiteLLM proxy.
# `npx just` lists the recipes; `npx just demo` runs everything with no configuration.

set dotenv-load
set dotenv-filename := ".env.secrets"
set shell := ["bash", "-euo", "pipefail", "-c"]

export UV_PYTHON_DOWNLOADS := "never"
# `pip install --user` puts uv in ~/.local/bin, which a shell started before that may lack:
# without it here, every recipe would install uv again.
export PATH := env("HOME") + "/.local/bin:" + env("PATH")
export LITELLM_MASTER_KEY := env("LITELLM_MASTER_KEY", "sk-agno-test-key-12345")

tsx := "node --import tsx"

# List the recipes
default:
    @just --list --unsorted

# Install node modules, uv (if missing) and the bridge's Python venv with LiteLLM; quick when done
setup:
    #!/usr/bin/env bash
    set -euo pipefail
    stamp=node_modules/.package-lock.json
    if [ ! -f "$stamp" ] || [ -n "$(find package.json package-lock.json packages/*/package.json -newer "$stamp" 2>/dev/null)" ]; then
      echo "setup: installing node modules"
      npm install --no-audit --no-fund
      # npm leaves the stamp alone when nothing needed installing (a touched package.json):
      # without this, every later recipe would run npm install again.
      touch "$stamp"
    fi
    if ! command -v uv >/dev/null 2>&1; then
      echo "setup: installing uv"
      # Debian's and Ubuntu's Python refuse even --user installs (PEP 668) unless told; uv is
      # one self-contained binary in ~/.local/bin and changes nothing of the system's Python.
      PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --user --quiet uv
      command -v uv >/dev/null 2>&1 || { echo "setup: uv is installed but not on PATH; add $(python3 -m site --user-base)/bin to PATH"; exit 1; }
    fi
    # The bridge venv follows bridge/requirements.lock (exact versions, sha256 hashes); see
    # bridge/README.md for why a hashed requirements lock rather than uv.lock.
    if [ ! -x bridge/.venv/bin/litellm ] || [ bridge/requirements.lock -nt bridge/.venv/.synced ] || [ bridge/pyproject.toml -nt bridge/.venv/.synced ]; then
      echo "setup: syncing the bridge venv (LiteLLM proxy; the first time takes a minute)"
      [ -x bridge/.venv/bin/python ] || uv venv --quiet --python python3.11 bridge/.venv
      uv pip sync --quiet --require-hashes --python bridge/.venv/bin/python bridge/requirements.lock
      uv pip install --quiet --no-deps --python bridge/.venv/bin/python -e bridge
      touch bridge/.venv/.synced
    fi

# Compile the runtime and the packages it loads to JavaScript in packages/*/dist (incremental)
build: setup
    npx tsc -b tsconfig.build.json

# Re-pin the bridge's Python dependencies after editing bridge/pyproject.toml
lock-bridge:
    cd bridge && uv pip compile pyproject.toml --group pyproject.toml:dev --generate-hashes --universal --python-version 3.11 --no-header --quiet -o requirements.lock

# Run the compiled runtime and the LiteLLM proxy on 9501 against real Gemini (needs GEMINI_API_KEY)
proxy: setup build
    {{tsx}} packages/stack/src/cli.ts proxy

# Run the whole stack on the fake Gemini from source: no key, no build, throwaway keys and data
demo: setup
    {{tsx}} packages/stack/src/cli.ts demo

# Ask an agent something through the running proxy (stream=true for a stream; model: any agno/NAME)
[positional-arguments]
hello message="Hello! What can you do for me?" stream="false" model="agno/demo-agent":
    curl -sS --no-buffer http://127.0.0.1:${AGENTLLM_PROXY_PORT:-9501}/v1/chat/completions \
      -H "Authorization: Bearer $LITELLM_MASTER_KEY" \
      -H "Content-Type: application/json" \
      -H "X-OpenWebUI-User-Id: hello-user" \
      -H "X-OpenWebUI-Chat-Id: hello-chat-$(date +%s)" \
      -d "$(node -e 'console.log(JSON.stringify({model: process.argv[3], stream: process.argv[2] === "true", stream_options: process.argv[2] === "true" ? {include_usage: true} : undefined, messages: [{role: "user", content: process.argv[1]}]}))' "$1" "$2" "$3")"
    @echo

# Create packages/agent-NAME, a working agent with one example tool (see docs/creating-agents.md)
[positional-arguments]
new-agent name *options: setup
    {{tsx}} scripts/new-agent.ts "$@"

# Regenerate proxy_config.yaml's agent entries from the discovered agents (--check: only compare)
[positional-arguments]
sync-models *options: setup
    {{tsx}} scripts/sync-models.ts "$@"

# Benchmark what the LiteLLM → bridge → runtime path adds (`--quick`: < 1 min; full: < 10 min)
bench *args: setup build
    {{tsx}} bench/src/run-bench.ts {{args}}

# Run every test (TypeScript and Python) after the build; the last line is the total
test: setup build
    #!/usr/bin/env bash
    set -uo pipefail
    mkdir -p tmp/test-results
    npx vitest run --reporter=default --reporter=json --outputFile.json=tmp/test-results/vitest.json
    vitest_status=$?
    (cd bridge && .venv/bin/pytest --junitxml=../tmp/test-results/pytest.xml -q)
    pytest_status=$?
    # .ci/run runs `just test-e2e` first and names its report here, so the total counts it too.
    {{tsx}} scripts/test-summary.ts tmp/test-results/vitest.json tmp/test-results/pytest.xml ${AGENTLLM_E2E_REPORT:-}
    summary_status=$?
    [ "$vitest_status" -eq 0 ] && [ "$pytest_status" -eq 0 ] && [ "$summary_status" -eq 0 ]

# A real Open WebUI in a real browser (Debian's chromium) in front of the stack; installs both the first time
test-e2e: setup
    #!/usr/bin/env bash
    set -euo pipefail
    if [ ! -x /usr/bin/chromium ]; then
      if [ "$(id -u)" -ne 0 ]; then echo "test-e2e: needs /usr/bin/chromium (apt-get install chromium)"; exit 1; fi
      echo "test-e2e: installing chromium"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
    version=$(node -e 'console.log(require("fs").readFileSync("packages/stack/src/open-webui.ts","utf8").match(/OPEN_WEBUI_VERSION = "([^"]+)"/)[1])')
    venv=tmp/open-webui-venv
    if [ "$(cat $venv/.version 2>/dev/null)" != "$version" ]; then
      echo "test-e2e: installing open-webui $version (large the first time; uv's cache makes it quick after)"
      rm -rf $venv
      uv venv --quiet --python python3.11 $venv
      uv pip install --quiet --python $venv/bin/python "open-webui==$version"
      echo "$version" > $venv/.version
    fi
    # Screenshots of each step land in tmp/test-results/e2e/<identity mode>/, fresh each run.
    rm -rf tmp/test-results/e2e tmp/test-results/e2e.json
    mkdir -p tmp/test-results/e2e
    npx vitest run --config vitest.e2e.config.ts --reporter=default --reporter=json --outputFile.json=tmp/test-results/e2e.json

# Lint and type-check everything (biome, tsc, ruff, the bridge's type checker)
lint: setup
    npx biome check .
    npx tsc -p . --noEmit
    cd bridge && .venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy

# Format everything in place
format: setup
    npx biome check --write .
    cd bridge && .venv/bin/ruff format . && .venv/bin/ruff check --fix .
