import pytest
from tests.conftest import build_world
from tests.e2e.conftest import browser_mark, visit

pytestmark = browser_mark

def focused(page):
    return page.evaluate("() => { const e = document.activeElement; return e.tagName + '#' + e.id + '.' + e.className + ' ' + (e.textContent||'').trim().slice(0,30) }")

def test_explore(browser_page):
    page = browser_page
    build_world()
    for path in ["/", "/account/sign-in/"]:
        visit(page, path)
        print(path, "initial:", focused(page))
        for i in range(6):
            page.keyboard.press("Tab")
            print("  tab", i, focused(page))
