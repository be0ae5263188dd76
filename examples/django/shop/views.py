"""The shop's views: class-based for the catalogue, functions for the cart."""

from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView

from .models import Book, Order


# [start:catalogue]
class BookList(ListView):
    model = Book  # template: shop/book_list.html, context: book_list
    queryset = Book.objects.select_related("author")


class BookDetail(DetailView):
    model = Book  # /books/<pk>/, 404 if there is no such book
# [end:catalogue]


# [start:cart]
def cart_of(session) -> dict[str, int]:
    """The cart kept in the session: {book id (a string): quantity}."""
    return session.setdefault("cart", {})


@require_POST
def add_to_cart(request, pk: int):
    book = get_object_or_404(Book, pk=pk)
    cart = cart_of(request.session)
    cart[str(book.pk)] = cart.get(str(book.pk), 0) + 1
    request.session.modified = True  # we changed a dict inside it
    return redirect("cart")
# [end:cart]


def cart(request):
    books = Book.objects.in_bulk([int(pk) for pk in cart_of(request.session)])
    lines = [(books[int(pk)], n) for pk, n in cart_of(request.session).items()
             if int(pk) in books]
    total = sum(book.price * n for book, n in lines)
    return render(request, "shop/cart.html", {"lines": lines, "total": total})


# [start:checkout]
@login_required
@require_POST
def checkout(request):
    cart = cart_of(request.session)
    if not cart:
        return redirect("cart")
    with transaction.atomic():  # the whole order, or nothing
        order = Order.objects.create(customer=request.user)
        for pk, quantity in cart.items():
            book = get_object_or_404(Book, pk=int(pk))
            order.lines.create(
                book=book, quantity=quantity, price=book.price)
    request.session["cart"] = {}
    return redirect("order-history")
# [end:checkout]


# [start:staff]
@permission_required("shop.change_book")  # staff with that permission
def stock_report(request):
    books = Book.objects.filter(stock__lt=3).select_related("author")
    return render(request, "shop/stock.html", {"books": books})
# [end:staff]
