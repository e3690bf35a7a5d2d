"""One conversational turn, as a pipeline of stages; see turn.py for the order they run in."""

from companion.engine.prompting import Prompt, format_evidence
from companion.engine.run import MAX_QUESTION_CHARS, Event, EventKind, TurnRun, check_question
from companion.engine.turn import Engine
from companion.types import Exchange, Reply

__all__ = [
    "MAX_QUESTION_CHARS", "Engine", "Event", "EventKind", "Exchange", "Prompt", "Reply", "TurnRun", "check_question",
    "format_evidence",
]
