"""The WeChat official-account channel (registered as ``wechat.channel.WeChatInput``).

- ``channel``: the Rasa input channel: webhook, receive a message, run a turn.
- ``security``: signatures, the timestamp window, safe-mode decryption and encryption.
- ``render``: a turn as one text with numbered options; the passive reply's XML.
- ``deferred``: answers slower than the passive window, pushes, kept answers.
- ``customer_service``: the customer-service message API client.
- ``push``: the output channel of messages Rasa sends outside a turn (human handoff).
- ``config``: the channel's settings; ``cache``: its bounded in-memory tables.
"""
