"""The demo: the whole cycle on a bundled plan, with sections' answers simulated; synthetic plans."""
