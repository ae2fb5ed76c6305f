"""The appeal backend: route appeals to departments and track their service-standard deadlines."""
