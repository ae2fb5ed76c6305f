"""Limits on what the public may send, in one place.

- ``rate``: the token bucket every rate limit uses (per sender, per client address);
- ``service``: the service's public API — body size and a rate per client (ASGI middleware);
- the chat channels' limits (messages per sender and per client, buttons per message, what
  the user is told) are in ``bot.rasa_ext.channels.limits``, beside the channels that apply
  them; the size of a message the assistant tries to understand is in ``bot.input_guard``.
"""
