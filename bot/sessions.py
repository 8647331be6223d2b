"""Where a conversation's state and transcript live between turns (through `shop/`).

sessions = Sessions(repo)
st = sessions.load("session-1", "u0001")
sessions.save(st, [("shopper", "hi", {}), ("bot", "Hello!", {"action": "greet"})])
"""

from __future__ import annotations

from bot.state import DialogueState
from shop.repository import ShopRepository

Message = tuple[str, str, dict[str, object]]  # role, redacted text, metadata


class Sessions:
    def __init__(self, repo: ShopRepository) -> None:
        self.repo = repo

    def load(self, session_id: str, user_id: str | None = None) -> DialogueState:
        raw = self.repo.load_state(session_id)
        st = DialogueState.from_json(raw) if raw else DialogueState(session_id)
        if user_id:
            st.user_id = user_id
        return st

    def save(self, st: DialogueState, messages: list[Message]) -> None:
        """The state and the turn's messages, in one transaction."""
        self.repo.save_turn(st.session_id, st.user_id, st.handoff, st.to_json(), messages)

    def in_handoff(self) -> list[str]:
        return self.repo.sessions_in_handoff()

    def transcript(self, session_id: str) -> list[tuple[str, str, dict[str, object]]]:
        return self.repo.transcript_meta(session_id)
