"""Fixed vocabularies: languages, life stages, and timezone look-up."""

from __future__ import annotations

import zoneinfo
from functools import cache

LANGUAGES: dict[str, str] = {
    "ar": "Arabic", "bn": "Bengali", "ca": "Catalan", "cs": "Czech", "cy": "Welsh", "da": "Danish",
    "de": "German", "el": "Greek", "en": "English", "eo": "Esperanto", "es": "Spanish",
    "et": "Estonian", "eu": "Basque", "fa": "Persian", "fi": "Finnish", "fil": "Filipino",
    "fr": "French", "ga": "Irish", "gd": "Scottish Gaelic", "gl": "Galician", "gu": "Gujarati",
    "he": "Hebrew", "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "hy": "Armenian",
    "id": "Indonesian", "is": "Icelandic", "it": "Italian", "ja": "Japanese", "ka": "Georgian",
    "kk": "Kazakh", "km": "Khmer", "ko": "Korean", "lt": "Lithuanian", "lv": "Latvian",
    "mk": "Macedonian", "ml": "Malayalam", "mr": "Marathi", "ms": "Malay", "mt": "Maltese",
    "nl": "Dutch", "no": "Norwegian", "pa": "Punjabi", "pl": "Polish", "pt": "Portuguese",
    "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sq": "Albanian",
    "sr": "Serbian", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil", "te": "Telugu", "th": "Thai",
    "tl": "Tagalog", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese",
    "yo": "Yoruba", "zh": "Chinese", "zu": "Zulu", "ase": "American Sign Language",
    "bfi": "British Sign Language",
}  # fmt: skip

LIFE_STAGES: dict[str, str] = {
    "student": "Student",
    "early-career": "Early career",
    "mid-career": "Mid career",
    "career-change": "Changing careers",
    "parent": "Parenting",
    "veteran-transition": "Leaving the service",
    "retired": "Retired",
}

_BY_NAME = {name.casefold(): code for code, name in LANGUAGES.items()}


def language_code(text: str) -> str | None:
    """The code for a language typed as a code ("de") or a name ("German"), or None."""
    key = text.strip().casefold()
    if key in LANGUAGES:
        return key
    return _BY_NAME.get(key)


@cache
def all_timezones() -> tuple[str, ...]:
    names = {n for n in zoneinfo.available_timezones() if "/" in n or n == "UTC"}
    names -= {n for n in names if n.startswith(("Etc/", "SystemV/", "posix/", "right/"))}
    return tuple(sorted(names))


def is_timezone(name: str) -> bool:
    return name in all_timezones()


def search_timezones(text: str, limit: int = 25) -> list[str]:
    """Timezones whose name contains every word typed, best (prefix) matches first."""
    words = text.replace("/", " ").replace("_", " ").casefold().split()
    if not words:
        return list(all_timezones()[:limit])
    hits = [tz for tz in all_timezones() if all(w in tz.casefold().replace("_", " ") for w in words)]
    hits.sort(key=lambda tz: (not tz.split("/")[-1].casefold().startswith(words[-1]), tz))
    return hits[:limit]
