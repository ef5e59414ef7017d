"""Each user's interface preferences (the interface language), remembered across sessions."""

from __future__ import annotations

from drafter import i18n
from drafter.errors import InputError
from drafter.models import user_key
from drafter.service.base import ServiceBase


class PreferenceUseCases(ServiceBase):
    def user_language(self, user: str) -> str | None:
        """The interface language `user` chose (a catalog name such as `zh_CN`), or None if they never chose."""
        return i18n.normalise(self.store.user_language(user_key(user)))

    def set_user_language(self, user: str, language: str | None) -> str | None:
        """Remember `user`'s interface language (None forgets the choice: the browser's language applies again)."""
        chosen = i18n.normalise(language) if language else None
        if language and chosen is None:
            raise InputError(
                "There is no interface in the language {language}; choose one of: {choices}.",
                language=language, choices=", ".join(i18n.available_languages()),
            )
        self.store.set_user_language(user_key(user), chosen)
        return chosen
