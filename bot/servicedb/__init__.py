"""The service's shared database: engine and sessions, shared tables, staff tokens, migrations."""
