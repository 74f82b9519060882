"""The gateway WebSocket: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats, RESUME with replay.

Frames are always plain JSON text (the ``compress`` query is ignored; discord.py only inflates
binary frames). One bot session at a time: a new IDENTIFY invalidates older sessions.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

log = logging.getLogger(__name__)

JSON = dict[str, Any]

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT, INVALID_SESSION, HELLO, HEARTBEAT_ACK = (
    0,
    1,
    2,
    6,
    7,
    9,
    10,
    11,
)
HEARTBEAT_INTERVAL_MS = 41250

# intents
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15
PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT


@dataclass
class Session:
    session_id: str
    intents: int
    seq: int = 0
    buffer: list[JSON] = field(default_factory=list)
    ws: web.WebSocketResponse | None = None
    queue: asyncio.Queue[JSON] | None = None
    valid: bool = True


@dataclass
class ResumeRecord:
    session_id: str
    from_seq: int
    replayed: list[str]


class Gateway:
    """Holds the bot's gateway session(s) and delivers dispatches to them."""

    def __init__(
        self,
        *,
        token: str,
        url: Callable[[], str],
        ready_payload: Callable[[Session], JSON],
        guild_payloads: Callable[[Session], list[JSON]],
    ) -> None:
        self.token = token
        self.heartbeat_interval_ms = HEARTBEAT_INTERVAL_MS  # sent in HELLO (a benchmark samples latency often)
        self.heartbeats: list[float] = []  # when each heartbeat arrived (monotonic seconds)
        # seconds before HEARTBEAT_ACK, like a network's round trip: discord.py records a heartbeat's
        # send time in its heartbeat thread after the send, so an instant ACK handled first reads as a
        # latency of a whole interval
        self.heartbeat_ack_delay = 0.0
        self._url = url
        self._ready_payload = ready_payload
        self._guild_payloads = guild_payloads
        self.sessions: dict[str, Session] = {}
        self.allowed_privileged_intents = PRIVILEGED
        self.identifies = 0
        self.resumes: list[ResumeRecord] = []
        self.ready = asyncio.Event()
        self.resumed = asyncio.Event()
        self.dispatched: list[JSON] = []
        self._sockets: set[web.WebSocketResponse] = set()
        self._changed = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()

    # --- delivery --------------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return any(s.ws is not None for s in self.sessions.values() if s.valid)

    def intents(self) -> int | None:
        """Intents of the current session, or ``None`` when the bot never identified."""
        for s in self.sessions.values():
            if s.valid:
                return s.intents
        return None

    def dispatch(self, event: str, data: JSON, *, intent: int | None = GUILDS, redacted: JSON | None = None) -> None:
        """Send a dispatch to every valid session whose intents include ``intent``.

        ``redacted`` goes to sessions without the MESSAGE_CONTENT intent. Sessions that are
        disconnected buffer the dispatch; a RESUME replays it.
        """
        for session in self.sessions.values():
            if not session.valid:
                continue
            if intent is not None and not session.intents & intent:
                continue
            use = data if redacted is None or session.intents & MESSAGE_CONTENT else redacted
            self._send_dispatch(session, event, use)

    def _send_dispatch(self, session: Session, event: str, data: JSON) -> None:
        session.seq += 1
        payload = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
        session.buffer.append(payload)
        self.dispatched.append(payload)
        if session.queue is not None:
            session.queue.put_nowait(payload)

    async def flush(self) -> None:
        """Wait until every queued frame has been written to the socket."""
        for session in list(self.sessions.values()):
            if session.queue is not None:
                await session.queue.join()

    async def drop(self, code: int = 4000) -> None:
        """Close the bot's connection with a resumable close code."""
        self.resumed.clear()
        for ws in list(self._sockets):
            await ws.close(code=code, message=b"sandbox dropped the connection")

    async def close_all(self) -> None:
        for session in self.sessions.values():
            session.valid = False
        for ws in list(self._sockets):
            await ws.close(code=1001, message=b"sandbox stopping")

    # --- connection ------------------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=16 * 1024 * 1024)
        await ws.prepare(request)
        self._sockets.add(ws)
        session: Session | None = None
        writer: asyncio.Task[None] | None = None
        try:
            await ws.send_str(
                json.dumps({"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}, "s": None, "t": None})
            )
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    if msg.type == WSMsgType.BINARY:
                        await ws.close(code=4002, message=b"Error while decoding payload.")
                    break
                try:
                    frame = json.loads(msg.data)
                    op = frame["op"]
                except (ValueError, KeyError, TypeError):
                    await ws.close(code=4002, message=b"Error while decoding payload.")
                    break
                if op == HEARTBEAT:
                    self.heartbeats.append(time.monotonic())
                    if self.heartbeat_ack_delay:
                        await asyncio.sleep(self.heartbeat_ack_delay)
                    await ws.send_str(json.dumps({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None}))
                elif op == IDENTIFY:
                    if session is not None:
                        await ws.close(code=4005, message=b"Already authenticated.")
                        break
                    session = await self._identify(ws, frame.get("d") or {})
                    if session is None:
                        break
                    writer = asyncio.create_task(self._writer(ws, session))
                    self._start_identified(session)
                elif op == RESUME:
                    if session is not None:
                        await ws.close(code=4005, message=b"Already authenticated.")
                        break
                    session = self._resume(ws, frame.get("d") or {})
                    if session is None:
                        await ws.send_str(json.dumps({"op": INVALID_SESSION, "d": False, "s": None, "t": None}))
                        continue
                    writer = asyncio.create_task(self._writer(ws, session))
                elif op in (3, 4, 8, 31):
                    if session is None:
                        await ws.close(code=4003, message=b"Not authenticated.")
                        break
                else:
                    await ws.close(code=4001, message=b"Unknown opcode.")
                    break
        finally:
            self._sockets.discard(ws)
            queue = session.queue if session is not None and session.ws is ws else None
            if session is not None and session.ws is ws:
                session.ws = None
                session.queue = None
            if writer is not None:
                writer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await writer
            while queue is not None and not queue.empty():
                # undelivered frames stay in the session buffer and are replayed on RESUME
                queue.get_nowait()
                queue.task_done()
            self._changed.set()
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: JSON) -> Session | None:
        token = str(data.get("token", ""))
        token = token.removeprefix("Bot ")
        if token != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        try:
            intents = int(data.get("intents", 0))
        except (TypeError, ValueError):
            await ws.close(code=4013, message=b"Invalid intent(s).")
            return None
        if intents & PRIVILEGED & ~self.allowed_privileged_intents:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return None
        for old in self.sessions.values():
            old.valid = False
        session = Session(secrets.token_hex(16), intents)
        self.sessions[session.session_id] = session
        self.identifies += 1
        self.ready.clear()
        session.ws = ws
        session.queue = asyncio.Queue()
        return session

    def _start_identified(self, session: Session) -> None:
        self._send_dispatch(session, "READY", self._ready_payload(session))
        for guild in self._guild_payloads(session):
            self._send_dispatch(session, "GUILD_CREATE", guild)
        task = asyncio.get_running_loop().create_task(self._mark_ready(session))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        self._changed.set()

    async def _mark_ready(self, session: Session) -> None:
        if session.queue is not None:
            await session.queue.join()
        if session.valid:
            self.ready.set()

    def _resume(self, ws: web.WebSocketResponse, data: JSON) -> Session | None:
        token = str(data.get("token", "")).removeprefix("Bot ")
        session = self.sessions.get(str(data.get("session_id")))
        if token != self.token or session is None or not session.valid:
            return None
        try:
            from_seq = int(data.get("seq") or 0)
        except (TypeError, ValueError):
            return None
        if session.ws is not None and session.ws is not ws:
            return None
        queue: asyncio.Queue[JSON] = asyncio.Queue()
        replay = [p for p in session.buffer if p["s"] > from_seq]
        for payload in replay:
            queue.put_nowait(payload)
        session.ws = ws
        session.queue = queue
        self.resumes.append(ResumeRecord(session.session_id, from_seq, [p["t"] for p in replay]))
        self._send_dispatch(session, "RESUMED", {"_trace": ["sandbox"]})
        self.resumed.set()
        self._changed.set()
        return session

    async def _writer(self, ws: web.WebSocketResponse, session: Session) -> None:
        queue = session.queue
        if queue is None:
            return
        while True:
            payload = await queue.get()
            try:
                await ws.send_str(json.dumps(payload))
            except ConnectionError:
                log.debug("gateway socket closed while sending")
            finally:
                queue.task_done()

    async def wait_connected(self, timeout: float) -> None:
        async with asyncio.timeout(timeout):
            while not self.connected:
                self._changed.clear()
                await self._changed.wait()
