"""Route appeals to departments and track their service-standard deadlines."""
