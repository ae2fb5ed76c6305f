"""Rasa input channels of the project (Rasa classes by nature)."""
