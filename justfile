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
setup: setup-node
    #!/usr/bin/env bash
    set -euo pipefail
    if ! command -v uv >/dev/null 2>&1; then
      echo "setup: installing uv"
      # Debian's and Ubuntu's Python refuse even --user installs (PEP 668) unless told; uv is
      # one self-contained binary in ~/.local/bin and changes nothing of the system's Python.
      PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --user --quiet uv
      command -v uv >/dev/null 2>&1 || { echo "setup: uv is installed but not on PATH; add $(python3 -m site --user-base)/bin to PATH"; exit 1; }
    fi
    # The bridge venv follows bridge/requirements-dev.lock (the proxy's pins plus the dev tools,
    # exact versions, sha256 hashes; the proxy image installs bridge/requirements.lock); see
    # bridge/README.md for why a hashed requirements lock rather than uv.lock.
    if [ ! -x bridge/.venv/bin/litellm ] || [ bridge/requirements-dev.lock -nt bridge/.venv/.synced ] || [ bridge/pyproject.toml -nt bridge/.venv/.synced ]; then
      echo "setup: syncing the bridge venv (LiteLLM proxy; the first time takes a minute)"
      [ -x bridge/.venv/bin/python ] || uv venv --quiet --python python3.11 bridge/.venv
      uv pip sync --quiet --require-hashes --python bridge/.venv/bin/python bridge/requirements-dev.lock
      uv pip install --quiet --no-deps --python bridge/.venv/bin/python -e bridge
      touch bridge/.venv/.synced
    fi

# kustomize for the Kubernetes base's static test, built from the Go module registry into tmp/bin
[private]
setup-kustomize:
    #!/usr/bin/env bash
    set -euo pipefail
    # Pinned; packages/stack/test/kustomize-render.ts checks the same version.
    version=v5.7.1
    if [ "$(tmp/bin/kustomize version 2>/dev/null)" != "$version" ]; then
      command -v go >/dev/null 2>&1 || { echo "setup: kustomize needs Go on PATH to build (no package registry we use ships a kustomize binary)"; exit 1; }
      echo "setup: building kustomize $version (about a minute the first time)"
      GOBIN="$PWD/tmp/bin" go install "sigs.k8s.io/kustomize/kustomize/v5@$version"
    fi

# A Postgres server for the store tests (each test file starts its own throwaway cluster)
[private]
setup-postgres:
    #!/usr/bin/env bash
    set -euo pipefail
    # packages/runtime/src/testing/postgres-server.ts looks for the newest version here.
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
      [ "$(id -u)" -eq 0 ] || { echo "setup: the tests need Postgres: run \`apt-get install -y postgresql\` as root (or run this as root)"; exit 1; }
      echo "setup: installing Debian's postgresql package"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi

# Install node modules only (what recipes that run no Python need); quick when done
[private]
setup-node:
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

# Compile the runtime and the packages it loads to JavaScript in packages/*/dist (incremental)
build: setup
    npx tsc -b tsconfig.build.json

# Re-pin the bridge's Python dependencies after editing bridge/pyproject.toml (both locks)
lock-bridge:
    #!/usr/bin/env bash
    set -euo pipefail
    cd bridge
    # requirements.lock: what the proxy image installs (LiteLLM, the bridge's deps, prisma for
    # LiteLLM's database), no dev tools. requirements-dev.lock: the local venv, the dev group
    # with requirements.lock as constraint, so every package both have is the same version.
    uv pip compile pyproject.toml --extra database --generate-hashes --universal --python-version 3.11 --no-header --quiet -o requirements.lock
    uv pip compile pyproject.toml --group pyproject.toml:dev --constraint requirements.lock --generate-hashes --universal --python-version 3.11 --no-header --quiet -o requirements-dev.lock

# Run the compiled runtime and the LiteLLM proxy on 9501 against real Gemini (needs GEMINI_API_KEY)
proxy: setup build
    {{tsx}} packages/stack/src/cli.ts proxy

# Run the whole stack on the fake Gemini from source: no key, no build, throwaway keys and data
demo: setup
    {{tsx}} packages/stack/src/cli.ts demo

# Ask an agent something through the running proxy (stream=true for a stream; model: any agno/NAME)
[positional-arguments]
hello message="Hello! What can you do for me?" stream="false" model="agno/demo-agent": setup-node
    #!/usr/bin/env bash
    set -euo pipefail
    identity=(-H "X-OpenWebUI-User-Id: hello-user")
    if [ -n "${AGENTLLM_IDENTITY_JWT_SECRET:-}" ]; then
      # The proxy then trusts only signed identities: sign one as Open WebUI would.
      identity=(-H "X-OpenWebUI-User-Jwt: $({{tsx}} scripts/user-token.ts hello-user)")
    fi
    curl -sS --no-buffer http://127.0.0.1:${AGENTLLM_PROXY_PORT:-9501}/v1/chat/completions \
      -H "Authorization: Bearer $LITELLM_MASTER_KEY" \
      -H "Content-Type: application/json" \
      "${identity[@]}" \
      -H "X-OpenWebUI-Chat-Id: hello-chat-$(date +%s)" \
      -d "$(node -e 'console.log(JSON.stringify({model: process.argv[3], stream: process.argv[2] === "true", stream_options: process.argv[2] === "true" ? {include_usage: true} : undefined, messages: [{role: "user", content: process.argv[1]}]}))' "$1" "$2" "$3")"
    echo

# Create packages/agent-NAME, a working agent with one example tool (see docs/creating-agents.md)
[positional-arguments]
new-agent name *options: setup
    {{tsx}} scripts/new-agent.ts "$@"

# Regenerate proxy_config.yaml's agent entries from the discovered agents (--check: only compare)
[positional-arguments]
sync-models *options: setup
    {{tsx}} scripts/sync-models.ts "$@"

# Benchmark what the LiteLLM → bridge → runtime path adds (`--quick`: < 1 min; full: < 15 min; `--scale`: 1-2 LiteLLMs x 1-2 runtimes only)
bench *args: setup build
    {{tsx}} bench/src/run-bench.ts {{args}}

# Run every test (TypeScript and Python) after the build; the last line is the total
test: setup setup-kustomize setup-postgres build
    #!/usr/bin/env bash
    set -uo pipefail
    mkdir -p tmp/test-results
    rm -f tmp/test-results/vitest.json tmp/test-results/vitest.failures.json tmp/test-results/pytest.xml
    scripts/without-secrets npx vitest run --reporter=default --reporter=json --reporter=./scripts/test-report/failure-digest-reporter.ts --outputFile.json=tmp/test-results/vitest.json
    vitest_status=$?
    (cd bridge && ../scripts/without-secrets .venv/bin/pytest --junitxml=../tmp/test-results/pytest.xml -q)
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
    rm -rf tmp/test-results/e2e tmp/test-results/e2e.json tmp/test-results/e2e.failures.json
    mkdir -p tmp/test-results/e2e
    scripts/without-secrets npx vitest run --config vitest.e2e.config.ts --reporter=default --reporter=json --reporter=./scripts/test-report/failure-digest-reporter.ts --outputFile.json=tmp/test-results/e2e.json

# Only the tests that run across processes: the real LiteLLM proxy, the bridge and the runtime together
test-integration: setup setup-kustomize setup-postgres build
    scripts/without-secrets npx vitest run packages/stack/test

# Agent evaluations on real Gemini (needs GEMINI_API_KEY; without it only the harness's own offline tests, exit 2); --help for options
[positional-arguments]
test-eval *options: setup
    #!/usr/bin/env bash
    set -uo pipefail
    # Exit 0: the gate passed; 1: it failed or the harness broke; 2: nothing was evaluated.
    if [ -z "${GEMINI_API_KEY:-}" ]; then
      {{tsx}} packages/evals/src/eval-main.ts "$@"
      status=$?
      [ "$status" -eq 2 ] || exit "$status"
      scripts/without-secrets npx vitest run packages/evals || exit 1
      echo "test-eval: the harness's own tests passed (offline, on the fake Gemini); NO evaluation ran, nothing is reported as passed." >&2
      exit 2
    fi
    exec {{tsx}} packages/evals/src/eval-main.ts "$@"

# Lint and type-check everything (biome, tsc, ruff, the bridge's type checker)
lint: setup
    npx biome check .
    npx tsc -p . --noEmit
    cd bridge && .venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy

# Format everything in place
format: setup
    npx biome check --write .
    cd bridge && .venv/bin/ruff format . && .venv/bin/ruff check --fix .

# Create .env.secrets from the template with fresh random keys, mode 600; never overwrites one (--add-missing: only keys it lacks)
[positional-arguments]
secrets *options: setup-node
    {{tsx}} scripts/secrets.ts "$@"

# List the users the runtime knows: chats per agent, tokens used, setting names, connected toolkits; never contents or secrets (USER_ID for one, --json; --compose: the stack's runtime)
[positional-arguments]
tokens *options:
    @{{just_executable()}} ops tokens "$@"

# Remove a user's stored credentials, for one toolkit or all, and say which (--compose: the stack's runtime)
[positional-arguments]
[no-exit-message]
revoke user toolkit="" *options:
    @{{just_executable()}} ops revoke "$@"

# Re-encrypt every stored credential with the first key of AGENTLLM_TOKEN_ENCRYPTION_KEY (docs/deployment-encryption.md; --compose: the stack's runtime)
[positional-arguments]
[no-exit-message]
rotate-key *options:
    @{{just_executable()}} ops rotate-key "$@"

# Runs the operator command packages/runtime/src/ops/NAME-main.ts on the runtime's database: here, or with --compose in the runtime container
[private]
[positional-arguments]
[no-exit-message]
ops name *options:
    #!/usr/bin/env bash
    set -euo pipefail
    name=$1
    shift
    args=()
    compose=""
    for arg in "$@"; do if [ "$arg" = --compose ]; then compose=1; elif [ -n "$arg" ]; then args+=("$arg"); fi; done
    if [ -n "$compose" ]; then
      # Inside the runtime container, on its /data volume and with its key: the sources under
      # the dev overlay (which has tsx), the compiled runtime in the production image (which has not).
      exec scripts/container-engine.sh "$name" compose exec -T runtime sh -c \
        'name=$1; shift; if [ -x node_modules/.bin/tsx ]; then exec node_modules/.bin/tsx "packages/runtime/src/ops/$name-main.ts" "$@"; else exec node --conditions=production "packages/runtime/dist/ops/$name-main.js" "$@"; fi' \
        "$name" "$name" "${args[@]}"
    fi
    {{just_executable()}} setup-node >/dev/null
    exec {{tsx}} "packages/runtime/src/ops/$name-main.ts" "${args[@]}"

# Where everything listens, what is up right now, and which settings are in effect (no secret values)
info:
    @scripts/info

# The connect pages and OAuth callbacks alone (port 9502; no internal API, no model calls), on the runtime's database and key
oauth-callback: setup-node
    {{tsx}} packages/runtime/src/main.ts --public-only

# Reinstall dependencies exactly as the lock files say (node modules, the bridge venv), even when they look current
sync:
    npm install --no-audit --no-fund
    rm -f bridge/.venv/.synced
    {{just_executable()}} setup

# Remove build output and caches (packages/*/dist, test results, linters' caches); keeps data, secrets and installs
clean:
    rm -rf packages/*/dist packages/*/tsconfig.build.tsbuildinfo packages/*/*.tsbuildinfo tmp/test-results
    rm -rf bridge/.pytest_cache bridge/.ruff_cache bridge/.mypy_cache
    find bridge -name __pycache__ -type d -prune -exec rm -rf {} +
    @echo "clean: kept tmp/agentllm.db, .env.secrets, node_modules, bridge/.venv and tmp/open-webui-venv"

# Remove databases and data folders that tests left in the temp folder (older than 10 minutes, so a running test keeps its own)
clean-test-dbs:
    #!/usr/bin/env bash
    set -euo pipefail
    tmp="${TMPDIR:-/tmp}"
    # Test data folders are agentllm-* (and the fake Gemini's fake-gemini-*); a running
    # `just demo` keeps agentllm-demo-*, removed by the demo itself on exit.
    mapfile -t stale < <(find "$tmp" -maxdepth 1 -type d \( -name 'agentllm-*' -o -name 'fake-gemini-*' \) \
      ! -name 'agentllm-demo-*' -mmin +10 2>/dev/null)
    if [ "${#stale[@]}" -eq 0 ]; then echo "clean-test-dbs: nothing to remove in $tmp"; exit 0; fi
    size=$(du -sch "${stale[@]}" 2>/dev/null | tail -1 | cut -f1)
    rm -rf "${stale[@]}"
    echo "clean-test-dbs: removed ${#stale[@]} test folder(s) from $tmp ($size)"

# --- containers ---
# The compose stack (compose.yaml; `dev` adds compose.dev.yaml). scripts/container-engine.sh picks
# podman or docker and passes .env.secrets; docs/operations.md explains the stack.

container := "scripts/container-engine.sh"
dev-files := "-f compose.yaml -f compose.dev.yaml"

# Start the stack with the dev overlay (sources mounted, restart on change); --build rebuilds first
[no-exit-message]
dev *flags:
    #!/usr/bin/env bash
    set -euo pipefail
    build=""
    for flag in {{flags}}; do
      case "$flag" in
        --build) build="--build" ;;
        *) echo "dev: unknown option '$flag' (only --build)" >&2; exit 2 ;;
      esac
    done
    {{container}} dev compose {{dev-files}} up -d $build
    grep -Eq '^GEMINI_API_KEY=.+' .env.secrets || echo "dev: GEMINI_API_KEY is empty in .env.secrets: the agents cannot answer until it is set (then just dev-restart)"
    echo "Open WebUI     http://localhost:9500   (the first account signed up becomes its admin)"
    echo "LiteLLM proxy  http://localhost:9501/v1  (key: LITELLM_MASTER_KEY in .env.secrets)"
    echo "just dev-status: health of each service; just dev-logs [service] [-f]: logs"

# Restart the runtime and the proxy (after changes the dev overlay does not pick up by itself)
[no-exit-message]
dev-restart:
    @{{container}} dev-restart compose {{dev-files}} restart runtime litellm-proxy

# Show the stack's logs: all services or one (open-webui, litellm-proxy, runtime, litellm-db); -f follows
[no-exit-message]
dev-logs *args:
    #!/usr/bin/env bash
    set -euo pipefail
    follow="" service=""
    for arg in {{args}}; do
      case "$arg" in
        -f | --follow) follow="--follow" ;;
        -*) echo "dev-logs: unknown option '$arg' (only -f)" >&2; exit 2 ;;
        *) [ -z "$service" ] || { echo "dev-logs: one service at most" >&2; exit 2; }; service=$arg ;;
      esac
    done
    {{container}} dev-logs compose {{dev-files}} logs $follow $service

# Stop the stack; its data volumes are kept
[no-exit-message]
dev-stop:
    @{{container}} dev-stop compose {{dev-files}} down

# Stop the stack and DELETE its data volumes (asks first; --yes for scripts)
[no-exit-message]
dev-reset *flags:
    #!/usr/bin/env bash
    set -euo pipefail
    yes=""
    for flag in {{flags}}; do
      case "$flag" in
        --yes) yes=1 ;;
        *) echo "dev-reset: unknown option '$flag' (only --yes)" >&2; exit 2 ;;
      esac
    done
    what="runtime-data (agent sessions, per-user settings), open-webui-data (Open WebUI's users, chats, settings), litellm-db-data (LiteLLM's virtual keys, spend)"
    if [ -z "$yes" ]; then
      if [ ! -t 0 ]; then echo "dev-reset: this deletes $what; pass --yes to confirm" >&2; exit 1; fi
      echo "dev-reset deletes the stack's volumes: $what."
      read -r -p "Type yes to delete them: " answer
      [ "$answer" = yes ] || { echo "dev-reset: nothing deleted"; exit 1; }
    fi
    {{container}} dev-reset compose {{dev-files}} down --volumes
    echo "dev-reset: deleted $what"

# Show each service of the stack: state and health
[no-exit-message]
dev-status:
    #!/usr/bin/env bash
    set -euo pipefail
    {{container}} dev-status compose {{dev-files}} ps --all
    for id in $({{container}} dev-status compose {{dev-files}} ps --all --quiet); do
      {{container}} dev-status engine inspect --format '{{{{.Name}}: {{{{.State.Status}}, health {{{{if .State.Health}}{{{{.State.Health.Status}}{{{{else}}not checked{{{{end}}' "$id"
    done

# Build the runtime and proxy images (Containerfile targets runtime and proxy)
[no-exit-message]
container-build:
    @{{container}} container-build compose -f compose.yaml build runtime litellm-proxy

# Build the images again from scratch, without the build cache
[no-exit-message]
container-rebuild:
    @{{container}} container-rebuild compose -f compose.yaml build --no-cache runtime litellm-proxy

# Pull newer base images (Node, Python, uv) and Open WebUI / Postgres of their pinned tags, then rebuild
[no-exit-message]
container-update:
    @{{container}} container-update compose -f compose.yaml pull open-webui litellm-db
    @{{container}} container-update compose -f compose.yaml build --pull runtime litellm-proxy
