"""aiohttp application: Bot API routes, file downloads, and the /_standin control API."""

from __future__ import annotations

import json
from functools import partial
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .spec import UploadedFile
from .webchat import add_webchat_routes

if TYPE_CHECKING:
    from .standin import BotApiStandin

STANDIN_KEY: web.AppKey[BotApiStandin] = web.AppKey("standin")
MAX_UPLOAD = 50 * 1024 * 1024  # Telegram's upload limit for bots
_dumps = partial(json.dumps, ensure_ascii=False, separators=(",", ":"))


def build_app(standin: BotApiStandin) -> web.Application:
    """Create the aiohttp application serving the stand-in."""
    app = web.Application(client_max_size=MAX_UPLOAD)
    app[STANDIN_KEY] = standin
    app.router.add_route("*", "/bot{token}/{method}", handle_bot_api)
    app.router.add_get("/file/bot{token}/{path:.+}", handle_file_download)
    control = [
        # text {"text"}, press {"message_id", "text"|"data"}, tap {"text"} (a reply-keyboard button),
        # contact {"phone_number", "own"}, location {"latitude", "longitude"},
        # document (multipart/form-data: a file part "document", an optional "caption"), block, unblock:
        # the user does it.
        *(
            web.post(f"/_standin/users/{{id}}/{action}", partial(_run_user_action, action=action))
            for action in USER_ACTIONS
        ),
        web.get("/_standin/chats/{id}/messages", control_messages),
        web.get("/_standin/chats/{id}/callback_answers", control_callback_answers),
        web.get("/_standin/chats/{id}/transcript", control_transcript),
        web.get("/_standin/errors", control_errors),
        web.get("/_standin/calls", control_calls),
        web.post("/_standin/faults", control_faults),
    ]
    app.router.add_routes(control)
    add_webchat_routes(app, STANDIN_KEY)
    return app


# ---------------------------------------------------------------------- Bot API


class BadBody(Exception):
    """The request body could not be read as the declared content type."""


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Merge query string and body (JSON, urlencoded or multipart) into raw params and file parts."""
    raw: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if not request.body_exists:
        return raw, files
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise BadBody("Bad Request: can't parse JSON object") from None
        if not isinstance(body, dict):
            raise BadBody("Bad Request: JSON object expected")
        raw.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                files[name] = UploadedFile(value.filename, value.content_type, value.file.read())
            else:
                raw[name] = value
    return raw, files


async def handle_bot_api(request: web.Request) -> web.Response:
    """Serve /bot<token>/<method>."""
    standin = request.app[STANDIN_KEY]
    try:
        raw, files = await read_params(request)
    except BadBody as exc:
        return web.json_response({"ok": False, "error_code": 400, "description": str(exc)}, status=400)

    def client_alive() -> bool:
        transport = request.transport
        return transport is not None and not transport.is_closing()

    status, payload = await standin.core.handle(
        request.match_info["token"], request.match_info["method"], raw, files, client_alive
    )
    return web.json_response(payload, status=status, dumps=_dumps)


async def handle_file_download(request: web.Request) -> web.StreamResponse:
    """Serve /file/bot<token>/<file_path> for files getFile described."""
    stored = request.app[STANDIN_KEY].core.files.by_path(request.match_info["path"])
    if stored is None or stored.data is None:
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
    return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")


# ---------------------------------------------------------------------- control API


def _ok(result: Any) -> web.Response:
    """Control API success envelope."""
    return web.json_response({"ok": True, "result": result}, dumps=_dumps)


def _fail(description: str, status: int = 400) -> web.Response:
    """Control API failure envelope."""
    return web.json_response({"ok": False, "description": description}, status=status, dumps=_dumps)


async def _json_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object body ({} when empty)."""
    if not request.body_exists:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise BadBody("body must be JSON") from None
    if not isinstance(body, dict):
        raise BadBody("body must be a JSON object")
    return body


def _user_for(request: web.Request, body: dict[str, Any]) -> Any:
    """The StandinUser in the path, created on first use with optional profile fields."""
    standin = request.app[STANDIN_KEY]
    profile = {k: body[k] for k in ("first_name", "last_name", "username", "language_code") if k in body}
    return standin.user(int(request.match_info["id"]), **profile)


USER_ACTIONS = ("text", "press", "tap", "contact", "location", "document", "block", "unblock")


async def _form_body(request: web.Request) -> tuple[dict[str, Any], UploadedFile]:
    """The fields of a multipart/form-data body and its file part "document"."""
    if request.content_type != "multipart/form-data":
        raise BadBody("body must be multipart/form-data with a file part 'document'")
    fields, files = await read_params(request)
    if "document" not in files:
        raise KeyError("document")
    return fields, files["document"]


async def _run_user_action(request: web.Request, action: str) -> web.Response:
    """Parse the body, perform one user action, return the enqueued update."""
    try:
        if action == "document":
            fields, upload = await _form_body(request)
            user = _user_for(request, fields)
            mime = upload.content_type if upload.content_type != "application/octet-stream" else None
            return _ok(
                await user.send_document(
                    upload.filename or "document", upload.data, mime_type=mime, caption=fields.get("caption") or None
                )
            )
        body = await _json_body(request)
        user = _user_for(request, body)
        if action == "text":
            update = await user.send_text(str(body["text"]))
        elif action == "press":
            update = await user.press(int(body["message_id"]), text=body.get("text"), data=body.get("data"))
        elif action == "tap":
            update = await user.tap_keyboard(str(body["text"]))
        elif action == "contact":
            update = await user.share_contact(str(body["phone_number"]), own=bool(body.get("own", True)))
        elif action == "location":
            update = await user.send_location(float(body["latitude"]), float(body["longitude"]))
        elif action == "block":
            update = await user.block()
        else:
            update = await user.unblock()
    except KeyError as exc:
        return _fail(f"missing field {exc.args[0]!r}")
    except (AssertionError, ValueError, BadBody) as exc:
        return _fail(str(exc))
    return _ok(update)


def _known_user(request: web.Request) -> Any:
    """The existing StandinUser for the path id, or None."""
    return request.app[STANDIN_KEY].get_user(int(request.match_info["id"]))


async def control_messages(request: web.Request) -> web.Response:
    """GET the bot's messages in a chat; ?after=<id>&timeout=<s> waits for a newer one."""
    user = _known_user(request)
    if user is None:
        return _fail("chat not found", 404)
    after = int(request.query.get("after", 0))
    timeout = float(request.query.get("timeout", 0))
    if timeout > 0:
        try:
            await user.wait_for(lambda u: any(m.message_id > after for m in u.messages), timeout)
        except AssertionError:
            pass  # timing out just returns what is there
    return _ok([m.to_json() for m in user.messages if m.message_id > after])


async def control_callback_answers(request: web.Request) -> web.Response:
    """GET the answerCallbackQuery calls for this user's presses."""
    user = _known_user(request)
    if user is None:
        return _fail("chat not found", 404)
    return _ok([a.to_json() for a in user.callback_answers])


async def control_transcript(request: web.Request) -> web.Response:
    """GET the chat transcript as text."""
    user = _known_user(request)
    if user is None:
        return _fail("chat not found", 404)
    return web.Response(text=user.transcript())


async def control_errors(request: web.Request) -> web.Response:
    """GET refused calls, unknown-parameter warnings and unimplemented methods used."""
    core = request.app[STANDIN_KEY].core
    return _ok(
        {
            "errors": [r.to_json() for r in core.errors],
            "warnings": [{"method": w.method, "parameter": w.parameter, "message": w.message} for w in core.warnings],
            "unimplemented": [r.to_json() for r in core.unimplemented],
            "rate_limited": core.rate_limiter.refused,
        }
    )


async def control_calls(request: web.Request) -> web.Response:
    """GET recorded calls, optionally ?method=sendMessage."""
    method = request.query.get("method", "").lower()
    calls = request.app[STANDIN_KEY].core.calls
    return _ok([c.to_json() for c in calls if not method or c.method.lower() == method])


async def control_faults(request: web.Request) -> web.Response:
    """POST {"method", "status"?, "retry_after"?, "description"?, "times"?, "delay"?, "chat_id"?}: inject a fault
    (for calls to that chat only, if chat_id is given)."""
    try:
        body = await _json_body(request)
    except BadBody as exc:
        return _fail(str(exc))
    if "method" not in body:
        return _fail("missing field 'method'")
    standin = request.app[STANDIN_KEY]
    chat_id = None if body.get("chat_id") is None else int(body["chat_id"])
    if "delay" in body:
        standin.delay_next(body["method"], float(body["delay"]), times=int(body.get("times", 1)), chat_id=chat_id)
    else:
        standin.fail_next(
            body["method"],
            status=int(body.get("status", 429)),
            retry_after=int(body.get("retry_after", 2)),
            description=body.get("description"),
            times=int(body.get("times", 1)),
            chat_id=chat_id,
        )
    return _ok(True)
