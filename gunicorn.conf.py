"""gunicorn settings (read from the working directory: `gunicorn maas.wsgi --workers 4 --bind ...`).

The app and the routing network are loaded once in the master before it forks the workers, so the
workers share one network in memory (maas/prefork.py; bench/shared_network.py measures it). With
preload_app, SIGHUP restarts the workers on the network of the then active feed version, but code changes
need a full restart.
"""
preload_app = True


def when_ready(server):
    from maas.prefork import load_shared_state

    load_shared_state()


def on_reload(server):
    from maas.prefork import load_shared_state

    load_shared_state()
