"""gunicorn settings; every value can be overridden from the environment (GUNICORN_*)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Sync workers: each takes a connection from the shared listening socket only when it is free,
# so requests wait in one queue (the kernel's) and go to whichever worker frees up first. A
# gthread worker accepts greedily and keeps its keep-alive connections: under bench/load.py's
# 20 clients one of 5 gthread workers held about eleven connections and another one or two, and
# the crowded worker's clients waited the longest (2 cores, the ministry's dashboard: p95
# 108-201 ms in four runs with 5 gthread workers of one thread, 102-116 ms with 5 sync workers;
# every page 86-120 ms). A sync worker closes the connection after each answer, so it belongs
# behind a buffering proxy (nginx, as the README's deployment has it), which keeps the
# browsers' connections and buffers slow uploads. With GUNICORN_THREADS above 1 gunicorn runs
# gthread workers instead.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))  # large imports are read in the request
graceful_timeout = 30
keepalive = 5  # gthread workers only
# Recycle a worker now and then, against slow leaks; not often, as a new worker starts with
# empty caches and re-touches the memory it shares with the master (at 2,000 requests a
# worker recycled every few seconds under load, and /ping's p95 went from 25 to 283 ms).
max_requests = 50000
max_requests_jitter = 5000
# The application is imported once, by the master (about 3 s of CPU: pandas, scipy, docxtpl);
# a worker is then a fork that serves at once, so recycling one costs no boot. A code change
# needs a restart of the master (`systemctl restart oko-web`), not a HUP.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() != "false"
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss rid=%({x-request-id}o)s'
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):  # gunicorn calls it with both
    """A worker opens database connections of its own: it drops any pool inherited from the
    master without closing the master's sockets (SQLAlchemy's advice for forked processes)."""
    import wsgi
    from app.extensions import db

    with wsgi.app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


def when_ready(server):  # gunicorn calls it in the master, before the first worker is forked
    """Import the heavy libraries the application imports only on first use (``app.lazy``) and
    compile every page template, so the workers share them and no request pays for either (a
    worker's first case page took 0.4 s, 0.15 s of it compiling templates)."""
    import wsgi
    from app import lazy
    from app.factory import compile_templates

    lazy.load_all()
    compile_templates(wsgi.app)
