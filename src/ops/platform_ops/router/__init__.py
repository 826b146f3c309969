"""`platform-ops router`: the file router's decisions, one file's history, and replays."""
