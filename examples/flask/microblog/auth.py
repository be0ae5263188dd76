"""Registering, logging in and out; g.user for every request."""

from __future__ import annotations

import functools

from flask import Blueprint, flash, g, redirect, render_template, session, url_for
from sqlalchemy.exc import IntegrityError

from .forms import LoginForm, RegisterForm
from .models import User, db

bp = Blueprint("auth", __name__, url_prefix="/auth")


# [start:load_user]
@bp.before_app_request
def load_logged_in_user() -> None:
    """Before every request: g.user is the logged-in User, or None."""
    user_id = session.get("user_id")
    g.user = db.session.get(User, user_id) if user_id else None
# [end:load_user]


# [start:login_required]
def login_required(view):
    """A view decorator: anonymous visitors go to log in."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.user is None:
            return redirect(url_for("auth.login"))
        return view(**kwargs)

    return wrapped
# [end:login_required]


# [start:register]
@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        user = User(username=form.username.data)
        user.set_password(form.password.data)
        db.session.add(user)
        try:
            db.session.commit()
        except IntegrityError:  # the unique constraint said no
            db.session.rollback()
            form.username.errors.append("That name is taken.")
        else:
            flash("Welcome! Now log in.")
            return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form)
# [end:register]


# [start:login]
@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        query = db.select(User).filter_by(username=form.username.data)
        user = db.session.scalar(query)
        if user and user.check_password(form.password.data):
            session.clear()
            session["user_id"] = user.id
            return redirect(url_for("blog.index"))
        flash("Wrong username or password.")
    return render_template("auth/login.html", form=form)
# [end:login]


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("blog.index"))
