"""Finding codes of the report step (joined into :data:`validation.catalogue.CATALOGUE`)."""

from validation.catalogue import Message

MESSAGES: dict[str, Message] = {}
