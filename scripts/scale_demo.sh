#!/usr/bin/env bash
# Scale-out proof (issue 11 §4, docs/operations/scale-out.md): 3 web processes (gunicorn,
# 2 workers each) + 2 task workers (Redis backend) against one throwaway PostgreSQL
# database and Redis, mixed citizen/officer load, then a zero-lost/zero-duplicate check.
# Sizes: SCALE_WEB, SCALE_WORKERS, SCALE_CLIENTS, SCALE_SECONDS, SCALE_DOSSIERS;
# PostgreSQL admin URL: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres);
# Redis: 127.0.0.1:6379, database SCALE_REDIS_DB (default 15).
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${VENV:-.venv}/bin/python" benchmarks/scale_demo.py "$@"
