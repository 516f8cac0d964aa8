"""Set-up finds Python 3.10 or says how to get it, and retrains only when inputs change."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from bot.errors import SetupError
from bot.nlu.environment import find_python310
from bot.nlu.training import fingerprint, model_path
from bot.settings import Settings
from tests.conftest import ROOT


def test_a_python_that_is_not_310_is_refused_with_the_fix() -> None:
    settings = Settings(rasa_python=Path(sys.executable))  # this is 3.11+
    with pytest.raises(SetupError, match=r"WAKALA_RASA_PYTHON=.*not a working Python 3\.10"):
        find_python310(settings)


def test_no_python_310_anywhere_gives_an_actionable_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    with pytest.raises(SetupError) as caught:
        find_python310(Settings())
    message = str(caught.value)
    assert message.startswith("error[WAK001]")
    assert "pyenv install 3.10" in message
    assert "WAKALA_RASA_PYTHON" in message


def _project_copy(tmp_path: Path) -> Settings:
    for name in ("config.yml", "requirements/rasa.lock", "nlu_data/train", "bot/nlu/rasa"):
        source, target = ROOT / name, tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy(source, target)
    return Settings(project_dir=tmp_path, model_dir=tmp_path / "models")


def test_the_fingerprint_changes_with_data_and_config_only(tmp_path: Path) -> None:
    settings = _project_copy(tmp_path)
    first = fingerprint(settings)
    assert fingerprint(settings) == first
    (tmp_path / "README.md").write_text("docs do not change the model")
    assert fingerprint(settings) == first
    data = next((tmp_path / "nlu_data" / "train").rglob("*.yml"))
    data.write_text(data.read_text() + "\n")
    second = fingerprint(settings)
    assert second != first
    config = tmp_path / "config.yml"
    config.write_text(config.read_text() + "\n# tuned\n")
    assert fingerprint(settings) not in {first, second}
    assert model_path(settings).name == f"nlu-{fingerprint(settings)}.tar.gz"
