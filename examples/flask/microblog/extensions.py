"""Flask extensions, created once and bound to each app by create_app."""

from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

migrate = Migrate()
csrf = CSRFProtect()
