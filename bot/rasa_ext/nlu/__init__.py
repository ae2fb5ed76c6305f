"""Custom Rasa NLU graph components (Rasa glue only; their logic lives in `bot/`)."""
