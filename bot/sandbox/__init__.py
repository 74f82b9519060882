"""A local Discord-compatible server (REST API v10 + gateway) for end-to-end tests and the demo.

The unmodified discord.py bot connects to it over real HTTP and WebSocket on 127.0.0.1::

    from bot.sandbox import Sandbox
    from bot.sandbox.client import start_client, stop_client   # optional convenience

    async with Sandbox() as sb:          # or: sb = await Sandbox().start(); ...; await sb.stop()
        guild = sb.add_guild("Rainbow Peers")              # owner: a new human member, guild.owner
        role = sb.add_role(guild, "Mentor Team", permissions=0)
        alice = sb.add_member(guild, "alice", roles=[role], dms_open=True)   # bot=True for bots
        sb.set_bot_permissions(guild, perms)               # the bot's managed role
        cat = sb.add_category(guild, "Peer Spaces")
        hub = sb.add_text_channel(guild, "peer-hub", parent=cat)
        general = guild.system_channel                     # every guild has "general"
        discord.http.Route.BASE = sb.api_base              # what start_client() does, then
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(sb.gateway_url)
        await client.login(sb.bot_token); task = asyncio.create_task(client.connect())
        await sb.wait_until_ready(timeout=10)              # bot identified, all GUILD_CREATEs sent
        await sb.wait_for_commands(guild, timeout=10)      # bot synced guild or global commands

World building (works before and after the bot connects):
    ``sb.bot_token``, ``sb.application_id``, ``sb.bot_user`` (``.id``), ``sb.api_base``, ``sb.gateway_url``.
    ``add_guild``, ``add_role``, ``add_category``/``add_text_channel`` (``overwrites=[{"id", "type",
    "allow", "deny"}]``), ``set_bot_permissions``, ``set_everyone_permissions``,
    ``set_role_permissions``. ``add_member`` is synchronous and dispatches GUILD_MEMBER_ADD
    immediately when the bot is connected; ``await add_member_live(...)`` does the same and waits
    until the event was written to the socket. ``await remove_member(guild, member)`` dispatches
    GUILD_MEMBER_REMOVE. ``await delete_channel(channel)`` deletes as a human admin (CHANNEL_DELETE).
    ``await send_as(member, channel, "text")`` posts as a human (MESSAGE_CREATE).
    Events dispatched while the bot is disconnected are buffered and replayed on RESUME.
    ``sb.limits.max_guild_channels`` (500), ``sb.limits.max_category_channels`` (50),
    ``sb.limits.interaction_response_seconds`` (3.0), ``sb.limits.nonce_seconds`` (300: a message sent
    with ``nonce`` and ``enforce_nonce`` by the same author within this window returns the first
    message instead of creating one, as Discord documents; ``Message.nonce`` records it).

Interactions (validated against the synced commands like Discord's client; a refusal raises
``SandboxError`` with ``code=0``):
    res = await sb.invoke(guild, alice, "peer join", role="peer", timezone="Europe/Berlin")
        Options by name; Member/User/Role/Channel objects or ids for USER/ROLE/CHANNEL/MENTIONABLE
        options (with ``resolved`` data). The command runs in ``guild.system_channel`` unless
        ``in_channel=`` is given; ``channel=`` means the invocation channel too, unless the command
        has an option named ``channel``. Commands with ``default_member_permissions`` the member
        lacks raise unless ``sb.override_command_permissions(guild, "peeradmin", everyone=True)``.
    await res.wait_done(timeout=10)    # answered: message, modal, autocomplete, or deferral filled
        ``res.response_type``, ``res.ephemeral``, ``res.content``, ``res.embeds``, ``res.components``
        (of the main response message), ``res.followups``, ``res.modal`` (dict custom_id/title/
        components), ``res.messages`` (original + follow-ups, each a recorded ``Message`` with
        ``content``, ``embeds``, ``flags``, ``components``, ``allowed_mentions``, ``mentions``...).
        As on Discord, the first follow-up after a deferral fills the deferred original message.
        ``res.message`` is the main message, ``res.choices`` the autocomplete answer, ``res.token``
        the interaction token. An answer later than ``sb.limits.interaction_response_seconds``
        gets 10062; a second answer gets 40060. Ephemeral messages raise no gateway events.
    choices = await sb.autocomplete(guild, alice, "peer join", focused="timezone", value="Euro")
    res2 = await sb.submit_modal(alice, res, {"about": "text"})     # by text input custom_id
    res3 = await sb.press_button(alice, message, custom_id)
    res4 = await sb.select(alice, message, custom_id, ["value"])

Inspection:
    ``sb.messages_in(channel)`` (non-ephemeral unless ``include_ephemeral=True``), ``sb.dms_for(user)``,
    ``sb.channel(id)`` (``type``, ``name``, ``parent_id``, ``overwrites`` as dicts with int bits,
    ``members`` of threads), ``sb.can_view(member, channel)``, ``sb.permissions_of(member, channel)``,
    ``sb.read_messages_as(member, channel)`` (SandboxError code 50001 when they cannot view it).
    ``sb.attachment_bytes(attachment)``: the bytes of a file the bot uploaded.
    ``sb.requests`` (``RecordedRequest``: method, path without /api/v10, query, json, status,
    response, time, actor "bot"/"helper"); ``sb.find_requests("POST", r"/guilds/\\d+/channels")``
    (path full-match; bot requests only unless ``actor=None``); ``await sb.wait_for_request(...)``.

Discord's limits (every body the bot sends is checked; a refusal is HTTP 400, code 50035 "Invalid
Form Body", ``errors`` nested by field path with ``_errors`` leaves, exactly as Discord answers):
    messages on every route (channel, DM, interaction responses 4/7, follow-ups, webhook edits):
    content 2,000; 10 embeds with their field limits and 6,000 characters in all; 5 action rows of
    1-5 buttons or one select; custom ids 1-100 and unique; allowed_mentions (``message_rules``,
    ``component_rules``). Modals (type 9): title 45, 1-5 Labels/rows/text displays, inputs' limits,
    unique ids, only as the first response (40060 after a defer or an answer); autocomplete answers
    (25 choices, name 1-100, value 100) (``modal_rules``). Command syncs: names, descriptions,
    25 options/choices, required first, no autocomplete with choices, 8,000 a command
    (``command_rules``). Channel and thread names 1-100; private threads only in text channels (50024).

Timing (``Sandbox(latency=..., message_bucket=..., clock=...)``):
    ``latency``: a ``bot.sandbox.timing.Latency`` (default none; ``Latency.realistic()`` is 20-50 ms
    with jitter; ``sb.latency.set(low, high)``; ``sb.latency.add_route("POST", r"/channels/\\d+/messages",
    2.5)`` for a slow route); half of each delay passes before the request is handled.
    ``message_bucket``: Discord's 5 bot messages per 5 s per channel (default ``(5, 5.0)``; ``None`` off;
    ``sb.ratelimits.set_channel_messages(limit, window)`` later); a 429 carries ``retry_after`` and the
    headers discord.py honours. ``clock``: monotonic seconds (default ``time.monotonic``) for the
    3-second first response (``sb.limits.interaction_response_seconds``), tokens, nonces, buckets.

Gateway and limits:
    ``await sb.drop_bot_connection()`` closes the socket with code 4000; discord.py RESUMEs;
    ``rec = await sb.wait_for_resume()`` → ``rec.replayed`` (event names replayed).
    ``sb.ratelimits.add_route("POST", r"/channels/\\d+/messages", limit=5, window=1.0)`` (per major
    parameter), ``sb.ratelimits.set_global(per_second=50)`` (interaction endpoints exempt);
    ``sb.faults.fail_next("POST", r"/guilds/\\d+/channels", status=500, count=1)``.
    ``gate = sb.faults.hold("POST", r"/guilds/\\d+/channels")``: matching requests wait in the server
    (``await gate.reached.wait()``, ``gate.held``) until ``gate.release()``.
    ``sb.stats``: ``global_429``, ``route_429``, ``fault_responses``, ``invalid_requests``,
    ``bot_requests``, ``peak_rps``, ``mean_rps``.
    ``sb.gateway.allowed_privileged_intents`` (default all): an IDENTIFY asking for more closes 4014.

discord.py convenience (``bot.sandbox.client``):
    ``point_discord_py(api_base, gateway_url)``, ``restore_discord_py()``,
    ``task = await start_client(client, sb.api_base, sb.gateway_url, sb.bot_token)`` (login,
    connect in a task, wait for on_ready), ``await stop_client(client, task)``.

Standalone: ``python -m bot.sandbox --port 8765 [--demo-guild]`` prints api_base, gateway_url,
bot_token, application_id and the guilds.

Not modelled: sharding, voice, presences, reactions, webhooks other than interaction follow-ups,
audit logs, role hierarchy beyond member role changes, DMs between humans.
"""

from .errors import SandboxError
from .interactions import InteractionResult
from .sandbox import Limits, Sandbox
from .server import RecordedRequest
from .state import Channel, Guild, Member, Message, Role, User

__all__ = [
    "Channel",
    "Guild",
    "InteractionResult",
    "Limits",
    "Member",
    "Message",
    "RecordedRequest",
    "Role",
    "Sandbox",
    "SandboxError",
    "User",
]
