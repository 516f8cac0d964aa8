"""Settings for payments and the admin API refuse what is unsafe in production."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bot.settings import Settings

SAFE: dict[str, Any] = {
    "env": "production",
    "app_secret": "a" * 40,
    "verify_token": "v" * 40,
    "actions_token": "t" * 40,
    "admin_secret": "s" * 48,
}


def test_safe_production_settings_load() -> None:
    settings = Settings(**SAFE, paystack_secret_key="sk_live_x", public_url="https://bot.shop/")
    assert settings.payments_url == "https://bot.shop"


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"admin_secret": "dev-admin-secret-for-local-tokens-only"}, "WAKALA_ADMIN_SECRET"),
        ({"admin_secret": "too-short"}, "WAKALA_ADMIN_SECRET"),
        ({"paystack_secret_key": "sk_test_x", "public_url": "https://b"}, "sk_test_"),
        ({"ozow_is_test": True}, "WAKALA_OZOW_IS_TEST"),
        ({"ozow_site_code": "SITE1"}, "WAKALA_PUBLIC_URL"),
    ],
    ids=["default-secret", "short-secret", "paystack-test-key", "ozow-test", "no-public-url"],
)
def test_unsafe_production_settings_are_refused(changes: dict[str, Any], named: str) -> None:
    # pydantic reports a validator's ValueError (SettingsError is one) as a ValidationError.
    with pytest.raises(ValidationError, match=named):
        Settings(**(SAFE | changes))


def test_admin_tokens_cannot_be_set_to_live_longer_than_15_minutes() -> None:
    with pytest.raises(ValidationError, match="less than or equal to 900"):
        Settings(admin_token_ttl=901)


def test_development_defaults_are_usable() -> None:
    settings = Settings(env="development", host="127.0.0.1", gateway_port=8000)
    assert settings.payments_url == "http://127.0.0.1:8000"
    assert len(settings.admin_secret.get_secret_value()) >= 32
