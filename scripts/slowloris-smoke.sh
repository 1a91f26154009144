#!/usr/bin/env bash
# CI slowloris smoke: scripts/slowloris.sh on the debug build, 2,000 slow or
# idle connections for 12 s with short server timers; fails if /healthz
# failed once or its p99 reached 100 ms.
set -euo pipefail
exec bash "$(dirname "$0")/slowloris.sh" --smoke
