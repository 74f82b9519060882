"""``tandem demo``: the real bot, unmodified, against the bundled sandbox, with a readable transcript.

Everything below goes over real HTTP and WebSocket on 127.0.0.1: members use slash commands through
the sandbox exactly as Discord's client would send them, and the bot answers through discord.py.
"""

from __future__ import annotations

import logging
import re
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import discord

from bot.app.logging_setup import configure_logging
from bot.sandbox import InteractionResult, Sandbox
from bot.sandbox.local import start_local_bot

TOPICS = "writing, career change, coming out, music, veterans life"
WIDTH = 100


class Transcript:
    def __init__(self, sb: Sandbox, guild: Any) -> None:
        self.sb, self.guild = sb, guild

    def names(self, text: str) -> str:
        """Show <@id> and <#id> as the names a member would see."""

        def user(match: re.Match[str]) -> str:
            member = self.guild.members.get(int(match[1]))
            return f"@{member.user.username}" if member else "@someone"

        def channel(match: re.Match[str]) -> str:
            found = self.guild.channels.get(int(match[1]))
            return f"#{found.name}" if found else "#channel"

        def when(match: re.Match[str]) -> str:
            return "just now" if match[2] == "R" else time.strftime("%Y-%m-%d", time.gmtime(int(match[1])))

        text = re.sub(r"<@!?(\d+)>", user, text)
        text = re.sub(r"<#(\d+)>", channel, text)
        text = re.sub(r"<@&(\d+)>", "@role", text)
        return re.sub(r"<t:(\d+):(\w)>", when, text)

    @staticmethod
    def block(prefix: str, text: str) -> None:
        lines = text.splitlines() or [""]
        print(f"{prefix}{lines[0]}")
        for line in lines[1:]:
            print(f"{' ' * len(prefix)}{line}")

    def section(self, title: str) -> None:
        print(f"\n── {title} " + "─" * max(0, WIDTH - len(title) - 4))

    def command(self, who: Any, command: str, options: dict[str, Any]) -> None:
        shown = " ".join(f"{k}:{_option(v)}" for k, v in options.items())
        print(f"\n▶ {who.user.username}: /{command} {shown}".rstrip())

    def answer(self, who: Any, result: InteractionResult) -> None:
        text = result.content or ""
        for embed in result.embeds:
            text += "\n".join(filter(None, [embed.get("title"), embed.get("description")]))
        audience = f"only {who.user.username} sees this" if result.ephemeral else "everyone in the channel"
        self.block(f"◀ Tandem ({audience}): ", self.names(text))

    def channel_created(self, channel_id: int) -> None:
        channel = self.sb.channel(channel_id)
        parent = self.sb.channel(channel.parent_id) if channel.parent_id else None
        kind = "private thread" if channel.type == 12 else "channel"
        print(f"\n  [Discord] Tandem created {kind} #{channel.name} in {parent.name if parent else 'the guild'}:")
        for ow in channel.overwrites:
            target = "@everyone" if ow["id"] == self.guild.id else self.names(f"<@{ow['id']}>")
            if ow["id"] == self.sb.bot_user.id:
                target = "@Tandem (the bot)"
            allow = ", ".join(_perm_names(ow["allow"])) or "-"
            deny = ", ".join(_perm_names(ow["deny"])) or "-"
            print(f"            {target:<18} allow: {allow}; deny: {deny}")
        see = [
            f"{m.user.username} (server owner)" if m.user.id == self.guild.owner_id else m.user.username
            for m in self.guild.members.values()
            if not m.user.bot and self.sb.can_view(m, channel)
        ]
        unseen = [
            m.user.username for m in self.guild.members.values() if not m.user.bot and not self.sb.can_view(m, channel)
        ]
        print(f"            who can see it: {', '.join(see)}; who cannot: {', '.join(unseen)}")
        for message in self.sb.messages_in(channel_id):
            self.block(f"  [#{channel.name}] Tandem: ", self.names(message.content))


def _command_paths(commands: Any) -> list[str]:
    """Every invocable path, subcommand groups included ("/peer data export")."""
    paths: list[str] = []
    for command in commands:
        for option in command.options:
            if option.get("type") == 1:
                paths.append(f"/{command.name} {option['name']}")
            elif option.get("type") == 2:
                paths.extend(f"/{command.name} {option['name']} {sub['name']}" for sub in option.get("options", []))
    return paths


@dataclass
class DemoClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


def _option(value: Any) -> str:
    if hasattr(value, "user"):
        return f"@{value.user.username}"
    if hasattr(value, "type") and hasattr(value, "name"):
        return f"#{value.name}"
    return str(value)


def _perm_names(bits: int) -> list[str]:
    names = [name.upper() for name, on in discord.Permissions(bits) if on]
    return ["VIEW_CHANNEL" if n == "READ_MESSAGES" else n for n in names]


async def run_demo(keep_db: Path | None = None) -> int:
    configure_logging(logging.WARNING)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tandem-demo-") as tmp:
        db_path = keep_db or Path(tmp) / "tandem-demo.db"
        async with Sandbox() as sb:
            guild = sb.add_guild("Rainbow Peers", owner_name="oli")
            mod_role = sb.add_role(guild, "Program Team", permissions=1 << 5)
            mod = sb.add_member(guild, "morgan", roles=[mod_role])
            category = sb.add_category(guild, "Peer Spaces")
            hub = sb.add_text_channel(guild, "peer-hub")
            seen = (1 << 10) | (1 << 11) | (1 << 16)  # View Channel, Send Messages, Read Message History
            log_channel = sb.add_text_channel(  # moderators only: reports are posted there
                guild,
                "tandem-log",
                overwrites=[
                    {"id": guild.id, "type": 0, "allow": 0, "deny": 1 << 10},
                    {"id": mod_role.id, "type": 0, "allow": seen, "deny": 0},
                    {"id": sb.bot_user.id, "type": 1, "allow": seen, "deny": 0},
                ],
            )
            people = {name: sb.add_member(guild, name) for name in ("alice", "bob", "sam", "jo", "riley")}
            t = Transcript(sb, guild)
            print("Tandem demo: the real bot (discord.py) against the bundled Discord sandbox on 127.0.0.1.")
            print(f"Sandbox API {sb.api_base}; database {db_path} (a fresh SQLite file, migrated with Alembic).")
            print(
                "No TANDEM_DATA_KEY is needed here: the demo made a throwaway data key, so what members write "
                "is encrypted at rest and unreadable once the demo ends."
            )
            clock = DemoClock(datetime.now(UTC))  # check-ins run on this clock: the demo moves it forward
            running = await start_local_bot(sb, f"sqlite+aiosqlite:///{db_path}", (guild.id,), clock=clock)
            try:
                await sb.wait_for_commands(guild, timeout=10)
                commands = sorted(_command_paths(guild.commands.values()))
                print(f"The bot connected over the gateway and synced {len(commands)} commands:")
                print("  " + ", ".join(commands))

                async def run(who: Any, command: str, **options: Any) -> InteractionResult:
                    t.command(who, command, options)
                    result = await sb.invoke(guild, who, command, **options)
                    await result.wait_done(timeout=10)
                    t.answer(who, result)
                    return result

                t.section("A moderator sets the program up")
                await run(mod, "peeradmin setup", category=category, hub=hub, log_channel=log_channel, topics=TOPICS)

                t.section("Members opt in with a profile (each answer is visible to that member only)")
                profiles: dict[str, dict[str, Any]] = {
                    "alice": {"role": "peer", "timezone": "Europe/Berlin", "languages": "English, German",
                              "topics": "writing, coming out", "tags": "LGBTQ+"},
                    "bob": {"role": "peer", "timezone": "Europe/London", "languages": "English",
                            "topics": "writing, coming out, music", "tags": "lgbtq+"},
                    "sam": {"role": "mentor", "timezone": "America/New_York", "languages": "English",
                            "topics": "veterans life, career change", "capacity": 2},
                    "jo": {"role": "mentee", "timezone": "America/Chicago", "languages": "English",
                           "topics": "veterans life", "life_stage": "veteran-transition"},
                    "riley": {"role": "peer", "timezone": "Asia/Tokyo", "languages": "Japanese",
                              "topics": "music"},
                }  # fmt: skip
                for name, options in profiles.items():
                    await run(people[name], "peer join", **options)

                t.section("The moderator previews a matching round, then runs it")
                await run(mod, "peeradmin match", dry_run=True)
                before = {c for c in guild.channels}
                await run(mod, "peeradmin match")
                for channel_id in sorted(set(guild.channels) - before):
                    if guild.channels[channel_id].name.startswith("pair-"):
                        t.channel_created(channel_id)

                t.section("Members check their pairing")
                await run(people["alice"], "peer status")
                await run(people["riley"], "peer status")

                t.section("A week later (the demo moves the bot's clock): the check-in prompt")
                space = next(
                    c
                    for c in guild.channels.values()
                    if c.name.startswith("pair-")
                    and any(f"<@{people['jo'].id}>" in m.content for m in sb.messages_in(c.id))
                )
                clock.now += timedelta(days=8)
                await running.bot.scheduler.tick()
                prompt = [m for m in sb.messages_in(space.id) if "Check-in time" in m.content][-1]
                t.block(f"  [#{space.name}] Tandem: ", t.names(prompt.content))
                labels = [c.get("label") for row in prompt.components for c in row.get("components", [])]
                print(f"                         buttons: {', '.join(filter(None, labels))}")
                custom_id = next(
                    c["custom_id"]
                    for row in prompt.components
                    for c in row.get("components", [])
                    if c["custom_id"].startswith("tandem:checkin:")
                )
                print("\n▶ jo presses Check in, and fills in the form: 4 of 5, a note shared with the mentor")
                opened = await sb.press_button(people["jo"], prompt, custom_id)
                await opened.wait_done(timeout=10)
                submitted = await sb.submit_modal(
                    people["jo"],
                    opened,
                    {"mood": "4", "progress": "CV done", "note": "Had my first interview!", "share": "yes"},
                )
                await submitted.wait_done(timeout=10)
                t.answer(people["jo"], submitted)
                t.block(f"  [#{space.name}] Tandem: ", t.names(sb.messages_in(space.id)[-1].content))

                t.section("A goal with a date, and its reminder")
                due = (clock.now + timedelta(days=3)).date().isoformat()
                await run(people["jo"], "goal add", objective="Send three job applications", due=due)
                clock.now += timedelta(days=2, hours=12)
                await running.bot.scheduler.tick()
                for message in sb.dms_for(people["jo"]):
                    if "goal" in message.content:
                        t.block("  [DM to jo] Tandem: ", t.names(message.content))
                for message in sb.dms_for(people["sam"]):
                    t.block("  [DM to sam, the mentor] Tandem: ", t.names(message.content))
                await run(people["jo"], "goal list")

                t.section("A pairing ends without blame")
                await run(people["bob"], "peer end")
                for message in sb.dms_for(people["alice"]):
                    t.block("  [DM to alice] Tandem: ", t.names(message.content))
                    labels = [c.get("label") for row in message.components for c in row.get("components", [])]
                    print(f"                         buttons: {', '.join(filter(None, labels))}")
                await run(mod, "peeradmin pairs")
            finally:
                await running.stop()
        seconds = time.monotonic() - started
        bot_requests = sb.stats.bot_requests
        print(f"\nDemo finished in {seconds:.1f} s: {bot_requests} REST requests from the bot, all to 127.0.0.1.")
        print("Note: Discord shows every channel to a server's owner and to Administrators, whatever the")
        print("overwrites; Tandem cannot hide pair spaces from them, and never shows pair content to moderators.")
    return 0
