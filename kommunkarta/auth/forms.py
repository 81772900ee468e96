"""The sign-in, forgotten-password and new-password forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import EqualTo, InputRequired, Length

from kommunkarta import rules
from kommunkarta.forms import new_password_field


def _own_email() -> EmailField:
    """The address of the account someone signs in to or has forgotten the password of."""
    return EmailField(
        _l("Email"),
        validators=[
            InputRequired(_l("Give your email address.")),
            Length(max=rules.LENGTHS["email"]),
        ],
        render_kw={"autocomplete": "username"},
    )


class LoginForm(FlaskForm):
    email = _own_email()
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(_l("Give your password.")),
            Length(max=rules.LENGTHS["password"]),
        ],
        render_kw={"autocomplete": "current-password"},
    )


class ForgotForm(FlaskForm):
    email = _own_email()


class NewPasswordForm(FlaskForm):
    """A new password, twice (a reset, an invitation, a change)."""

    password = new_password_field(
        _l("New password"), _l("At least %(num)s characters.", num=rules.PASSWORD_MIN)
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
