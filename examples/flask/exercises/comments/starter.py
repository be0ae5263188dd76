"""Lab (starter): comments on posts. Complete the two TODOs.

A small blog in the microblog's style: posts, and under each post its
comments, newest last. Anyone may comment, giving a name and a text.

    GET  /posts/<id>            the post and its comments
    POST /posts/<id>/comments   add one (form fields: name, text);
                                an empty name or text, or a text over 300
                                characters, gets 400; an unknown post 404

    python solution.py --port 5000
"""

from __future__ import annotations

import argparse

from flask import Flask, abort, redirect, render_template_string, request, url_for
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Post(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    # TODO: once Comment has a post, uncomment:
    # comments: Mapped[list[Comment]] = relationship(
    #     back_populates="post", order_by="Comment.id"
    # )


# [start:comment]
class Comment(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    # TODO: a name (40 characters at most), a text (300 at most), and the
    # post it belongs to (a foreign key, and a relationship back to Post)
# [end:comment]


PAGE = """<!doctype html>
<title>Post {{ post.id }}</title>
<p class="post">{{ post.body }}</p>
<ul>
{% for comment in post.comments %}
  <li class="comment"><b>{{ comment.name }}</b>: {{ comment.text }}</li>
{% endfor %}
</ul>
<form method="post" action="{{ url_for('add_comment', post_id=post.id) }}">
  <input name="name"> <input name="text"> <button>Comment</button>
</form>
"""


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///:memory:"
    app.config.update(config or {})
    db.init_app(app)
    with app.app_context():
        db.create_all()

    @app.get("/posts/<int:post_id>")
    def show_post(post_id: int):
        return render_template_string(PAGE, post=db.get_or_404(Post, post_id))

    # [start:add_comment]
    @app.post("/posts/<int:post_id>/comments")
    def add_comment(post_id: int):
        # TODO: find the post (404 if none), check the form (400 if a name
        # or text is empty or too long), save the comment, and redirect to
        # the post's page
        abort(501, "comments are not written yet")
    # [end:add_comment]

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="Posts with comments.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///comments.sqlite"})
    with app.app_context():
        if db.session.get(Post, 1) is None:
            db.session.add(Post(body="Comment on me!"))
            db.session.commit()
    app.run(args.host, args.port)


if __name__ == "__main__":
    main()
