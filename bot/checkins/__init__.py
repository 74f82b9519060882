"""Check-ins, goals and reminders, with exactly-once delivery. Imports no discord.

The public face for other features and the adapter: the delivery port's types (what a scheduled message
looks like and what sending it did). The composition root builds the services from their modules.
"""

from bot.checkins.outbox import Action, ButtonSpec, OutboxPort, Outgoing, SendStatus, Sent

__all__ = ["Action", "ButtonSpec", "OutboxPort", "Outgoing", "SendStatus", "Sent"]
