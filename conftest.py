import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_blocker, worker_id):
    from tests.database import drop_worker_database, setup_worker_database

    with django_db_blocker.unblock():
        name = setup_worker_database(worker_id)
    yield
    with django_db_blocker.unblock():
        drop_worker_database(name)


def pytest_configure(config):
    from django.conf import settings

    # Argon2 is measured in bench/ and pinned in tests/accounts/test_password_hashing.py;
    # everywhere else a cheap hasher keeps the suite fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
