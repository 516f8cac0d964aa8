"""Tools for conversation designers: `wakala flows draw` and `wakala data validate`.

They read the designer's files (nlu_data, domain.yml, dialogue/flows) and never import Rasa:
Rasa's own validation runs in the Rasa environment as a subprocess.
"""
