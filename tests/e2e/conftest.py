"""Browser fixtures (`browser`, `page`, `mobile_page`) live in tests/conftest.py so every
test directory shares one Chromium; this module only re-exports the constants."""

from tests.browser import CHROMIUM, CHROMIUM_FLAGS

__all__ = ["CHROMIUM", "CHROMIUM_FLAGS"]
