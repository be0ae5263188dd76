"""Assignment solution: an order history page (see starter.py for the task)."""

from django.contrib.auth.decorators import login_required
from django.template import engines

from django.http import HttpResponse

PAGE = engines["django"].from_string("""{% extends "shop/base.html" %}
{% block title %}Your orders{% endblock %}
{% block content %}
<h1>Your orders</h1>
{% for order in orders %}
  <section class="order">
  <h2>Order {{ order.pk }}, {{ order.placed|date:"Y-m-d H:i" }}</h2>
  <ul>
  {% for line in order.lines.all %}
    <li>{{ line.quantity }} × {{ line.book.title }}</li>
  {% endfor %}
  </ul>
  <p>Total: ${{ order.total }}</p>
  </section>
{% empty %}
  <p>No orders yet.</p>
{% endfor %}
{% endblock %}
""")


@login_required
def order_history(request):
    orders = request.user.orders.prefetch_related("lines__book")
    return HttpResponse(PAGE.render({"orders": orders}, request))
