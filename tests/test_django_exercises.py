"""Tests of lecture 9's lab (exercises/reviews) and assignment
(exercises/orders), through Django's test client and over real HTTP.

The bookshop's URLconf uses each exercise's solution.py by default. A
student runs these tests against the file they are completing,
starter.py, with::

    COURSE_IMPL=starter python -m pytest tests/test_django_exercises.py

Run against the solutions, this file also runs itself against the
starters, in a child pytest, and checks that they fail.
"""

from __future__ import annotations

import os
import re

import pytest

from tests.support import assert_starters_fail
from tests.support_django import PASSWORD, HttpSession, add_books, make_user, shop_db  # noqa: F401

IMPL = os.environ.get("COURSE_IMPL", "solution")
if IMPL not in ("solution", "starter"):
    raise ValueError(f"COURSE_IMPL must be 'solution' or 'starter', not {IMPL!r}")

pytestmark = pytest.mark.usefixtures("shop_db")


def model(name):
    from django.apps import apps

    return apps.get_model("shop", name)


def logged_in(name: str):
    from django.test import Client

    make_user(name)
    client = Client()
    assert client.login(username=name, password=PASSWORD)
    return client


# The lab: reviews ----------------------------------------------------------------


class TestReviews:
    def test_the_book_page_lists_its_reviews(self):
        from django.test import Client

        book = add_books()[0]
        reader = make_user("ada")
        model("Review").objects.create(book=book, reader=reader, rating=4, text="Dense.")
        page = Client().get(f"/books/{book.pk}/").text
        assert "4/5 by ada: Dense." in page

    def test_a_reader_adds_a_review_and_sees_it_on_the_book_page(self):
        book = add_books()[0]
        client = logged_in("ada")
        response = client.post(f"/books/{book.pk}/reviews/", {"rating": "5", "text": "Yes."})
        assert response.status_code == 302 and response.url == f"/books/{book.pk}/"
        assert "5/5 by ada: Yes." in client.get(f"/books/{book.pk}/").text
        (review,) = model("Review").objects.all()
        assert (review.book, review.reader.username) == (book, "ada")

    def test_reviews_are_listed_oldest_first(self):
        book = add_books()[0]
        client = logged_in("ada")
        for text in ["one", "two", "three"]:
            client.post(f"/books/{book.pk}/reviews/", {"rating": "3", "text": text})
        page = client.get(f"/books/{book.pk}/").text
        assert page.index(": one") < page.index(": two") < page.index(": three")

    def test_an_anonymous_visitor_is_sent_to_log_in(self):
        from django.test import Client

        book = add_books()[0]
        response = Client().post(f"/books/{book.pk}/reviews/", {"rating": "5", "text": "x"})
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?next=")
        assert not model("Review").objects.exists()

    @pytest.mark.parametrize("form", [
        {"rating": "0", "text": "too low"},
        {"rating": "6", "text": "too high"},
        {"rating": "five", "text": "not a number"},
        {"rating": "3", "text": ""},
        {"rating": "3", "text": "x" * 2001},
    ])
    def test_a_bad_review_is_a_400_and_not_saved(self, form):
        book = add_books()[0]
        response = logged_in("ada").post(f"/books/{book.pk}/reviews/", form)
        assert response.status_code == 400
        assert not model("Review").objects.exists()

    def test_an_unknown_book_is_a_404_and_a_get_a_405(self):
        client = logged_in("ada")
        assert client.post("/books/999/reviews/", {"rating": "3", "text": "x"}).status_code == 404
        add_books()
        assert client.get("/books/1/reviews/").status_code == 405

    def test_a_review_is_html_escaped(self):
        book = add_books()[0]
        client = logged_in("ada")
        client.post(f"/books/{book.pk}/reviews/", {"rating": "1", "text": "<b>bad</b>"})
        page = client.get(f"/books/{book.pk}/").text
        assert "&lt;b&gt;bad&lt;/b&gt;" in page and "<b>bad</b>" not in page

    def test_a_review_over_real_http(self, bookshop_address):
        book = add_books()[0]
        make_user("ada")
        browser = HttpSession(bookshop_address)
        browser.log_in("ada")
        response, _ = browser.post_form(f"/books/{book.pk}/reviews/",
                                        {"rating": "4", "text": "Over the wire."},
                                        page=browser.request("GET", f"/books/{book.pk}/")[1])
        assert response.status == 302
        _, page = browser.request("GET", f"/books/{book.pk}/")
        assert "4/5 by ada: Over the wire." in page


# The assignment: order history ----------------------------------------------------------


def place_order(client, *books_and_quantities) -> None:
    for book, quantity in books_and_quantities:
        for _ in range(quantity):
            client.post(f"/cart/add/{book.pk}/")
    assert client.post("/checkout/").status_code == 302


class TestOrders:
    def test_an_anonymous_visitor_is_sent_to_log_in(self):
        from django.test import Client

        response = Client().get("/orders/")
        assert response.status_code == 302 and response.url == "/accounts/login/?next=/orders/"

    def test_a_customer_without_orders_is_told_so(self):
        response = logged_in("ada").get("/orders/")
        assert response.status_code == 200 and "No orders yet" in response.text

    def test_an_order_shows_its_lines_and_total(self):
        dispossessed, earthsea, _ = add_books()
        client = logged_in("ada")
        place_order(client, (dispossessed, 2), (earthsea, 1))
        page = client.get("/orders/").text
        assert "2 × The Dispossessed" in page and "1 × A Wizard of Earthsea" in page
        assert "Total: $38.99" in page

    def test_orders_are_listed_newest_first(self):
        dispossessed, earthsea, small_gods = add_books()
        client = logged_in("ada")
        for book in (dispossessed, earthsea, small_gods):
            place_order(client, (book, 1))
        page = client.get("/orders/").text
        assert (page.index("Small Gods") < page.index("Earthsea")
                < page.index("The Dispossessed"))
        numbers = [int(n) for n in re.findall(r"Order (\d+)", page)]
        assert numbers == sorted(numbers, reverse=True) and len(numbers) == 3

    def test_nobody_sees_anyone_elses_orders(self):
        dispossessed, earthsea, _ = add_books()
        place_order(logged_in("ada"), (dispossessed, 1))
        bob = logged_in("bob")
        place_order(bob, (earthsea, 1))
        page = bob.get("/orders/").text
        assert "Earthsea" in page and "Dispossessed" not in page

    def test_the_page_runs_as_many_queries_for_ten_orders_as_for_one(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        books = add_books()
        client = logged_in("ada")
        place_order(client, (books[0], 1))
        with CaptureQueriesContext(connection) as one:
            assert client.get("/orders/").status_code == 200
        for _ in range(9):
            place_order(client, (books[1], 1), (books[2], 2))
        with CaptureQueriesContext(connection) as ten:
            assert client.get("/orders/").text.count('class="order"') == 10
        assert len(ten) == len(one)


# The starters ------------------------------------------------------------------------


@pytest.mark.skipif(IMPL == "starter", reason="this is the run against the starters")
def test_the_starters_fail_these_tests(tmp_path):
    assert_starters_fail(
        "tests/test_django_exercises.py",
        ("TestReviews", "TestOrders"),
        {"test_the_book_page_lists_its_reviews"},
        tmp_path,
    )
