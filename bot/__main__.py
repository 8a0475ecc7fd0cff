"""Entry point: `python -m bot` runs the bot on getUpdates; `python -m bot webhook` serves Telegram's
webhook instead; `python -m bot load-program FILE` loads a program; `python -m bot demo` runs it
against a local Bot API emulator with a web chat page."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from bot.app import build_application, run_polling
from bot.clock import SystemClock
from bot.database import create_engine, migrate, session_factory
from bot.logs import configure_logging
from bot.settings import Settings, SettingsError
from models.program_file import ProgramFileError, ProgramRisks, apply_program, program_risks, read_program_file


def _configure_logging(settings: Settings) -> None:
    # httpx/httpcore stay at WARNING (their URLs contain the token), PTB and SQLAlchemy above the levels
    # that print payloads: `bot.logs.LIBRARY_LEVELS`. The token and the webhook secret are blanked from any line.
    secrets = tuple(secret for secret in (settings.bot_token, settings.webhook_secret) if secret)
    configure_logging(settings.log_level, settings.log_format, secrets=secrets)


async def _load_program(settings: Settings, path: str, *, yes: bool) -> int:
    spec = read_program_file(path)
    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
        sessions = session_factory(engine)
        async with sessions() as session, session.begin():
            risks = await program_risks(session, spec)
        if risks and not yes:
            print(_risk_summary(spec.code, risks))
            if not _confirmed():
                return 1
        async with sessions() as session, session.begin():
            # Asked on a terminal, the answer may come much later: apply only what was shown.
            if not yes and await program_risks(session, spec) != risks:
                print("shm-bot: registrations changed while you were asked; nothing changed. Run it again.")
                return 1
            report = await apply_program(session, spec, now=SystemClock().now())
    finally:
        await engine.dispose()
    print(
        f"program {report.program_code}: {len(report.created)} meetings created, "
        f"{len(report.updated)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.unlisted)} unlisted"
        + (f" ({', '.join(report.unlisted)})" if report.unlisted else "")
        + (
            f"; {report.people_notified} people will be told of changed dates or venues"
            if report.people_notified
            else ""
        )
    )
    return 0


def _risk_summary(program: str, risks: ProgramRisks) -> str:
    lines = [f"program {program} changes meetings people registered for:"]
    lines += [f"  {h.code}: hidden, {h.registrations} registrations" for h in risks.hidden]
    lines += [
        f"  {m.code}: moves from {m.previous_start:%Y-%m-%d} to "
        f"{f'{m.new_start:%Y-%m-%d}' if m.new_start else 'to be announced'}, {m.seated} participants will be told"
        for m in risks.moved
    ]
    return "\n".join(lines)


def _confirmed() -> bool:
    """Whether the person at the terminal agrees; without a terminal nobody can, and --yes is needed."""
    if not sys.stdin.isatty():
        print(
            "shm-bot: nothing changed; to apply these changes without a terminal to ask on, pass --yes",
            file=sys.stderr,
        )
        return False
    try:
        answer = input("Apply these changes? [y/N] ")
    except EOFError:
        answer = ""
    if answer.strip().lower() in ("y", "yes", "ya"):
        return True
    print("shm-bot: not applied; nothing changed.")
    return False


def _demo(host: str, port: int) -> int:
    # Imported here only: the bot under `python -m bot` imports nothing of the emulator.
    try:
        from demo.app import main as demo_main
    except ModuleNotFoundError as error:
        print(f"shm-bot: the demo needs {error.name}: pip install -e '.[demo]'", file=sys.stderr)
        return 2
    return demo_main(host, port)


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    parser = argparse.ArgumentParser(prog="python -m bot", description="shm-bot: meeting registration on Telegram")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot on getUpdates (the default): one process, no public address")
    commands.add_parser(
        "webhook", help="serve Telegram's webhook on $PORT (WEBHOOK_URL, WEBHOOK_SECRET), with /healthz and /metrics"
    )
    load = commands.add_parser("load-program", help="load or update a program file")
    load.add_argument("file")
    load.add_argument(
        "--yes", action="store_true", help="apply without asking, even a file that hides or moves registered people"
    )
    demo = commands.add_parser("demo", help="try the bot without Telegram: a local chat page in the browser")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)

    if args.command == "demo":
        return _demo(args.host, args.port)

    try:
        settings = Settings.from_env(os.environ, require_token=args.command != "load-program")
        if args.command == "webhook":
            settings.require_webhook()
    except SettingsError as error:
        print(f"shm-bot: {error}", file=sys.stderr)
        return 2
    _configure_logging(settings)
    if args.command == "load-program":
        try:
            return asyncio.run(_load_program(settings, args.file, yes=args.yes))
        except ProgramFileError as error:
            print(f"shm-bot: the program file was not loaded; nothing changed.\n{error}", file=sys.stderr)
            return 1
    if args.command == "webhook":
        # Imported here only: polling needs no HTTP server (aiohttp) in memory.
        from bot.webhook import run_webhook

        return asyncio.run(run_webhook(build_application(settings, webhook=True), settings))
    return asyncio.run(run_polling(build_application(settings)))


if __name__ == "__main__":
    sys.exit(main())
