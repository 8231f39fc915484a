"""Run the simulated Tuya cloud: ``python -m tuya_sim --scenario demo --port 8765``.

Prints what to paste in the integration's config flow, then serves until Ctrl-C. The
scenarios ``trial-expired``, ``quota-exhausted`` and ``no-iot-core`` serve the demo home on a
project in that trouble (with ``--trouble-after``, only once the integration is set up).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import contextlib
import logging

from .scenarios import (
    ACCOUNT_TROUBLES,
    DEMO_ACCESS_ID,
    DEMO_ACCESS_SECRET,
    DEMO_UID,
    build_account_trouble,
    build_demo,
    build_large,
)
from .simulator import TuyaCloudSimulator


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="python -m tuya_sim", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 = any)")
    parser.add_argument("--scenario", choices=("demo", "large", *ACCOUNT_TROUBLES), default="demo")
    parser.add_argument("--devices", type=int, default=100, help="devices of the large scenario")
    parser.add_argument(
        "--update-seconds", type=float, default=60.0, help="update length (large scenario)"
    )
    parser.add_argument("--rate-limit", type=float, default=None, help="requests per second")
    parser.add_argument(
        "--trouble-after",
        type=float,
        default=0.0,
        help="seconds before the account trouble of the scenario begins (default 0)",
    )
    return parser.parse_args(argv)


def build(args: argparse.Namespace) -> TuyaCloudSimulator:
    """Create the simulator with the chosen scenario."""
    sim = TuyaCloudSimulator(
        access_id=DEMO_ACCESS_ID,
        access_secret=DEMO_ACCESS_SECRET,
        rate_limit_per_s=args.rate_limit,
    )
    if args.scenario == "large":
        build_large(sim, args.devices, args.update_seconds)
    elif args.scenario in ACCOUNT_TROUBLES:
        build_account_trouble(sim, args.scenario, args.trouble_after)
    else:
        build_demo(sim)
    return sim


def banner(url: str) -> str:
    """Tell the user what to enter in the config flow."""
    return "\n".join(
        [
            f"Simulated Tuya cloud running at {url}",
            "Enter in the Tuya OTA config flow:",
            f"  endpoint:      {url}",
            f"  access_id:     {DEMO_ACCESS_ID}",
            f"  access_secret: {DEMO_ACCESS_SECRET}",
            f"  uid:           {DEMO_UID}",
            "Press Ctrl-C to stop.",
        ]
    )


async def serve(args: argparse.Namespace, stop: asyncio.Event | None = None) -> None:
    """Serve until ``stop`` is set (or forever, until Ctrl-C)."""
    sim = build(args)
    url = await sim.start(host=args.host, port=args.port)
    print(banner(url), flush=True)
    try:
        await (stop or asyncio.Event()).wait()
    finally:
        await sim.stop()


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of ``python -m tuya_sim``."""
    logging.basicConfig(level=logging.INFO)
    args = parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()
