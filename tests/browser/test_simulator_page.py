"""The simulator page draws every kind of message the bot can send, and writes every kind of
message a shopper can, with the ticks WhatsApp shows; against the simulator app alone (the
bot's messages are put into the Graph API fake directly), so it runs in seconds."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from tests.browser.browser import (
    DESKTOP,
    Shots,
    bot_message_with,
    bot_messages,
    my_messages,
    statuses,
    tap,
    use_screen,
    wait,
    write,
)
from tests.browser.conftest import free_port
from tests.browser.standalone import REFUSED_TEXT, Standalone, png, standalone_simulator

pytestmark = pytest.mark.browser

SHOPPERS = itertools.count(27825550700)
TALL = {**DESKTOP, "height": 1150}


@pytest.fixture(scope="module")
def sim() -> Iterator[Standalone]:
    with standalone_simulator(free_port()) as simulator:
        yield simulator


@pytest.fixture
def shopper() -> str:
    return str(next(SHOPPERS))  # each test its own chat: the simulator keeps them all


@pytest.fixture
def page(driver: WebDriver, sim: Standalone, shopper: str) -> WebDriver:
    driver.get(sim.url)
    shop = wait(driver, lambda d: d.find_element(By.ID, "shop"), "the shop list")
    wait(driver, lambda d: len(Select(shop).options) == 1, "the shop in the list")
    number = driver.find_element(By.ID, "phone")
    number.clear()
    number.send_keys(shopper, "\t")
    wait(driver, lambda d: shopper[-4:] in d.find_element(By.ID, "shop-line").text, "the number")
    return driver


def test_every_kind_the_bot_sends_is_drawn(
    page: WebDriver, sim: Standalone, shopper: str, shots: Shots
) -> None:
    sim.graph.media["5550001"] = ("image/png", png())
    sim.bot_sends(shopper, type="text", text={"body": "Hello *bold* and _slanted_ ~gone~"})
    sim.bot_sends(
        shopper,
        type="interactive",
        interactive={
            "type": "button",
            "header": {"type": "text", "text": "Your cart"},
            "body": {"text": "Bread x2: R33.98"},
            "footer": {"text": "Prices include VAT"},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": "/checkout", "title": "Pay"}},
                    {"type": "reply", "reply": {"id": "/view_cart", "title": "Change"}},
                ]
            },
        },
    )
    sim.bot_sends(
        shopper,
        type="interactive",
        interactive={
            "type": "product",
            "body": {"text": "Fresh today"},
            "action": {"catalog_id": "C1", "product_retailer_id": "BREAD-WHITE"},
        },
    )
    sim.bot_sends(
        shopper,
        type="interactive",
        interactive={
            "type": "product_list",
            "header": {"type": "text", "text": "Dairy"},
            "body": {"text": "Our milk and eggs"},
            "action": {
                "catalog_id": "C1",
                "sections": [
                    {"title": "Milk", "product_items": [{"product_retailer_id": "MILK-1L"}]},
                    {"title": "Eggs", "product_items": [{"product_retailer_id": "EGGS-6"}]},
                ],
            },
        },
    )
    template = sim.bot_sends(
        shopper,
        type="template",
        template={
            "name": "order_ready",
            "language": {"code": "zu"},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": "Thandi"}]},
                {
                    "type": "button",
                    "sub_type": "quick_reply",
                    "index": "0",
                    "parameters": [{"type": "payload", "payload": "/collect"}],
                },
            ],
        },
    )
    sim.bot_sends(shopper, type="image", image={"id": "5550001", "caption": "Today's bread"})
    sim.bot_sends(
        shopper,
        type="location",
        location={"latitude": -26.2, "longitude": 28.0, "name": "Thandi's Corner Shop"},
    )

    wait(page, lambda d: len(bot_messages(d)) == 7, "seven bot messages")
    text = bot_message_with(page, "Hello")
    assert text.find_element(By.CSS_SELECTOR, ".text strong").text == "bold"
    assert text.find_element(By.CSS_SELECTOR, ".text em").text == "slanted"
    assert text.find_element(By.CSS_SELECTOR, ".text s").text == "gone"

    cart = bot_message_with(page, "Bread x2")
    assert cart.find_element(By.CSS_SELECTOR, ".head").text == "Your cart"
    assert cart.find_element(By.CSS_SELECTOR, ".foot").text == "Prices include VAT"

    by_type = {m.get_attribute("data-type"): m for m in bot_messages(page)}
    assert "BREAD-WHITE" in by_type["product"].find_element(By.CSS_SELECTOR, ".card").text
    listing = by_type["product_list"].find_element(By.CSS_SELECTOR, ".card").text
    assert "MILK-1L" in listing
    assert "EGGS-6" in listing
    assert by_type["product_list"].find_element(By.CSS_SELECTOR, ".head").text == "Dairy"
    card = by_type["template"]
    assert card.find_element(By.CSS_SELECTOR, ".tag").text.upper() == "TEMPLATE · ORDER_READY · ZU"
    assert "Thandi" in card.text
    image = by_type["image"].find_element(By.CSS_SELECTOR, "img.media")
    wait(page, lambda d: d.execute_script("return arguments[0].naturalWidth", image) == 240, "img")
    assert "Thandi's Corner Shop" in by_type["location"].text
    use_screen(page, TALL)  # every kind in one picture
    shots.take(page, "7-message-kinds")

    # A multi-product message opens its items in a sheet, to look at only.
    tap(by_type["product_list"], "View items")
    sheet = page.find_element(By.ID, "sheet")
    wait(page, lambda d: sheet.get_attribute("open") is not None, "the products sheet")
    assert sheet.find_element(By.ID, "sheet-title").text == "Dairy"
    items = [o.text for o in sheet.find_elements(By.CSS_SELECTOR, ".option .title")]
    assert items == ["MILK-1L", "EGGS-6"]
    assert not sheet.find_element(By.ID, "sheet-send").is_displayed()
    sheet.find_element(By.CSS_SELECTOR, "button.close").click()
    wait(page, lambda d: sheet.get_attribute("open") is None, "the sheet to close")

    # A template's quick reply goes back as Meta reports it: type "button", quoting it.
    card.find_element(By.CSS_SELECTOR, ".replies button").click()
    tapped = wait(page, lambda d: [m for m in sim.messages() if m["type"] == "button"], "tap")
    assert tapped[-1]["button"]["payload"] == "/collect"
    assert tapped[-1]["context"]["id"] == template


def test_a_shopper_writes_shares_and_sees_ticks(
    page: WebDriver, sim: Standalone, shopper: str, shots: Shots, tmp_path: Path
) -> None:
    write(page, "Do you have bread?")
    wait(page, lambda d: statuses(d) == ["delivered"], "two grey ticks")
    [sent] = [m for m in sim.messages() if m.get("text", {}).get("body") == "Do you have bread?"]
    assert my_messages(page)[-1].get_attribute("data-id") == sent["id"]

    sim.bot_reads(sent["id"])
    wait(page, lambda d: statuses(d) == ["read"], "blue ticks after the bot's read receipt")

    page.find_element(By.ID, "attach-place").click()
    dialog = page.find_element(By.ID, "place")
    assert dialog.get_attribute("open") is not None
    dialog.find_element(By.CSS_SELECTOR, "button[value=send]").click()
    shared = wait(page, lambda d: [m for m in sim.messages() if m["type"] == "location"], "pin")
    assert shared[-1]["location"]["latitude"] == pytest.approx(-26.2387)
    assert shared[-1]["location"]["name"] == "Vilakazi Street"

    photo = tmp_path / "bread.png"
    photo.write_bytes(png(160, 100))
    page.find_element(By.ID, "text").send_keys("My photo")
    page.find_element(By.ID, "photo").send_keys(str(photo))  # the file the camera button picks
    images = wait(page, lambda d: [m for m in sim.messages() if m["type"] == "image"], "photo")
    media_id = images[-1]["image"]["id"]
    assert images[-1]["image"]["caption"] == "My photo"
    assert sim.graph.media[media_id] == ("image/png", photo.read_bytes())

    write(page, REFUSED_TEXT)
    wait(page, lambda d: statuses(d)[-1] == "failed", "the refused message marked")
    failed = page.find_elements(By.CSS_SELECTOR, ".msg.out .ticks")[-1]
    assert "503" in (failed.get_attribute("title") or "")
    assert statuses(page) == ["read", "delivered", "delivered", "failed"]
    shots.take(page, "8-shopper-kinds")

    sim.bot_sends(shopper, type="reaction", reaction={"message_id": sent["id"], "emoji": "👍"})
    badge = wait(
        page,
        lambda d: d.find_elements(By.CSS_SELECTOR, ".msg.out .reaction"),
        "the reaction on the shopper's message",
    )
    assert badge[0].get_attribute("aria-label") == "Reaction 👍"
    assert badge[0].find_element(By.XPATH, "..").get_attribute("data-id") == sent["id"]


def test_the_phone_reports_delivery_and_reading(
    page: WebDriver, sim: Standalone, shopper: str
) -> None:
    wamid = sim.bot_sends(shopper, type="text", text={"body": "Your order is ready"})
    bot_message_with(page, "Your order is ready")
    wait(page, lambda d: sim.statuses(wamid) == ["sent", "delivered", "read"], "the statuses")
