"""The shop's URLs: each pattern names a view."""

from django.urls import path

from . import views

# [start:urls]
urlpatterns = [
    path("", views.BookList.as_view(), name="book-list"),
    path("books/<int:pk>/", views.BookDetail.as_view(),
         name="book-detail"),
    path("cart/", views.cart, name="cart"),
    path("cart/add/<int:pk>/", views.add_to_cart,
         name="add-to-cart"),
    path("checkout/", views.checkout, name="checkout"),
    path("staff/stock/", views.stock_report,
         name="stock-report"),
]
# [end:urls]
