"""A `.env` in the working directory cannot grant roles, clearances or personal-data rights.

Before: pydantic-settings read every setting from `.env` in the current directory, so anyone able to write
a file there could make themselves a reviewer (or clear a backend for SECRET material).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from drafter.clearance import Clearance
from drafter.errors import RefusedError
from drafter.roles import Role, load_roles
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.conftest import FULL_CHECKLIST, briefing_request

DOTENV = """\
DRAFTER_ROLES=alice=drafter;mallory=admin
DRAFTER_ROLES_FILE=/tmp/roles-from-dotenv
DRAFTER_OPENAI_CLEARANCE=top_secret
DRAFTER_OFFLINE_CLEARANCE=public
DRAFTER_BACKEND_CLEARANCES={"openai": "secret"}
DRAFTER_PERSONAL_DATA_BACKENDS=["openai"]
DRAFTER_OPENAI_SELF_HOSTED=true
DRAFTER_SIGNING_KEY_FILE=/tmp/attacker-key.pem
DRAFTER_MODEL=model-from-dotenv
"""


def test_security_settings_in_dotenv_have_no_effect(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(DOTENV)  # the working directory (conftest changes into tmp_path)
    settings = Settings()
    assert settings.roles is None and settings.roles_file is None
    assert settings.openai_clearance == Clearance.public
    assert settings.offline_clearance == Clearance.top_secret
    assert settings.backend_clearances == {} and settings.personal_data_backends == []
    assert settings.openai_self_hosted is False
    assert settings.signing_key_file is None
    assert settings.model == "model-from-dotenv"  # ordinary settings still come from .env
    assert not load_roles(settings).configured


def test_the_real_environment_still_grants_roles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text(DOTENV)
    monkeypatch.setenv("DRAFTER_ROLES", "alice=drafter;bob=reviewer")
    roles = load_roles(Settings())
    assert roles.has("bob", Role.reviewer) and not roles.has("mallory", Role.reviewer)


def test_dotenv_cannot_make_a_non_reviewer_approve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Roles configured in the environment; a .env tries to make mallory an admin."""
    monkeypatch.setenv("DRAFTER_ROLES", "alice=drafter;bob=reviewer;mallory=drafter")
    (tmp_path / ".env").write_text("DRAFTER_ROLES=mallory=admin\n")
    service = DrafterService.from_settings(Settings())
    try:
        draft = service.create_draft(briefing_request(), "alice")
        service.submit(draft.id, "alice")
        with pytest.raises(RefusedError, match="does not have the reviewer role"):
            service.approve(draft.id, "mallory", FULL_CHECKLIST)
    finally:
        service.store.engine.dispose()
