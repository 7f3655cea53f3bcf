"""The demo's taxi operator: providers.tomp_operator on 127.0.0.1, which always has a taxi (every asset
available, also right after a booking) and confirms bookings. Synthesized, in memory.
Usage: python scripts/tomp_loopback.py PORT
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from providers.tomp_operator import serve_demo_taxi  # noqa: E402

if __name__ == "__main__":
    serve_demo_taxi(int(sys.argv[1]))
