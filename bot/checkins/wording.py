"""What Tandem says about check-ins, goals and reminders. Kind, short, and never blaming anyone."""

from __future__ import annotations

from datetime import date, datetime

from bot.core.text import mention, shown_plain, visible_text

SUPPORT_FALLBACK = (
    "You're not alone. If you are in danger or crisis, please contact your local emergency number now. "
    "The moderators of this server can point you to support too."
)
MOODS = {1: "very low", 2: "low", 3: "okay", 4: "good", 5: "great"}


def stamp(moment: datetime, style: str = "f") -> str:
    """Discord's timestamp markup: every member sees it in their own timezone."""
    return f"<t:{int(moment.timestamp())}:{style}>"


def quoted(text: str) -> str:
    """Member text shown to others: quoted, and unable to mention anyone even if pings were allowed."""
    safe = visible_text(text).replace("@", "@\u200b").replace("<", "<\u200b")  # the member's formatting stays
    return "\n".join(f"> {line}" for line in safe.splitlines() or [""])


def checkin_prompt(member_ids: tuple[int, ...]) -> str:
    names = " and ".join(mention(m) for m in member_ids)
    return (
        f"Check-in time, {names}! How are things going? Press **Check in** to tell me how you are and how "
        "your goals are coming along. Your note stays private unless you choose to share it."
    )


def checkin_prompt_dm() -> str:
    return (
        "Check-in time! Your pair space isn't available right now, so here is your prompt. Press **Check in** "
        "to tell me how you are; your note stays private unless you choose to share it."
    )


def reminder(due: datetime, member_id: int | None = None) -> str:
    who = f"{mention(member_id)}, a" if member_id is not None else "A"
    return (
        f"{who} gentle reminder: your pair's check-in from {stamp(due)} is still open. "
        "Press **Check in** whenever you're ready; a few words are plenty."
    )


def mentor_due(mentee_ids: tuple[int, ...], due: datetime) -> str:
    names = " and ".join(mention(m) for m in mentee_ids)
    return f"Heads-up: your check-in with {names} is due {stamp(due, 'R')} ({stamp(due)})."


def mentor_missed(mentee_id: int) -> str:
    return (
        f"{mention(mentee_id)} has missed the last two check-ins. A short, no-pressure message can help; "
        "nobody is in trouble."
    )


def goal_soon(goal_id: int, due: date, objective: str | None) -> str:
    what = f"goal #{goal_id}" + (f" ({shown_plain(objective)})" if objective else "")  # at most 300 characters
    return (
        f"Your {what} is due on {due.isoformat()}. If the date no longer fits, that's fine: adjust it "
        "with /goal edit, or record progress with /goal progress."
    )


def goal_overdue(goal_id: int, due: date) -> str:
    return (
        f"Your goal #{goal_id} passed its date ({due.isoformat()}). No pressure: would you like to give it a "
        "new date with /goal edit, or mark it finished with /goal done?"
    )


def with_mention(member_id: int, text: str) -> str:
    return f"{mention(member_id)} {text[0].lower()}{text[1:]}"


def gone_quiet(quiet_id: int, missed: int) -> str:
    return (
        f"{mention(quiet_id)} hasn't checked in for the last {missed} check-ins. Life gets busy; I've paused "
        "their check-ins for now, without blame. What would you like to do: keep waiting, pause your "
        "pairing for a while, or be matched with someone new?"
    )


def space_gone_for_moderators(pair_id: int) -> str:
    return (
        f"The private space of pair #{pair_id} can't be reached (deleted by hand, or a missing permission). "
        "Its check-in prompts go to the members by DM until it is restored."
    )


def checked_in(member_id: int, note: str | None) -> str:
    if note:
        return f"{mention(member_id)} checked in and shared a note:\n{quoted(note)}"
    return f"{mention(member_id)} checked in."


def agreement_saved(member_id: int, schedule_text: str, first_due: datetime) -> str:
    return (
        f"{mention(member_id)} updated your pair agreement. Check-ins: {schedule_text}; "
        f"the next one is {stamp(first_due)}."
    )


def goal_done(member_id: int, goal_id: int) -> str:
    return f"🎉 {mention(member_id)} just finished goal #{goal_id}. Well done!"


def welcome_agreement_hint() -> str:
    return (
        "When you're ready, press **Our agreement** to write down what you'd like from this pairing, your "
        "timeline, how often to check in (weekly unless you choose otherwise), and your boundaries."
    )
