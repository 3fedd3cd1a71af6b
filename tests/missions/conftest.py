import pytest


@pytest.fixture
def login(client):
    """``login(official)``: the client logged in as that official's user (without the lockout backend)."""

    def _login(official):
        client.logout()
        client.force_login(official.user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login
