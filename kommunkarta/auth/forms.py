"""The sign-in form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import EqualTo, InputRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[InputRequired(_l("Give your email address.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Give your password.")), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )


class ForgotForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[InputRequired(_l("Give your email address.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )


class NewPasswordForm(FlaskForm):
    """A new password, twice (a reset, an invitation, a change)."""

    password = PasswordField(
        _l("New password"),
        validators=[
            InputRequired(_l("Give a password.")),
            Length(min=10, max=1000, message=_l("Use at least 10 characters.")),
        ],
        description=_l("At least 10 characters."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("The new password again"),
        validators=[
            InputRequired(_l("Give the new password again.")),
            EqualTo("password", message=_l("The two passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Give your current password.")), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )
