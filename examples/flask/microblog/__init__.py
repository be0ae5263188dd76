"""The microblog: a small Flask application, built by an app factory.

    flask --app microblog db upgrade      # create the tables (migrations)
    flask --app microblog run --debug     # or: python serve.py --port 5000

(run from examples/flask/). The database is SQLite in the instance folder
unless DATABASE_URL names another one, e.g.
postgresql://user:password@127.0.0.1:5432/microblog
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from . import auth, blog, chat
from .models import db
from .extensions import csrf, migrate

MIGRATIONS = Path(__file__).parent / "migrations"


# [start:factory]
def create_app(config: dict | None = None) -> Flask:
    """Build and configure a new microblog application."""
    app = Flask(__name__)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("SECRET_KEY", "dev only"),
        SQLALCHEMY_DATABASE_URI=database_url(app.instance_path),
        MAX_CONTENT_LENGTH=64 * 1024,  # bigger requests get 413
    )
    if config:
        app.config.update(config)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    csrf.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(blog.bp)
    app.register_blueprint(chat.bp)
    app.extensions["chat_room"] = chat.Room()
    return app
# [end:factory]


# [start:database_url]
def database_url(instance_path: str) -> str:
    """DATABASE_URL if set, else a SQLite file in instance/."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        os.makedirs(instance_path, exist_ok=True)
        return f"sqlite:///{instance_path}/microblog.sqlite"
    # SQLAlchemy reads postgresql:// as psycopg2; we use psycopg 3
    scheme, _, rest = url.partition("://")
    if scheme == "postgresql":
        return f"postgresql+psycopg://{rest}"
    return url
# [end:database_url]
