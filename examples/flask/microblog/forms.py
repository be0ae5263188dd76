"""The microblog's forms: Flask-WTF adds a CSRF token to each."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp


# [start:forms]
class LoginForm(FlaskForm):
    username = StringField("Username",
                           [DataRequired(), Length(max=40)])
    password = PasswordField("Password", [DataRequired()])


class RegisterForm(LoginForm):
    username = StringField("Username", [
        DataRequired(), Length(max=40),
        Regexp(r"^\w+$", message="letters, digits, _"),
    ])
    password = PasswordField("Password",
                             [DataRequired(), Length(min=8)])


class PostForm(FlaskForm):
    body = TextAreaField("What is new?",
                         [DataRequired(), Length(max=500)])
# [end:forms]
