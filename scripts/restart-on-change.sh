#!/bin/sh
# restart-on-change PATH... -- COMMAND [ARG...]
#
# Runs COMMAND and restarts it whenever a file under one of the PATHs changes: the dev overlay
# (compose.dev.yaml) runs the LiteLLM proxy under it, with the bridge's sources mounted. A whole
# new process, not uvicorn --reload: serve.py builds LiteLLM's app itself and hands uvicorn the
# object, which --reload cannot re-import. It polls with find every 2 seconds (a change shows up
# within 2 s, and a find over the bridge's few dozen files costs nothing): nothing to install in the image, and it sees changes on any bind mount, including
# the file shares of podman machine and Docker Desktop, where inotify events do not always arrive.
set -u

paths=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  paths="$paths $1"
  shift
done
if [ -z "$paths" ] || [ $# -lt 2 ]; then
  echo "usage: restart-on-change PATH... -- COMMAND [ARG...]" >&2
  exit 2
fi
shift
poll=2
stamp=$(mktemp)
child=0

changed() {
  # shellcheck disable=SC2086 # the paths are separate words
  [ -n "$(find $paths -newer "$stamp" -type f 2>/dev/null | head -n 1)" ]
}

stop() {
  kill -TERM "$child" 2>/dev/null
  wait "$child" 2>/dev/null
  rm -f "$stamp"
  exit 0
}
trap stop TERM INT

while :; do
  touch "$stamp"
  "$@" &
  child=$!
  while kill -0 "$child" 2>/dev/null; do
    sleep "$poll"
    if changed; then
      echo "restart-on-change: a file under$paths changed; restarting" >&2
      kill -TERM "$child" 2>/dev/null
      wait "$child" 2>/dev/null
      break
    fi
  done
  if ! changed; then
    wait "$child" 2>/dev/null
    echo "restart-on-change: the command exited with status $?; restarting after the next change" >&2
    until changed; do sleep "$poll"; done
  fi
done
