"""Package placeholder, filled by its issue."""
