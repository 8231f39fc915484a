"""The browser test: the demo in headless Chromium, as a newcomer would click through it."""
