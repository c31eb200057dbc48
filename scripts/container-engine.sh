#!/usr/bin/env bash
# The one place that picks the container engine for the justfile's container recipes.
#
#   scripts/container-engine.sh RECIPE compose ARG...   # `podman compose` (or `docker compose`)
#                                                      # with --env-file .env.secrets, from the repo root
#   scripts/container-engine.sh RECIPE engine ARG...    # `podman` (or `docker`)
#
# Podman first, docker as the fallback; AGENTLLM_CONTAINER_ENGINE=podman|docker picks one. An
# engine counts only if its compose command works. When nothing fits, or compose is asked for
# without .env.secrets, it prints ONE line naming what is missing (prefixed by RECIPE) and exits 1.
set -euo pipefail

recipe=${1:?usage: scripts/container-engine.sh RECIPE compose|engine ARG...}
mode=${2:?usage: scripts/container-engine.sh RECIPE compose|engine ARG...}
shift 2
cd "$(dirname "$0")/.."

fail() {
  echo "$recipe: $*" >&2
  exit 1
}

has_compose() {
  command -v "$1" >/dev/null 2>&1 && "$1" compose version >/dev/null 2>&1
}

pick_engine() {
  local wanted=${AGENTLLM_CONTAINER_ENGINE:-}
  case "$wanted" in
    "") ;;
    podman | docker)
      has_compose "$wanted" && { echo "$wanted"; return; }
      if command -v "$wanted" >/dev/null 2>&1; then
        fail "AGENTLLM_CONTAINER_ENGINE=$wanted, but \`$wanted compose\` does not work: install $([ "$wanted" = podman ] && echo podman-compose || echo "the docker compose plugin")"
      fi
      fail "AGENTLLM_CONTAINER_ENGINE=$wanted, but $wanted is not installed"
      ;;
    *) fail "AGENTLLM_CONTAINER_ENGINE must be podman or docker, not '$wanted'" ;;
  esac
  for engine in podman docker; do
    has_compose "$engine" && { echo "$engine"; return; }
  done
  if command -v podman >/dev/null 2>&1; then
    fail "podman is installed but \`podman compose\` has no provider: install podman-compose (or docker-compose)"
  elif command -v docker >/dev/null 2>&1; then
    fail "docker is installed but \`docker compose\` is missing: install the docker compose plugin (or podman and podman-compose)"
  fi
  fail "no container engine: install podman and podman-compose (or docker with its compose plugin)"
}

engine=$(pick_engine)
case "$mode" in
  engine) exec "$engine" "$@" ;;
  compose)
    [ -f .env.secrets ] || fail "no .env.secrets: run \`npx just secrets\` first"
    exec "$engine" compose --env-file .env.secrets "$@"
    ;;
  *) fail "unknown mode '$mode' (compose or engine)" ;;
esac
