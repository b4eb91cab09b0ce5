"""gunicorn settings of the production profile (docs/operations/deploy.md).

Used by deploy/systemd/motcua-web.service, the container (deploy/Containerfile) and
tests/deploy/test_production_profile.py. Each value can be changed from the environment
without editing this file (GUNICORN_BIND, GUNICORN_WORKERS, GUNICORN_TIMEOUT)."""

import multiprocessing
import os

wsgi_app = "motcua.config.wsgi:application"
# nginx proxies to this address; never expose it beyond the host (or the container).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: 2 per core + 1 (docs/operations/scale-out.md measured 2-4 per core).
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * multiprocessing.cpu_count() + 1)))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))  # PDF signing, large reports
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (bounded memory growth of long-lived processes).
max_requests = 2000
max_requests_jitter = 200
# Only nginx may set X-Forwarded-* (this host; the container sets the compose network).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = "-"
errorlog = "-"
# `systemctl reload motcua-web` (SIGHUP) starts new workers with the new code and
# stops the old ones after their current request: a code upgrade without downtime.
preload_app = False
