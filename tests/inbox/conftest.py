from tests.groups.conftest import groups, linked  # noqa: F401  (the leadership group and Telegram links)
