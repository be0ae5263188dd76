"""The bookshop in Django's admin: staff edit books and authors here."""

from django.contrib import admin

from .models import Author, Book, Order, OrderLine, Review


# [start:admin]
@admin.register(Book)
class BookAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "price", "stock"]
    list_filter = ["author"]
    search_fields = ["title", "author__name"]
# [end:admin]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["id", "customer", "placed"]
    inlines = [OrderLineInline]


admin.site.register(Author)
admin.site.register(Review)
