"""The payment webhooks, mounted on the gateway app next to the WhatsApp webhook.

    POST /payments/paystack/{tenant_code}       Paystack events, x-paystack-signature
    POST /payments/paystack                     the same, for one account shared by every shop
    POST /payments/ozow/{tenant_code}/notify    Ozow notifications (form-encoded), Hash field
    GET  /payments/return                       where the shopper's browser lands after paying

Bodies are read raw and verified before anything is parsed or looked up beyond the shop.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from bot.payments.gateways import RETURN_PATH
from bot.payments.service import PaymentService

__all__ = ["create_router"]

# The redirect proves nothing (anyone can open it); the shop confirms on WhatsApp once the
# gateway's notification is verified.
_RETURN_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Payment</title></head>
<body><h1>Thank you</h1><p>You can go back to WhatsApp now. The shop confirms your payment
there as soon as it comes through.</p></body></html>"""


def create_router(service: PaymentService) -> APIRouter:
    router = APIRouter(prefix="/payments", tags=["payments"])

    async def answer(gateway: str, tenant_code: str | None, request: Request) -> JSONResponse:
        result = await service.receive(gateway, tenant_code, await request.body(), request.headers)
        return JSONResponse({"result": result.result}, status_code=result.status)

    @router.post("/paystack")
    async def paystack_account_webhook(request: Request) -> JSONResponse:
        """One Paystack account for every shop: the shop is found from the reference."""
        return await answer("paystack", None, request)

    @router.post("/paystack/{tenant_code}")
    async def paystack_webhook(tenant_code: str, request: Request) -> JSONResponse:
        return await answer("paystack", tenant_code, request)

    @router.post("/ozow/{tenant_code}/notify")
    async def ozow_notify(tenant_code: str, request: Request) -> JSONResponse:
        return await answer("ozow", tenant_code, request)

    @router.get(RETURN_PATH.removeprefix("/payments"), response_class=HTMLResponse)
    async def shopper_returns() -> HTMLResponse:
        return HTMLResponse(_RETURN_PAGE)

    return router
