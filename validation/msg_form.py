"""Finding codes of the form step (joined into :data:`validation.catalogue.CATALOGUE`)."""

from validation.catalogue import Message

MESSAGES: dict[str, Message] = {}
