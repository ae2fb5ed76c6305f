"""Custom Rasa Core parts loaded from endpoints files (Rasa glue only)."""
