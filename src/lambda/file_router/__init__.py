"""The file router: every file landing under data/in/ is matched against config/config.json and routed."""
