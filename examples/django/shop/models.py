"""The bookshop's data: each class a table, each attribute a column."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


# [start:catalogue]
class Author(models.Model):
    name = models.CharField(max_length=200, unique=True)

    def __str__(self) -> str:
        return self.name


class Book(models.Model):
    title = models.CharField(max_length=200)
    author = models.ForeignKey(
        Author, on_delete=models.PROTECT, related_name="books")
    price = models.DecimalField(max_digits=8, decimal_places=2)
    stock = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
# [end:catalogue]


# [start:orders]
class Order(models.Model):
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
        related_name="orders")
    placed = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-placed", "-id"]

    def total(self) -> Decimal:
        lines = self.lines.all()
        return sum((ln.price * ln.quantity for ln in lines), Decimal(0))


class OrderLine(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines")
    book = models.ForeignKey(Book, on_delete=models.PROTECT)
    quantity = models.PositiveIntegerField()
    # the price paid, whatever the book costs later:
    price = models.DecimalField(max_digits=8, decimal_places=2)
# [end:orders]


class Review(models.Model):
    """A reader's review of a book (the lab writes the page that adds them)."""

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.TextField(max_length=2000)
    written = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["written", "id"]
