"""Memory of gunicorn workers serving plans on the HSL-sized network: one shared copy or one per worker.

For 1, 2 and 4 sync workers, gunicorn is started twice over the same database and network: with the
project's gunicorn.conf.py (the network loaded in the master before forking, maas/prefork.py) and with an
empty config (each worker loads its own copy on its first plan). Each server answers the same plans
(concurrency 2 x workers, so every worker serves some); then the proportional set size (PSS, which splits a
shared page between the processes sharing it) of the master and each worker is read from
/proc/PID/smaps_rollup. Goal: the 4-worker server's total PSS <= 1.5 x the 1-worker server's.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/maas_bench CACHE_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python bench/shared_network.py [--plans-per-worker 30] [--workers 1,2,4]

The synthetic feed and its network are built once into var/bench/ (as bench/plan.py does); the feed is
imported into a throwaway database test_<name>. All traffic stays on 127.0.0.1.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import _django
from load import server_env  # noqa: E402  (its import sets the bench JWT key and sets Django up)
from plan import BENCH_DIR, HSL, SYNTH_DAY, random_requests  # noqa: E402

from maas.accounts import services as accounts  # noqa: E402
from planner.engines.embedded import EmbeddedNetwork  # noqa: E402
from planner.engines.embedded.artifacts import artifact_paths, split_path  # noqa: E402
from planner.engines.embedded.build import build_artifacts  # noqa: E402
from tests.support.http import free_port  # noqa: E402
from tests.support.synthetic import write_feed  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "gunicorn.conf.py"


def hsl_network():
    """(feed dir, network stem) of the HSL-sized synthetic feed, written and built once."""
    feed_dir, stem = BENCH_DIR / "hsl_synthetic", BENCH_DIR / "hsl"
    if not (feed_dir / "stop_times.txt").exists():
        write_feed(feed_dir, **HSL)
    if not Path(f"{stem}.split.cafein").exists():
        build_artifacts(feed_dir, f"{stem}.cafein", f"{stem}.meta.pickle")
    return feed_dir, stem


def memory_mb(pid):
    """{"rss", "pss", "private"} of one process in MB (smaps_rollup)."""
    fields = {}
    with open(f"/proc/{pid}/smaps_rollup") as fh:
        for line in fh:
            parts = line.split()
            if parts[0] in ("Rss:", "Pss:", "Private_Clean:", "Private_Dirty:"):
                fields[parts[0][:-1]] = int(parts[1]) / 1024
    return {"rss": fields["Rss"], "pss": fields["Pss"],
            "private": fields["Private_Clean"] + fields["Private_Dirty"]}


def children(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as fh:
        return [int(p) for p in fh.read().split()]


def start(config, workers, env):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "maas.wsgi", "-c", str(config), "--bind",
                             f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "error",
                             "--timeout", "120"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                if len(children(proc.pid)) == workers:
                    return proc, f"http://127.0.0.1:{port}"
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def post_plan(base, token, query):
    (olat, olon), (dlat, dlon), when = query
    body = {"from": {"lat": olat, "lon": olon}, "to": {"lat": dlat, "lon": dlon}, "departure": when.isoformat(),
            "modes": ["walk", "transit"]}
    request = urllib.request.Request(f"{base}/api/v1/plans", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=120) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def measure(config, workers, env, token, queries):
    proc, base = start(config, workers, env)
    try:
        started = time.monotonic()
        with ThreadPoolExecutor(2 * workers) as pool:
            statuses = list(pool.map(lambda q: post_plan(base, token, q), queries))
        seconds = time.monotonic() - started
        master = memory_mb(proc.pid)
        per_worker = [memory_mb(pid) for pid in children(proc.pid)]
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    return {"master": master, "workers": per_worker, "statuses": statuses, "seconds": seconds,
            "total_pss": master["pss"] + sum(w["pss"] for w in per_worker)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans-per-worker", type=int, default=30)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    feed_dir, stem = hsl_network()

    from planner.gtfs.loader import import_feed

    with _django.throwaway_postgres_db("bench/shared_network.py"), tempfile.TemporaryDirectory() as tmp:
        feed = import_feed(str(feed_dir), name="hsl", activate=True).feed
        network_path, meta_path = artifact_paths(feed, Path(tmp))
        shutil.copy(f"{stem}.cafein", network_path)
        shutil.copy(f"{stem}.split.cafein", split_path(network_path))
        shutil.copy(f"{stem}.meta.pickle", meta_path)
        resident = accounts.register_resident(email="bench@example.org", password="bench-pass-2026")
        from rest_framework_simplejwt.tokens import RefreshToken

        token = str(RefreshToken.for_user(resident.user).access_token)
        net = EmbeddedNetwork.load(network_path, meta_path)
        queries = random_requests(net, SYNTH_DAY, args.plans_per_worker * max(counts), seed=5, hours=(6, 8))
        del net
        env = {**server_env(), "NETWORK_DIR": tmp}
        empty = Path(tmp) / "no_preload.conf.py"
        empty.write_text("")
        print(f"HSL-sized network ({HSL['stops']} stops, {HSL['lines']} lines), {args.plans_per_worker} plans "
              f"per worker at {datetime.now(timezone.utc):%H:%M} UTC; "
              f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
        print(f"{'server':34} {'plans/s':>8} {'statuses':>14} {'master PSS':>11} {'worker PSS (private) MB':>28} "
              f"{'total PSS':>10}")
        totals = {}
        for label, config in (("one network per worker", empty), ("preloaded (gunicorn.conf.py)", CONFIG)):
            for workers in counts:
                r = measure(config, workers, env, token, queries[:args.plans_per_worker * workers])
                totals[label, workers] = r["total_pss"]
                statuses = {s: r["statuses"].count(s) for s in sorted(set(r["statuses"]))}
                per_worker = " ".join(f"{w['pss']:.0f}({w['private']:.0f})" for w in r["workers"])
                print(f"{label + f', {workers} worker(s)':34} {len(r['statuses']) / r['seconds']:>8.1f} "
                      f"{str(statuses):>14} {r['master']['pss']:>11.0f} {per_worker:>28} "
                      f"{r['total_pss']:>10.0f}", flush=True)
        for label in ("one network per worker", "preloaded (gunicorn.conf.py)"):
            if (label, 1) in totals and (label, max(counts)) in totals:
                print(f"{label}: {max(counts)} workers / 1 worker total PSS = "
                      f"{totals[label, max(counts)] / totals[label, 1]:.2f}x (goal <= 1.5x with preload)")
        print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
