"""`wakala nlu test`: train on nlu_data/train, parse nlu_data/test through the NLU service,
and report per language (intent accuracy and macro-F1, entity precision/recall/F1, a
confusion matrix and the worst confusions) as JSON + HTML under reports/nlu/."""
