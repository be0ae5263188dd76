"""Assignment: an order history page.

GET /orders/ shows the logged-in customer's own orders, newest first:
for each order its number, date, lines ("2 × Title") and total. Nobody
sees anyone else's orders; anonymous visitors are sent to the login
page. Checkout (shop/views.py) redirects here after placing an order.

Make it fast too: the page must not run one query per order (use
prefetch_related); the tests count the queries.

Test it: COURSE_IMPL=starter python -m pytest tests/test_django_exercises.py -k Orders
"""

from django.http import HttpResponse


def order_history(request):
    # TODO: the customer's orders with their lines, rendered as HTML.
    return HttpResponse("TODO: the order history", status=501)
