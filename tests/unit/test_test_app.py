"""The apps the tests make keep whatever they write in a temporary instance folder, never in
the checkout's `instance/` (which holds a developer's own database and key)."""

from pathlib import Path

from flask import session

from kommunkarta import config
from tests.conftest import make_app

CHECKOUT_INSTANCE = Path(__file__).resolve().parents[2] / "instance"


def _snapshot(folder: Path) -> dict[str, tuple[int, int]] | None:
    """Each file's size and modification time, or None where there is no folder."""
    if not folder.exists():
        return None
    return {
        str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in folder.rglob("*")
    }


def test_the_test_app_writes_only_into_its_own_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)  # so that a key file would be written
    read_from = []
    real = config.from_environment

    def spying(instance_path: Path, given=None) -> dict:
        read_from.append(Path(instance_path))
        return real(instance_path, given)

    monkeypatch.setattr(config, "from_environment", spying)
    before = _snapshot(CHECKOUT_INSTANCE)

    app = make_app(f"sqlite:///{tmp_path / 'app.sqlite'}", tmp_path / "instance")
    with app.test_request_context("/"):
        session["seen"] = True  # sign a session cookie with the app's key
        app.session_interface.save_session(app, session, app.response_class())

    assert read_from == [tmp_path / "instance"]
    assert Path(app.instance_path) == tmp_path / "instance"
    assert not (tmp_path / "instance" / "secret_key").exists()  # the test key was given
    assert _snapshot(CHECKOUT_INSTANCE) == before


def test_an_app_given_its_key_and_database_writes_no_instance_folder(tmp_path, monkeypatch):
    """Benchmarks and helper processes pass SECRET_KEY and DATABASE_URL: nothing of theirs
    may land in an instance folder (the checkout's, by default)."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    folder = tmp_path / "instance"
    settings = config.from_environment(
        folder, {"SECRET_KEY": "given", "DATABASE_URL": f"sqlite:///{tmp_path / 'a.sqlite'}"}
    )
    assert settings["SECRET_KEY"] == "given"
    assert not folder.exists()
    assert (
        config.from_environment(folder)["DATABASE_URL"]
        == f"sqlite:///{folder / 'kommunkarta.sqlite'}"
    )
    assert (folder / "secret_key").is_file()
