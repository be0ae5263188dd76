"""Lab: readers review books.

The Review model (shop/models.py) and its table are given. Write the
view that adds a review: POST /books/<pk>/reviews/ with fields
``rating`` (1 to 5) and ``text``.

- only logged-in readers (others are sent to the login page);
- a valid review is saved for that book and that reader, and the reply
  redirects to the book's page (where shop/book_detail.html lists it);
- an invalid one (rating out of range, empty text) is not saved: reply
  400 with the form's errors;
- a book that does not exist: 404; a GET: 405.

Test it: COURSE_IMPL=starter python -m pytest tests/test_django_exercises.py -k Reviews
"""

from django.http import HttpResponse


def add_review(request, pk: int):
    # TODO: a ModelForm for Review (fields rating and text), then the view.
    return HttpResponse("TODO: add a review", status=501)
