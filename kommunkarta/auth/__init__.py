"""Signing in and out, and who the current user is."""

from __future__ import annotations

from kommunkarta import db
from kommunkarta.extensions import login_manager
from kommunkarta.models import User


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = db.session().get(User, int(user_id))
    return user if user is not None and user.active else None
