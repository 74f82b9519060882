"""The aiohttp application: routing under ``/api/v10``, auth, rate limits, faults, recording.

Answers carry ``Content-Type: application/json`` exactly (no charset: discord.py would read the
body as text otherwise).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from .errors import SandboxError, method_not_allowed, not_found, unauthorized
from .ratelimits import fault_response

if TYPE_CHECKING:
    from .sandbox import Sandbox

API_PREFIX = "/api/v10"
JSON = dict[str, Any]


@dataclass
class RecordedRequest:
    """One request (``actor == "bot"``) or one test-helper action (``actor == "helper"``)."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    status: int
    response: Any
    time: float
    actor: str = "bot"
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def by_helper(self) -> bool:
        return self.actor == "helper"


@dataclass
class Ctx:
    """What a REST handler gets."""

    sb: Sandbox
    request: web.Request
    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    files: list[JSON]
    after_delivery: list[Callable[[], None]] = field(default_factory=list)

    def id(self, name: str) -> int:
        value = self.params[name]
        if not value.isdigit():
            raise not_found()
        return int(value)

    def json_body(self) -> JSON:
        if not isinstance(self.body, dict):
            raise SandboxError(50109, "The request body contains invalid JSON.", 400)
        return self.body


Handler = Callable[[Ctx], Awaitable[Any]]


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    auth: bool


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler, *, auth: bool = True) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
        self.routes.append(Route(method, re.compile(regex), handler, auth))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        seen_path = False
        for route in self.routes:
            m = route.pattern.fullmatch(path)
            if m is None:
                continue
            seen_path = True
            if route.method == method:
                return route, m.groupdict()
        raise method_not_allowed() if seen_path else not_found()


def json_response(status: int, body: Any, headers: dict[str, str]) -> web.Response:
    if body is None or status == 204:
        return web.Response(status=204, headers=headers)
    headers = {**headers, "Content-Type": "application/json"}
    return web.Response(status=status, body=json.dumps(body).encode(), headers=headers)


async def _read_body(request: web.Request) -> tuple[Any, list[JSON]]:
    if not request.body_exists:
        return None, []
    ctype = request.content_type
    if ctype.startswith("multipart/"):
        body: Any = None
        files: list[JSON] = []
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader):
                continue
            data = await part.read()
            if part.name == "payload_json":
                body = json.loads(data)
            else:
                files.append(
                    {
                        "field": part.name,
                        "filename": part.filename or "file",
                        "size": len(data),
                        "content_type": part.headers.get("Content-Type"),
                        "data": bytes(data),
                    }
                )
        return body, files
    raw = await request.read()
    if not raw:
        return None, []
    try:
        return json.loads(raw), []
    except ValueError:
        raise SandboxError(50109, "The request body contains invalid JSON.", 400) from None


def build_app(sb: Sandbox, router: Router) -> web.Application:
    app = web.Application(client_max_size=64 * 1024 * 1024)

    async def api(request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        method = request.method
        query = dict(request.query)
        started = time.monotonic()
        delay = sb.latency.draw(method, path)
        await sb.latency.wait(delay / 2)  # the request on its way: Discord sees it late
        body: Any = None
        payload: Any = None
        headers: dict[str, str] = {}
        delivered: list[Callable[[], None]] = []  # run once the answer is on its way to the bot
        try:
            body, files = await _read_body(request)
            route, params = sb_match(router, method, path)
            if route.auth and request.headers.get("Authorization") != f"Bot {sb.bot_token}":
                raise unauthorized()
            is_interaction = path.startswith(("/interactions/", "/webhooks/"))
            verdict = sb.ratelimits.check(method, path, counts_global=not is_interaction)
            headers.update(verdict.headers)
            if verdict.refused is not None:
                if verdict.is_global:
                    sb.stats.global_429 += 1
                else:
                    sb.stats.route_429 += 1
                status, payload = 429, verdict.refused
            elif (fault := sb.faults.take(method, path)) is not None:
                payload, extra = fault_response(fault)
                headers.update(extra)
                sb.stats.fault_responses += 1
                status = fault.status
            else:
                await sb.faults.pass_gates(method, path)
                ctx = Ctx(sb, request, method, path, params, query, body, files, delivered)
                result = await route.handler(ctx)
                status, payload = (204, None) if result is None else (200, result)
        except SandboxError as exc:
            status, payload = exc.status, exc.body()
        if status in (401, 403, 429):
            sb.stats.invalid_requests += 1
        sb.stats.bot_request_times.append(started)
        sb.record(RecordedRequest(method, path, query, body, status, payload, time.time(), "bot", headers))
        await sb.latency.wait(delay - delay / 2)  # the answer on its way back
        response = json_response(status, payload, headers)
        if delivered:
            # e.g. an interaction counts as answered for a test only once discord.py has the answer:
            # discord.py registers a modal only when its callback returns, so a test must not submit it sooner
            await response.prepare(request)
            await response.write_eof()
            for hook in delivered:
                hook()
        return response

    app.router.add_route("*", API_PREFIX + "/{tail:.*}", api)
    app.router.add_get("/gateway", sb.gateway.handle)
    app.router.add_get("/gateway/", sb.gateway.handle)
    return app


def sb_match(router: Router, method: str, path: str) -> tuple[Route, dict[str, str]]:
    return router.match(method, path)
