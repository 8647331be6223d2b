"""The support agent's side of a conversation: the queue of chats waiting for a person,
the packet a person reads when taking one, and the moves take, reply, release and resolve.

While a person has the conversation (`handoff == "human"`) the bot stays silent; releasing
or resolving hands it back with a note to the shopper.

    desk = HandoffDesk(Sessions(repo))
    desk.queue()              # ["session-1", …]
    desk.take("session-1"); desk.agent_reply("session-1", "Hi, I'm Sam."); desk.resolve("session-1")
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import replies
from bot.redact import redact
from bot.sessions import Sessions


class MessageError(ValueError):
    """A message cannot be processed; the text says why."""


@dataclass(frozen=True)
class HandoffPacket:
    """What a person gets when taking over: summary, sources and suggestions already shown."""

    session_id: str
    user_id: str | None
    state: str
    summary: str
    cited: list[str]
    suggested: list[str]
    transcript: list[tuple[str, str]]


class HandoffDesk:
    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions

    def queue(self) -> list[str]:
        return self.sessions.in_handoff()

    def packet(self, session_id: str) -> HandoffPacket:
        st = self.sessions.load(session_id)
        rows = self.sessions.transcript(session_id)
        asked = [t for role, t, _ in rows if role == "shopper"]
        summary = (
            f"{len(asked)} shopper message(s). First: “{asked[0][:120]}”"
            if asked
            else "No messages."
        )
        if len(asked) > 1:
            summary += f" Latest: “{asked[-1][:120]}”"
        return HandoffPacket(
            session_id,
            st.user_id,
            st.handoff,
            summary,
            list(st.cited),
            list(st.shown_products),
            [(r, t) for r, t, _ in rows],
        )

    def take(self, session_id: str) -> None:
        self._set(session_id, "human", "agent took the conversation")

    def release(self, session_id: str) -> None:
        """The person hands the conversation back to the bot."""
        self._set(session_id, "none", "agent released the conversation")
        st = self.sessions.load(session_id)
        self.sessions.save(st, [("bot", replies.BACK_TO_BOT, {"action": "released"})])

    def resolve(self, session_id: str) -> None:
        """Resolved: back to the bot with a clean slate, so no loop back into handoff."""
        st = self.sessions.load(session_id)
        st.handoff, st.no_answer_streak, st.pending = "none", 0, None
        self.sessions.save(
            st,
            [
                ("system", "resolved", {"handoff": "none"}),
                ("bot", replies.BACK_TO_BOT, {"action": "released"}),
            ],
        )

    def agent_reply(self, session_id: str, text: str) -> None:
        st = self.sessions.load(session_id)
        if st.handoff != "human":
            raise MessageError("take the conversation before replying to it")
        self.sessions.save(st, [("agent", redact(text), {})])

    def _set(self, session_id: str, value: str, note: str) -> None:
        st = self.sessions.load(session_id)
        st.handoff = value
        self.sessions.save(st, [("system", note, {"handoff": value})])
