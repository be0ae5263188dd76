"""The blog: everyone's posts, newest first; logged-in users write."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for

from .auth import login_required
from .forms import PostForm
from .models import Post, User, db

bp = Blueprint("blog", __name__)


def newest_first():
    return db.session.scalars(db.select(Post).order_by(Post.created.desc(), Post.id.desc()))


# [start:index]
@bp.route("/")
def index():
    return render_template("blog/index.html", posts=newest_first(), form=PostForm())
# [end:index]


# [start:create]
@bp.post("/posts")
@login_required
def create():
    form = PostForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(errors))
        page = render_template("blog/index.html",
                               posts=newest_first(), form=form)
        return page, 400
    db.session.add(Post(body=form.body.data, author=g.user))
    db.session.commit()
    flash("Posted.")
    return redirect(url_for("blog.index"))
# [end:create]


@bp.route("/users/<username>")
def user_posts(username: str):
    user = db.session.scalar(db.select(User).filter_by(username=username))
    if user is None:
        abort(404)
    posts = sorted(user.posts, key=lambda post: (post.created, post.id), reverse=True)
    return render_template("blog/index.html", posts=posts, form=PostForm(), author=user)
