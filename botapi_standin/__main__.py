"""Run the stand-in standalone: python -m botapi_standin --host 127.0.0.1 --port 8081."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .standin import BotApiStandin


async def _serve(args: argparse.Namespace) -> None:
    """Start the stand-in and keep it running until interrupted."""
    standin = BotApiStandin(
        bot_username=args.bot_username, rate_limit_per_second=args.rate_limit, strict_html=not args.lenient_html
    )
    await standin.start(host=args.host, port=args.port)
    print(f"Bot API stand-in listening; base_url = {standin.base_url}", flush=True)
    print(f"base_file_url = {standin.base_file_url}", flush=True)
    print(f"control API   = {standin.control_url}", flush=True)
    print(f"web chat      = {standin.url}/", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await standin.stop()


def main() -> None:
    """Parse arguments and serve."""
    parser = argparse.ArgumentParser(prog="python -m botapi_standin", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--bot-username", default="shm_test_bot")
    parser.add_argument("--rate-limit", type=int, default=None, help="max messages per second before 429")
    parser.add_argument(
        "--lenient-html", action="store_true", help="keep a bare '&' literally like Telegram instead of refusing it"
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(parser.parse_args()))


if __name__ == "__main__":
    main()
