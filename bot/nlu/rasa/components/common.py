"""What our Rasa components share: reading lexicons from training data, analysing messages.

Runs under Rasa's Python 3.10. Messages keep the tokens a tokenizer set on them (so the
components also work after Rasa's own tokenizers); without any, they are tokenised with
`core.text`, exactly as the ChatTokenizer and the fast engine do.
"""

from __future__ import annotations

from collections.abc import Sequence

from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.rasa.core.amounts import UnitLexicon
from bot.nlu.rasa.core.lexicon import Analysis, Lexicon, analyse
from bot.nlu.rasa.core.text import Token, normalise, tokenize


def lexicon_of(training_data: TrainingData) -> Lexicon:
    return Lexicon.from_training(training_data.lookup_tables, training_data.regex_features)


def units_of(training_data: TrainingData) -> UnitLexicon:
    return lexicon_of(training_data).units(training_data.entity_synonyms)


def tokens_of(message: Message) -> list[Token]:
    rasa_tokens = message.get(TOKENS_NAMES[TEXT])
    if rasa_tokens is None:
        return tokenize(message.get(TEXT) or "")
    return [Token(t.text, t.start, t.end, normalise(t.text)) for t in rasa_tokens]


def analyses_of(messages: Sequence[Message], units: UnitLexicon) -> list[Analysis]:
    return [analyse(message.get(TEXT) or "", units, tokens_of(message)) for message in messages]
