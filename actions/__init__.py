"""Custom actions: Rasa-facing glue only; the logic lives in `bot/`."""
