"""Validating a member's profile. Every rule here answers with one sentence that says what is allowed."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.errors import InvalidInput
from bot.core.text import clean_block, clean_line, human_list, split_list
from bot.pairing import catalog
from bot.pairing.models import ROLES
from bot.pairing.states import Role

MAX_TOPICS = 5
MAX_LANGUAGES = 5
MAX_TAGS = 5
MAX_TAG_LENGTH = 32
MAX_ABOUT_LENGTH = 300
MAX_CAPACITY = 5
TAG_PUNCTUATION = frozenset(" +&'./-")


@dataclass(frozen=True)
class ProfileInput:
    """What the member typed into ``/peer join``, untouched."""

    role: str
    timezone: str
    languages: str
    topics: str | None = None
    tags: str | None = None
    life_stage: str | None = None
    about: str | None = None
    capacity: int | None = None


@dataclass(frozen=True)
class ProfileData:
    """A validated profile, ready to store."""

    role: Role
    timezone: str
    languages: tuple[str, ...]
    topics: tuple[str, ...]
    tags: tuple[str, ...]
    life_stage: str | None
    about: str
    capacity: int


def _topics(raw: str | None, allowed: list[str]) -> tuple[str, ...]:
    chosen = split_list(raw)
    if not chosen:
        return ()
    if not allowed:
        raise InvalidInput(
            "This server has no topic list yet, so leave topics empty for now "
            "(moderators set the list with /peeradmin setup)."
        )
    canonical = {t.casefold(): t for t in allowed}
    unknown = [t for t in chosen if t.casefold() not in canonical]
    if unknown:
        raise InvalidInput(
            f"{human_list(unknown)} is not on this server's topic list; choose from: {human_list(allowed)}."
        )
    if len(chosen) > MAX_TOPICS:
        raise InvalidInput(f"Choose at most {MAX_TOPICS} topics, separated by commas.")
    return tuple(canonical[t.casefold()] for t in chosen)


def _languages(raw: str) -> tuple[str, ...]:
    names = split_list(raw)
    if not names:
        raise InvalidInput("Name at least one language you are happy to talk in, such as English or es.")
    if len(names) > MAX_LANGUAGES:
        raise InvalidInput(f"Name at most {MAX_LANGUAGES} languages, separated by commas.")
    codes: list[str] = []
    for name in names:
        code = catalog.language_code(name)
        if code is None:
            raise InvalidInput(
                f"I don't know the language {name[:40]!r}; pick one from the suggestions "
                "or type its two-letter code, such as de."
            )
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def _tags(raw: str | None) -> tuple[str, ...]:
    tags = split_list(raw)
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"Share at most {MAX_TAGS} community tags, separated by commas.")
    for tag in tags:
        if len(tag) > MAX_TAG_LENGTH:
            raise InvalidInput(f"Keep each community tag to {MAX_TAG_LENGTH} characters or fewer.")
        if not all(ch.isalnum() or ch in TAG_PUNCTUATION for ch in tag):
            raise InvalidInput("Community tags can use letters, numbers, spaces and + & ' . / - only.")
    return tuple(tags)


def validate_profile(raw: ProfileInput, allowed_topics: list[str]) -> ProfileData:
    role = raw.role.strip().casefold()
    if role not in ROLES:
        raise InvalidInput(f"Your role must be one of: {human_list(list(ROLES))}.")
    timezone = clean_line(raw.timezone)
    if not catalog.is_timezone(timezone):
        raise InvalidInput(
            "That timezone isn't one I know; pick one from the suggestions, such as Europe/Berlin or America/New_York."
        )
    life_stage = raw.life_stage.strip() if raw.life_stage else None
    if life_stage is not None and life_stage not in catalog.LIFE_STAGES:
        raise InvalidInput(f"Life stage must be one of: {human_list(list(catalog.LIFE_STAGES))}.")
    about = clean_block(raw.about or "")
    if len(about) > MAX_ABOUT_LENGTH:
        raise InvalidInput(f"Keep your 'about me' to {MAX_ABOUT_LENGTH} characters (it has {len(about)}).")
    capacity = 1
    if raw.capacity is not None:
        if role != Role.MENTOR:
            raise InvalidInput("Capacity is only for mentors; leave it empty for peers and mentees.")
        if not 1 <= raw.capacity <= MAX_CAPACITY:
            raise InvalidInput(f"A mentor's capacity must be between 1 and {MAX_CAPACITY} mentees.")
        capacity = raw.capacity
    return ProfileData(
        role=Role(role),
        timezone=timezone,
        languages=_languages(raw.languages),
        topics=_topics(raw.topics, allowed_topics),
        tags=_tags(raw.tags),
        life_stage=life_stage,
        about=about,
        capacity=capacity,
    )


def validate_topic_list(raw: str) -> list[str]:
    topics = split_list(raw)
    if not topics:
        raise InvalidInput("Give at least one topic, separated by commas, such as: writing, career change.")
    if len(topics) > 50:
        raise InvalidInput("A server's topic list can hold at most 50 topics.")
    for topic in topics:
        if len(topic) > 40:
            raise InvalidInput("Keep each topic to 40 characters or fewer.")
    return topics
