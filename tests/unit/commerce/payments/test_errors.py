"""The payments errors are one branch of the commerce tree, with stable codes."""

from __future__ import annotations

import inspect

from commerce.errors import CommerceError, InvalidInput, NotFound
from commerce.payments import errors


def _classes() -> list[type[errors.PaymentError]]:
    return [
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.PaymentError)
    ]


def test_every_payment_error_is_a_commerce_error_with_a_unique_code() -> None:
    classes = _classes()
    assert len(classes) == len(errors.__all__)
    assert all(issubclass(cls, CommerceError) for cls in classes)
    codes = [cls.code for cls in classes]
    assert len(set(codes)) == len(codes)
    assert all(code.startswith("payment.") for code in codes)


def test_retryable_only_where_a_retry_can_help() -> None:
    retryable = {cls.__name__ for cls in _classes() if cls.retryable}
    assert retryable == {"GatewayTransient", "GatewayUnreachable", "GatewayUnavailable"}
    assert errors.PaymentNotConfirmed("pending", retryable=True).retryable


def test_domain_branches() -> None:
    assert issubclass(errors.PaymentInputError, InvalidInput)
    assert issubclass(errors.PaymentNotFound, NotFound)
    error = errors.PaymentNotFound("gone", gateway="paystack", status=404)
    assert "status=404" in repr(error)
    assert error.gateway == "paystack"
