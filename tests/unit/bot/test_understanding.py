import pytest

from bot.understanding import from_payload


@pytest.mark.parametrize(
    ("payload", "trigger"),
    [
        ("/browse_catalog", "browse_catalog"),
        ('/add_to_cart{"product": "bread"}', "add_to_cart"),
        ("product:12", "product_info"),
        ("something:else", "out_of_scope"),
        ("/", "out_of_scope"),
    ],
)
def test_button_ids_carry_their_trigger(payload: str, trigger: str) -> None:
    assert from_payload(payload).trigger == trigger


def test_a_product_row_carries_the_product_id() -> None:
    assert from_payload("product:12").entities == {"product_id": "12"}
