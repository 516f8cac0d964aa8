"""The web simulator served by `wakala run`, driven in headless Chromium through the real
pipeline: a shopper greets the demo shop in isiZulu, agrees, browses, picks from a list and
sees WhatsApp's ticks turn blue; a merchant writes as the shop's staff; a phone-width screen."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from bot.demo import DEMO_SHOP
from tests.browser.browser import (
    PHONE,
    Shots,
    bot_message_with,
    bot_messages,
    buttons_of,
    my_messages,
    statuses,
    tap,
    text_of,
    use_screen,
    wait,
    write,
)
from tests.browser.conftest import Wakala

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def open_chat(driver: WebDriver, wakala: Wakala, phone: str) -> None:
    """Open the page, choose the demo shop by its number and write as `phone`."""
    driver.get(wakala.url)
    shop = wait(driver, lambda d: d.find_element(By.ID, "shop"), "the shop list")
    wait(driver, lambda d: len(Select(shop).options) >= 2, "the demo shops in the list")
    Select(shop).select_by_value(DEMO_SHOP.phone_number_id)
    number = driver.find_element(By.ID, "phone")
    number.clear()
    number.send_keys(phone, "\t")  # leaving the field commits it, as a user does
    wait(
        driver,
        lambda d: "+27 82 555 0101" in d.find_element(By.ID, "shop-line").text,
        "the header to show the chosen number",
    )


def test_a_shopper_agrees_browses_and_picks_a_product(
    driver: WebDriver, wakala: Wakala, shots: Shots
) -> None:
    open_chat(driver, wakala, "27825550101")
    assert driver.find_element(By.ID, "shop-name").text == DEMO_SHOP.name

    write(driver, "sawubona")
    consent = bot_message_with(driver, "Uyavuma?")
    assert text_of(consent).startswith("Sawubona! Siyakwamukela ku-Mama Zodwa's Spaza.")
    assert buttons_of(consent) == ["Ngiyavuma", "Cha", "Ulimi"]
    shots.take(driver, "1-consent")

    tap(consent, "Ngiyavuma")
    bot_message_with(driver, "Siyabonga!")
    greeting = bot_message_with(
        driver, "Sawubona! Siyakwamukela ku-Mama Zodwa's Spaza.", exact=True
    )
    assert buttons_of(greeting) == ["Imikhiqizo", "Uhlu lwami", "Usizo"]
    # The tap shows as the shopper's reply, quoting the message it answers.
    tapped = my_messages(driver)[-1]
    assert tapped.find_element(By.CSS_SELECTOR, ".text").text == "Ngiyavuma"
    assert "Uyavuma?" in tapped.find_element(By.CSS_SELECTOR, ".quote").text
    shots.take(driver, "2-greeting")

    tap(greeting, "Imikhiqizo")
    products = bot_message_with(driver, "Imikhiqizo yethu:")
    assert buttons_of(products) == ["☰ Bheka"]
    tap(products, "☰ Bheka")
    sheet = driver.find_element(By.ID, "sheet")
    wait(driver, lambda d: sheet.get_attribute("open") is not None, "the list sheet to open")
    rows = sheet.find_elements(By.CSS_SELECTOR, ".option")
    titles = [row.find_element(By.CSS_SELECTOR, ".title").text for row in rows]
    assert titles == ["Isinkwa", "Ubisi 1L", "Amaqanda x6", "Maize meal 5kg"]
    send = driver.find_element(By.ID, "sheet-send")
    assert not send.is_enabled(), "Send must wait until a row is chosen"
    shots.take(driver, "3-product-list")

    rows[1].click()
    assert send.is_enabled()
    send.click()
    wait(driver, lambda d: sheet.get_attribute("open") is None, "the sheet to close")
    picked = wait(
        driver,
        lambda d: next((m for m in my_messages(d) if "Ubisi 1L" in m.text), None),
        "the picked row as the shopper's message",
    )
    assert "R21.99 / bottle" in picked.text
    answer = bot_message_with(driver, "Ubisi 1L: R21.99")
    assert "Engeza 1" in buttons_of(answer)

    # Four messages from the shopper; the bot marks each read before it answers: blue ticks.
    wait(driver, lambda d: statuses(d) == ["read"] * 4, "four blue ticks")
    shots.take(driver, "4-read-ticks")

    # A reload shows the same conversation again, ticks and all.
    shown = len(bot_messages(driver))
    driver.refresh()
    wait(driver, lambda d: len(bot_messages(d)) == shown, "the conversation after a reload")
    assert statuses(driver) == ["read"] * 4


def test_a_merchant_writes_as_the_shops_staff(
    driver: WebDriver, wakala: Wakala, shots: Shots
) -> None:
    open_chat(driver, wakala, "27825550101")
    driver.find_element(By.ID, "merchant").click()
    staff = driver.find_element(By.ID, "staff")
    assert staff.is_displayed()
    assert not driver.find_element(By.ID, "phone").is_displayed()
    assert Select(staff).first_selected_option.get_attribute("value") == DEMO_SHOP.staff_phones[0]
    wait(driver, lambda d: "(staff)" in d.find_element(By.ID, "shop-line").text, "staff mode")
    assert not my_messages(driver), "the staff number's chat starts empty"

    write(driver, "orders today")
    reply = bot_message_with(driver, "orders today")
    assert text_of(reply) == "No orders today yet."
    wait(driver, lambda d: statuses(d) == ["read"], "the staff message read")
    shots.take(driver, "5-merchant")


def test_the_page_fits_a_phone_and_sends_on_enter(
    driver: WebDriver, wakala: Wakala, shots: Shots
) -> None:
    use_screen(driver, PHONE)
    driver.get(wakala.url)
    wait(driver, lambda d: d.find_element(By.ID, "shop-name").text != "Wakala simulator", "shops")
    settings = driver.find_element(By.ID, "settings")
    assert settings.get_attribute("open") is None, "settings fold away on a phone"
    width, inner = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert width <= inner == PHONE["width"], "nothing may scroll sideways on a phone"

    write(driver, "Hello")
    consent = bot_message_with(driver, "Do you agree?")
    assert buttons_of(consent) == ["I agree", "No", "Language"]
    composer = driver.find_element(By.ID, "composer").rect
    assert composer["y"] + composer["height"] <= PHONE["height"], "the composer stays on screen"
    shots.take(driver, "6-phone")
