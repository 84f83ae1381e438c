#!/usr/bin/env bash
# `make run`: the development server and, beside it in the background, the worker that runs the jobs
# (it sends the e-mails). Ctrl-C stops the server, and the worker with it.
set -uo pipefail
PY=${PY:-.venv/bin/python}
HOST=${1:-127.0.0.1:8000}
# The server and the worker put this address in the links of the e-mails (settings.SITE_URL in development).
export NHCS_HOST="${NHCS_HOST:-$HOST}"

"$PY" manage.py db_worker --queue-name '*' &
worker=$!
stop_worker() {
  kill -TERM "$worker" 2>/dev/null && wait "$worker" 2>/dev/null
  return 0
}
trap stop_worker EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$PY" manage.py runserver "$HOST"
