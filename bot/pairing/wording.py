"""What Tandem says in pair spaces, DMs and the moderators' log. Kind, blameless, never revealing.

Mentions are written as Discord's plain ``<@id>`` syntax; whoever sends the text decides who may be
pinged, and member-written text is never part of these messages except as quoted plain text.
"""

from __future__ import annotations

from bot.core.text import human_list, mention


def welcome(member_ids: tuple[int, ...], reasons: tuple[str, ...]) -> str:
    names = human_list([mention(m) for m in member_ids])
    why = "; ".join(reasons) if reasons else "you both asked for a peer at the same time"
    return (
        f"Welcome, {names}! You've been paired in Tandem.\n"
        f"**Why you were matched:** {why}.\n\n"
        "This space is hidden from other members, and Tandem never shows what you write here to the "
        "moderators. (Discord itself lets the server's owner and administrators see every channel.) "
        "A good first conversation agrees three things:\n"
        "- **Goals**: what each of you hopes to get from this, and by when.\n"
        "- **Check-ins**: how often you'll check in (weekly works well for most pairs).\n"
        "- **Boundaries**: what's off-limits, and how you'll say if something isn't working.\n"
        "Peers are not therapists: if you ever need more support, "
        "the server's moderators can point you to it. "
        "Either of you can end this pairing any time with `/peer end`, no blame and no questions."
    )


def space_closing() -> str:
    return (
        "This pairing has ended. Thank you both for the time you gave each other. "
        "This space is now read-only and stays here for you to look back on; "
        "`/peer request` finds a new match whenever you're ready."
    )


def partner_ended(guild_name: str) -> str:
    return (
        f"Your pairing in **{guild_name}** has ended. That's okay: pairings end for all sorts of "
        "reasons, and nobody is at fault. Whenever you're ready, press the button below or use "
        "`/peer request` in the server for a new match."
    )


def partner_left_server(guild_name: str) -> str:
    return (
        f"Your partner in **{guild_name}** is no longer in the server, so your pairing has ended. "
        "You did nothing wrong. Press the button below or use `/peer request` for a new match."
    )


def moderator_ended(guild_name: str) -> str:
    return (
        f"The moderators of **{guild_name}** have ended your pairing. This is not a judgement of you; "
        "press the button below or use `/peer request` when you'd like a new match."
    )


def space_failed_for_moderators(hint: str) -> str:
    return f"Tandem could not open a private pair space: {hint}"


def welcome_failed_for_moderators(pair_id: int) -> str:
    return (
        f"Pair #{pair_id}'s space is open, but Tandem could not post its welcome message (with the report "
        "button) there; please check the space and welcome the pair yourselves."
    )
