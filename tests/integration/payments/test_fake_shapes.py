"""The fakes answer in the documented shapes and agree with the published vectors.

Shapes are compared by keys with our own fixtures (always) and with the team's shared samples
beside the repo (when present). Served in-process through httpx.ASGITransport.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.simulator.ozow_fake import OzowFake
from bot.simulator.paystack_fake import PaystackFake
from commerce.payments.signatures import PAYSTACK_SIGNATURE_HEADER, ozow_request_hash
from tests.unit.commerce.payments.paths import SHARED, load, raw

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} not present")
SECRET = "sk_test_shapes"


@pytest.fixture
async def paystack() -> AsyncIterator[tuple[PaystackFake, httpx.AsyncClient]]:
    fake = PaystackFake(secret_key=SECRET)
    transport = httpx.ASGITransport(app=fake.app())
    headers = {"Authorization": f"Bearer {SECRET}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://ps", headers=headers) as c:
        yield fake, c


async def _paid(fake: PaystackFake, client: httpx.AsyncClient) -> dict[str, Any]:
    body = {"email": "a@b.co", "amount": 14990, "currency": "ZAR", "reference": "S-1-1"}
    started = (await client.post("/transaction/initialize", json=body)).json()
    await fake.pay("S-1-1", notify=False)
    return dict(started)


async def test_paystack_answers_keep_the_documented_keys(
    paystack: tuple[PaystackFake, httpx.AsyncClient],
) -> None:
    fake, client = paystack
    started = await _paid(fake, client)
    assert started["data"].keys() == {"authorization_url", "access_code", "reference"}
    verified = (await client.get("/transaction/verify/S-1-1")).json()
    own = load("paystack_verify_success_zar_fees.json")
    assert own["data"].keys() <= verified["data"].keys()
    assert verified["data"]["requested_amount"] == 14990
    if SHARED.is_dir():
        shared = load("paystack_verify_success.json", SHARED)
        assert shared.keys() == verified.keys()
        assert shared["data"].keys() <= verified["data"].keys()
        refund = (await client.post("/refund", json={"transaction": "S-1-1"})).json()
        shared_refund = load("paystack_refund_create_response.json", SHARED)["data"]
        assert shared_refund.keys() == refund["data"].keys()


async def test_paystack_errors_keep_the_documented_bodies(
    paystack: tuple[PaystackFake, httpx.AsyncClient],
) -> None:
    fake, client = paystack
    await _paid(fake, client)
    again = {"email": "a@b.co", "amount": 14990, "reference": "S-1-1"}
    duplicate = await client.post("/transaction/initialize", json=again)
    assert (duplicate.status_code, duplicate.json()) == (
        400,
        load("paystack_error_duplicate_reference.json"),
    )
    no_email = await client.post("/transaction/initialize", json={"amount": 100})
    if SHARED.is_dir():
        assert no_email.json() == load("paystack_error_missing_params.json", SHARED)
    rand = await client.post(
        "/transaction/initialize", json={"email": "a@b.co", "amount": 1, "currency": "NGN"}
    )
    assert rand.json()["message"] == "Currency not supported by merchant"
    unknown = await client.get("/transaction/verify/NOPE-1")
    assert unknown.json() == load("paystack_error_reference_not_found.json")
    no_key = await client.get("/transaction/verify/S-1-1", headers={"Authorization": "Bearer x"})
    assert (no_key.status_code, no_key.json()) == (401, {"status": False, "message": "Invalid key"})
    assert [r.authorized for r in fake.requests][-1] is False


@needs_shared
async def test_paystack_webhooks_are_signed_like_the_shared_vector() -> None:
    vectors = load("paystack_webhook_signature_vectors.json", SHARED)
    first = vectors["vectors"][0]
    seen: list[httpx.Request] = []

    def receive(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    async with httpx.AsyncClient(transport=httpx.MockTransport(receive)) as http:
        fake = PaystackFake(
            secret_key=vectors["secret_key"], webhook_url="http://shop/n", http=http
        )
        delivered = await fake.send_webhook(raw(first["body_file"], SHARED))
    assert delivered.signature == first["x-paystack-signature"]
    assert seen[0].headers[PAYSTACK_SIGNATURE_HEADER] == first["x-paystack-signature"]
    assert seen[0].content == raw(first["body_file"], SHARED)


@needs_shared
@pytest.mark.parametrize("case", [str, str.lower], ids=["PascalCase", "camelCase"])
async def test_ozow_fake_accepts_the_documented_request(case: Any) -> None:
    key = load("ozow_hash_vectors.json", SHARED)["request_vectors"][0]["private_key"]
    fake = OzowFake(site_code="TSTSTE0001", private_key=key, api_key="k")
    request = load("ozow_postpaymentrequest_request_doc_example.json", SHARED)
    body = {case(name[0]) + name[1:]: value for name, value in request.items()}
    transport = httpx.ASGITransport(app=fake.app())
    async with httpx.AsyncClient(transport=transport, base_url="http://oz") as client:
        answer = await client.post("/PostPaymentRequest", json=body, headers={"ApiKey": "k"})
        assert answer.status_code == 200
        assert answer.json().keys() == load("ozow_postpaymentrequest_response.json", SHARED).keys()
        assert answer.json()["errorMessage"] is None
        body["Amount" if case is str else "amount"] = "25"  # the hash covers the text
        refused = await client.post("/PostPaymentRequest", json=body, headers={"ApiKey": "k"})
        assert refused.json()["errorMessage"] == "Invalid Amount"
        status = await client.get(
            "/GetTransactionByReference",
            params={"siteCode": "TSTSTE0001", "transactionReference": "123"},
            headers={"ApiKey": "k"},
        )
    shared_status = load("ozow_gettransactionbyreference_response_SYNTHETIC.json", SHARED)
    assert shared_status[0].keys() <= status.json()[0].keys()
    assert status.json()[0]["amount"] == 25.0


async def test_ozow_notification_is_form_encoded_in_hash_order() -> None:
    seen: list[httpx.Request] = []

    def receive(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    async with httpx.AsyncClient(transport=httpx.MockTransport(receive)) as http:
        fake = OzowFake(http=http)
        transport = httpx.ASGITransport(app=fake.app())
        fields = {"SiteCode": fake.site_code, "CountryCode": "ZA", "CurrencyCode": "ZAR"}
        fields |= {"Amount": "10.00", "TransactionReference": "R-1", "BankReference": "R-1"}
        fields |= {"NotifyUrl": "http://shop/notify", "IsTest": "false"}
        fields["HashCheck"] = ozow_request_hash(fields, fake.private_key)
        async with httpx.AsyncClient(transport=transport, base_url="http://oz") as client:
            landing = await client.post("/", data=fields)
        assert landing.status_code == 303
        await fake.pay("R-1")
    assert seen[0].headers["content-type"] == "application/x-www-form-urlencoded"
    names = [pair.split("=")[0] for pair in seen[0].content.decode().split("&")]
    assert names[0] == "SiteCode"
    assert names[-2:] == ["StatusMessage", "Hash"]
    assert json.dumps(names).count("Optional") == 5


async def test_control_routes_pay_and_list(
    paystack: tuple[PaystackFake, httpx.AsyncClient],
) -> None:
    fake, client = paystack
    hooks: list[httpx.Request] = []

    def receive(request: httpx.Request) -> httpx.Response:
        hooks.append(request)
        return httpx.Response(200)

    async with httpx.AsyncClient(transport=httpx.MockTransport(receive)) as http:
        fake.http, fake.webhook_url = http, "http://shop/notify"
        body = {"email": "a@b.co", "amount": 500, "reference": "S-2-1"}
        await client.post("/transaction/initialize", json=body)
        paid = await client.post("/_fake/pay/S-2-1")
        assert paid.json() == {"ok": True, "webhook_status": 200}
        assert (await client.post("/_fake/pay/NOPE")).json()["ok"] is False
    assert json.loads(hooks[0].content)["data"]["reference"] == "S-2-1"
    listed = (await client.get("/_fake/requests")).json()["requests"]
    assert listed[0]["path"] == "/transaction/initialize"
    assert "Bearer" not in json.dumps(listed)  # the key is never kept
