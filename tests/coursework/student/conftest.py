# The browser fixtures (live server, Chromium, committed people, screenshot on failure) live in
# tests/browser/conftest.py; the student pages' browser test uses them from here.
from tests.browser.conftest import (  # noqa: F401
    browser_page,
    chromium_path,
    committed_person,
    live_server_url,
    pytest_runtest_makereport,
)
