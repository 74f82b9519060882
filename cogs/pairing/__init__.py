"""The pairing feature's commands and views. Other cogs use only what is exported here."""

from cogs.pairing.texts import request_outcome

__all__ = ["request_outcome"]
