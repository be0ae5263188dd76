"""Tests of lecture 9's bookshop (examples/django/) in this process:
settings, models and migrations, views through Django's test client,
sessions, logins, permissions, CSRF and the admin."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.support import run_script
from tests.support_django import PASSWORD, add_books, make_user, shop_db  # noqa: F401

pytestmark = pytest.mark.usefixtures("shop_db")


def model(name):
    from django.apps import apps

    return apps.get_model("shop", name)


@pytest.fixture
def client():
    from django.test import Client

    return Client()


def test_the_book_list_template_shows_titles_authors_and_prices(client):
    add_books()
    page = client.get("/").text
    assert '<a href="/books/3/">Small Gods</a>\n      by Terry Pratchett, $11.00' in page
    assert "No books yet" not in page
    model("Book").objects.all().delete()
    assert "<li>No books yet.</li>" in client.get("/").text


# Settings ---------------------------------------------------------------------------


class TestSettings:
    def test_a_sqlite_url_names_a_file(self):
        from bookshop.settings import database_from_url

        assert database_from_url("sqlite:////tmp/shop.sqlite3") == {
            "ENGINE": "django.db.backends.sqlite3", "NAME": "/tmp/shop.sqlite3"}

    def test_a_postgresql_url_gives_every_part(self):
        from bookshop.settings import database_from_url

        assert database_from_url("postgresql://shop:s%40cret@db.local:5433/books") == {
            "ENGINE": "django.db.backends.postgresql", "NAME": "books", "USER": "shop",
            "PASSWORD": "s@cret", "HOST": "db.local", "PORT": "5433"}

    def test_an_unknown_database_is_refused(self):
        from django.core.exceptions import ImproperlyConfigured

        from bookshop.settings import database_from_url

        with pytest.raises(ImproperlyConfigured, match="unknown scheme 'mysql'"):
            database_from_url("mysql://localhost/shop")

    def test_without_a_secret_key_the_project_refuses_to_start(self, monkeypatch):
        monkeypatch.delenv("SECRET_KEY", raising=False)
        done = run_script("django", "manage", "check")
        assert done.returncode != 0
        assert "set SECRET_KEY in the environment" in done.stderr

    def test_serve_explains_itself(self):
        done = run_script("django", "serve", "--help")
        assert done.returncode == 0
        assert "--port PORT" in done.stdout and "0 picks a free port" in done.stdout

    def test_the_migrations_match_the_models(self, monkeypatch, tmp_path):
        monkeypatch.setenv("SECRET_KEY", "x")
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/db.sqlite3")
        done = run_script("django", "manage", "makemigrations", "--check", "--dry-run")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "No changes detected" in done.stdout


# Models -------------------------------------------------------------------------------


class TestModels:
    def test_books_come_in_title_order_with_their_author(self):
        add_books()
        books = model("Book").objects.select_related("author")
        assert [(b.title, str(b.author)) for b in books] == [
            ("A Wizard of Earthsea", "Ursula K. Le Guin"),
            ("Small Gods", "Terry Pratchett"),
            ("The Dispossessed", "Ursula K. Le Guin"),
        ]

    def test_queries_follow_relations(self):
        add_books()
        Book = model("Book")
        assert Book.objects.filter(author__name__startswith="Ursula").count() == 2
        assert list(Book.objects.filter(price__lt=10).values_list("title", flat=True)) == [
            "A Wizard of Earthsea"]

    def test_an_author_with_books_cannot_be_deleted(self):
        from django.db.models import ProtectedError

        add_books()
        with pytest.raises(ProtectedError):
            model("Author").objects.get(name="Terry Pratchett").delete()

    def test_an_author_name_is_unique(self):
        from django.db import IntegrityError, transaction

        model("Author").objects.create(name="Homer")
        with pytest.raises(IntegrityError), transaction.atomic():
            model("Author").objects.create(name="Homer")

    def test_an_order_total_adds_its_lines_at_the_price_paid(self):
        books = add_books()
        order = model("Order").objects.create(customer=make_user("ada"))
        order.lines.create(book=books[0], quantity=2, price=books[0].price)
        order.lines.create(book=books[1], quantity=1, price=Decimal("5.00"))
        assert order.total() == Decimal("34.00")


# Views, the cart, logins ----------------------------------------------------------------


class TestViews:
    def test_the_home_page_lists_the_books(self, client):
        add_books()
        response = client.get("/")
        assert response.status_code == 200
        assert [b.title for b in response.context["book_list"]][0] == "A Wizard of Earthsea"
        assert "Small Gods</a>\n      by Terry Pratchett, $11.00" in response.text

    def test_a_book_page_and_a_missing_one(self, client):
        book = add_books()[0]
        assert "The Dispossessed" in client.get(f"/books/{book.pk}/").text
        assert client.get("/books/999/").status_code == 404

    def test_titles_are_html_escaped(self, client):
        author = model("Author").objects.create(name="<script>x</script>")
        model("Book").objects.create(title="<b>bold</b>", author=author, price=1)
        page = client.get("/").text
        assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<script>x" not in page

    def test_the_cart_lives_in_the_session(self, client):
        books = add_books()
        assert client.get("/cart/").context["lines"] == []
        client.post(f"/cart/add/{books[0].pk}/")
        response = client.post(f"/cart/add/{books[0].pk}/", follow=True)
        assert response.redirect_chain == [("/cart/", 302)]
        assert client.session["cart"] == {str(books[0].pk): 2}
        assert "2 × The Dispossessed" in response.text and "Total: $29.00" in response.text

    def test_another_browser_has_its_own_cart(self, client):
        from django.test import Client

        book = add_books()[0]
        client.post(f"/cart/add/{book.pk}/")
        assert "Your cart is empty" in Client().get("/cart/").text

    def test_adding_needs_a_post_and_a_real_book(self, client):
        add_books()
        assert client.get("/cart/add/1/").status_code == 405
        assert client.post("/cart/add/999/").status_code == 404

    def test_checkout_needs_a_login(self, client):
        response = client.post("/checkout/")
        assert response.status_code == 302
        assert response.url == "/accounts/login/?next=/checkout/"

    def test_checkout_turns_the_cart_into_an_order(self, client):
        books = add_books()
        user = make_user("ada")
        client.post(f"/cart/add/{books[1].pk}/")
        assert client.login(username="ada", password=PASSWORD)
        assert client.post("/checkout/").url == "/orders/"
        (order,) = user.orders.all()
        assert [(line.book.title, line.quantity) for line in order.lines.all()] == [
            ("A Wizard of Earthsea", 1)]
        assert client.session["cart"] == {}

    def test_logging_in_through_the_form_and_out(self, client):
        make_user("ada")
        page = client.get("/accounts/login/")
        assert page.status_code == 200
        wrong = client.post("/accounts/login/", {"username": "ada", "password": "no"})
        assert "Wrong username or password" in wrong.text
        right = client.post("/accounts/login/", {"username": "ada", "password": PASSWORD})
        assert right.url == "/"
        assert "ada" in client.get("/").text
        assert client.post("/accounts/logout/").status_code == 302
        assert "Log in" in client.get("/").text

    def test_the_stock_page_is_for_staff_with_the_permission(self, client):
        add_books()
        make_user("reader")
        make_user("clerk", staff=True, permissions=("change_book",))
        client.login(username="reader", password=PASSWORD)
        assert client.get("/staff/stock/").status_code == 302  # to the login page
        client.login(username="clerk", password=PASSWORD)
        page = client.get("/staff/stock/").text
        assert "A Wizard of Earthsea: 1 left" in page and "Small Gods: 0 left" in page
        assert "Dispossessed" not in page


class TestCsrf:
    def test_a_post_without_the_token_is_forbidden(self):
        from django.test import Client

        add_books()
        client = Client(enforce_csrf_checks=True)
        assert client.post("/cart/add/1/").status_code == 403
        assert "cart" not in client.session

    def test_a_post_with_the_token_is_accepted(self):
        from django.test import Client

        book = add_books()[0]
        client = Client(enforce_csrf_checks=True)
        page = client.get(f"/books/{book.pk}/")
        token = page.context["csrf_token"]
        response = client.post(f"/cart/add/{book.pk}/", {"csrfmiddlewaretoken": token})
        assert response.status_code == 302


class TestAdmin:
    def test_the_admin_asks_for_a_staff_login(self, client):
        response = client.get("/admin/")
        assert response.status_code == 302 and response.url.startswith("/admin/login/")
        make_user("reader")
        client.login(username="reader", password=PASSWORD)
        assert client.get("/admin/").status_code == 302  # not staff

    def test_a_superuser_adds_a_book_in_the_admin(self, client):
        from django.contrib.auth.models import User

        User.objects.create_superuser("boss", password=PASSWORD)
        author = model("Author").objects.create(name="Italo Calvino")
        client.login(username="boss", password=PASSWORD)
        form = {"title": "Invisible Cities", "author": author.pk, "price": "12.00",
                "stock": "4"}
        response = client.post("/admin/shop/book/add/", form)
        assert response.status_code == 302
        assert model("Book").objects.get().title == "Invisible Cities"
        listing = client.get("/admin/shop/book/?q=invisible").text
        assert "Invisible Cities" in listing

    def test_a_bad_price_in_the_admin_is_an_error_not_a_book(self, client):
        from django.contrib.auth.models import User

        User.objects.create_superuser("boss", password=PASSWORD)
        author = model("Author").objects.create(name="Italo Calvino")
        client.login(username="boss", password=PASSWORD)
        response = client.post("/admin/shop/book/add/",
                               {"title": "X", "author": author.pk, "price": "cheap"})
        assert response.status_code == 200 and "Enter a number" in response.text
        assert not model("Book").objects.exists()


class TestBadInput:
    # The CSRF check reads the form first: a client that sends tokens.
    def test_a_form_body_over_the_limit_is_a_400(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        add_books()
        client.get("/books/1/")  # the CSRF cookie
        response = client.post("/cart/add/1/", {"filler": "x" * 70_000})
        assert response.status_code == 400
        assert "cart" not in client.session

    def test_too_many_fields_is_a_400(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        add_books()
        client.get("/books/1/")  # the CSRF cookie
        response = client.post("/cart/add/1/", {f"f{i}": "1" for i in range(200)})
        assert response.status_code == 400

    def test_an_unknown_host_is_a_400(self, client):
        assert client.get("/", HTTP_HOST="evil.example").status_code == 400
