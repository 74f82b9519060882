"""Safety: reports, blocks, resources, program pause, break-glass access, retention, privacy, statistics.

The public face for other features: the program-pause setting's queries and the statistics line type that
features contribute. The composition root builds the services from their modules.
"""

from bot.safety.queries import SafetySettingsRepo
from bot.safety.stats import StatLine

__all__ = ["SafetySettingsRepo", "StatLine"]
