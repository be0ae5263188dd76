"""Lecture 9 in a real browser (Chromium, driven by Playwright): a
superuser logs into the bookshop's admin, adds an author and a book, and
the book is in the shop; a visitor puts it in the cart."""

from __future__ import annotations

import pytest

from tests.support_django import ADMIN, PASSWORD, bookshop_server

pytestmark = pytest.mark.browser





@pytest.fixture
def url(tmp_path):
    with bookshop_server(f"sqlite:///{tmp_path}/bookshop.sqlite3") as (host, port):
        yield f"http://{host}:{port}"


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_log_into_the_admin_and_add_a_book(url, page):
    page.goto(f"{url}/admin/")
    page.fill("input[name=username]", ADMIN)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("text=Site administration")

    page.goto(f"{url}/admin/shop/author/add/")
    page.fill("input[name=name]", "Italo Calvino")
    page.click("input[name=_save]")
    page.wait_for_selector("text=was added successfully")

    page.goto(f"{url}/admin/shop/book/add/")
    page.fill("input[name=title]", "Invisible <Cities>")
    page.select_option("select[name=author]", label="Italo Calvino")
    page.fill("input[name=price]", "12.50")
    page.fill("input[name=stock]", "3")
    page.click("input[name=_save]")
    page.wait_for_selector("text=was added successfully")
    assert "Invisible <Cities>" in page.inner_text("#result_list")

    page.goto(f"{url}/")
    page.click("text=Invisible <Cities>")  # shown as text, not as a tag
    assert page.inner_text("h1") == "Invisible <Cities>"
    page.click("button:has-text('Add to cart')")
    page.wait_for_selector("h1:has-text('Your cart')")
    assert "1 × Invisible <Cities>" in page.inner_text("main")
