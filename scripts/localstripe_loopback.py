"""localstripe (a fake, stateful Stripe) bound to 127.0.0.1 only; its own `localstripe` command binds every
interface. Usage: python scripts/localstripe_loopback.py PORT"""
import sys

from aiohttp import web
from localstripe import server

server.store.try_load_from_disk()  # keep the demo's customers across restarts, as `localstripe` does
web.run_app(server.app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
