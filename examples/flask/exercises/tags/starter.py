"""Assignment (starter): tags, and a page per tag. Complete the TODOs.

A post is written with a list of tags, separated by commas or spaces
(``Python, flask web``). Tags are lower case, without a leading ``#``,
each at most once per post; a tag is letters, digits, ``-`` and ``_``.

    POST /posts            form fields: body, tags; 400 for an empty body,
                           or a tag with other characters
    GET  /tags/<tag>       the posts with that tag, newest first; 404 if none
    GET  /tags             every tag in use, with its number of posts

    python solution.py --port 5000
"""

from __future__ import annotations

import argparse
import re

from flask import Flask, abort, redirect, render_template_string, request, url_for
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Column, ForeignKey, String, Table, Text, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)

TAG = re.compile(r"[a-z0-9_-]{1,30}")

# [start:post_tag]
post_tag = Table(
    "post_tag",
    Base.metadata,
    Column("post_id", ForeignKey("post.id"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id"), primary_key=True),
)
# [end:post_tag]


class Post(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    # TODO: tags, a relationship to Tag through the post_tag table


# [start:tag]
class Tag(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    # TODO: a unique name (30 characters at most), and the posts that have
    # this tag (a relationship to Post through the post_tag table)
# [end:tag]


# [start:parse_tags]
def parse_tags(text: str) -> list[str]:
    """'Python, #flask web python' -> ['python', 'flask', 'web']"""
    return []  # TODO: split on commas and spaces; lower case, no "#",
    # each tag once; ValueError for a word that does not match TAG
# [end:parse_tags]


def attach_tags(post: Post, names: list[str]) -> None:
    pass  # TODO: the post's tags are the Tags with these names (tag_named)


def tag_named(name: str) -> Tag:
    """The Tag called name, made if it is new."""
    tag = db.session.scalar(db.select(Tag).filter_by(name=name))
    return tag or Tag(name=name)


PAGE = """<!doctype html>
<title>{{ title }}</title>
<h1>{{ title }}</h1>
{% for post in posts %}
  <article><p class="body">{{ post.body }}</p>
  {% for tag in post.tags %}
    <a class="tag" href="/tags/{{ tag.name }}">#{{ tag.name }}</a>
  {% endfor %}
  </article>
{% endfor %}
"""


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///:memory:"
    app.config.update(config or {})
    db.init_app(app)
    with app.app_context():
        db.create_all()

    @app.get("/")
    def index():
        posts = db.session.scalars(db.select(Post).order_by(Post.id.desc()))
        return render_template_string(PAGE, title="All posts", posts=posts)

    @app.post("/posts")
    def create():
        body = request.form.get("body", "").strip()
        if not body:
            abort(400, "a post needs a body")
        try:
            names = parse_tags(request.form.get("tags", ""))
        except ValueError as error:
            abort(400, str(error))
        post = Post(body=body)
        attach_tags(post, names)
        db.session.add(post)
        db.session.commit()
        return redirect(url_for("index"))

    # [start:tag_page]
    @app.get("/tags/<name>")
    def tag_page(name: str):
        # TODO: the posts with this tag, newest first; 404 for an unknown tag
        abort(501, "tag pages are not written yet")
    # [end:tag_page]

    @app.get("/tags")
    def all_tags():
        return {}  # TODO: {tag name: number of posts}, for every tag in use

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="Posts with tags.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()
    create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///tags.sqlite"}).run(args.host, args.port)


if __name__ == "__main__":
    main()
