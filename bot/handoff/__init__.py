"""Human handoff: a conversation handed from the bot to a 12345 agent and back."""
