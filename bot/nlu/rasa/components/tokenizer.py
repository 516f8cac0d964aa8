"""Rasa tokenizer for chat in English, isiZulu and Sesotho: `core.text.tokenize` as a component.

Reference it in config.yml as `bot.nlu.rasa.components.tokenizer.ChatTokenizer`. Unlike
WhitespaceTokenizer it keeps amounts (`R15.50`, `1,000`) and isiZulu prefixed forms
(`i-oda`, `ngu-R22`) whole, drops emoji and punctuation, and is what the fast engine uses.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.rasa.core.text import tokenize


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class ChatTokenizer(Tokenizer):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        return [Token(token.text, token.start, token.end) for token in tokenize(text)]
