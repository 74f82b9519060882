"""Check-ins, goals and reminders, with exactly-once delivery. Imports no discord.

The public face for other features and the adapter: the delivery port's types (what a scheduled message
looks like and what sending it did) and the choices offered to a quiet member's partner (the custom-id
contract carries them). The composition root builds the services from their modules.
"""

from bot.checkins.outbox import Action, ButtonSpec, OutboxPort, Outgoing, SendStatus, Sent
from bot.checkins.states import QuietChoice

__all__ = ["Action", "ButtonSpec", "OutboxPort", "Outgoing", "QuietChoice", "SendStatus", "Sent"]
