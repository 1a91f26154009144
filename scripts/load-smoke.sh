#!/usr/bin/env bash
# CI load smoke: scripts/load.sh on the debug build for about 3 s per route
# (POST /api/v1/assess and POST /results); fails on any non-2xx answer or socket error.
set -euo pipefail
exec bash "$(dirname "$0")/load.sh" --smoke
