"""Lab solution: readers review books (see starter.py for the task)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from shop.models import Book, Review


class ReviewForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = ["rating", "text"]


@login_required
@require_POST
def add_review(request, pk: int):
    book = get_object_or_404(Book, pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    review = form.save(commit=False)
    review.book, review.reader = book, request.user
    review.save()
    return redirect("book-detail", pk=book.pk)
