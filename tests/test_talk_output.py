"""What a writing model is sent for small talk, and what of its reply is shown, over a scripted loopback server."""

from __future__ import annotations

import pytest

from companion.backends.openai import OpenAIBackend
from companion.config import BackendSpec
from companion.memory import Memory
from companion.types import Exchange
from tests.scripted_server import event, server, sse_reply  # noqa: F401  (the server fixture)
from tests.test_converse import careful, make

EARLIER = "Hi! I'm so glad you're here. Is there something about Her you've been thinking about?"


@pytest.fixture
def writer(server):  # noqa: F811  (the fixture above)
    backend = OpenAIBackend(BackendSpec(name="scripted", type="openai", base_url=server.url + "/v1", retries=0))
    yield backend
    backend.close()


@pytest.fixture
def memory(tmp_path):
    with Memory(tmp_path / "memory.sqlite3") as store:
        store.remember("My name is Sam. I haven't seen Her yet.")
        yield store


def test_the_history_goes_as_real_turns_and_memory_as_prose(prompts, server, writer, memory):  # noqa: F811
    server.script = [sse_reply("Oh, I'm doing well, thank you for asking! What has your day been like so far?")]
    engine = careful(make(prompts, writer), memory)
    engine.history += [Exchange("hello", EARLIER, "greeting"), Exchange("tell me about Amy", "Amy is [1]. *(uncited)*")]
    engine.ask("hi, how are you?")
    messages = server.seen[0].body["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user", "assistant", "user"]
    assert [m["content"] for m in messages[1:]] == ["hello", EARLIER, "tell me about Amy", "Amy is [1].", "hi, how are you?"]
    system = messages[0]["content"]
    assert "Their name is Sam. They have not seen Her yet." in system and "keep the ending to yourself" in system
    # Nothing a model could copy as a label: every line of every message is prose, none ends on a colon.
    lines = [line for m in messages for line in m["content"].splitlines() if line.strip()]
    assert not [line for line in lines if line.rstrip().endswith(":") or line.lstrip().startswith("- ")]


def test_an_echo_of_the_prompt_is_dropped_before_anything_is_shown(prompts, server, writer, memory):  # noqa: F811
    server.script = [sse_reply(
        "What you remember", " is:\n", "- The person says, \"hi, how are you?\"\n", "Samantha: ",
        "I'm well, Sam, and happier now you're here. ", "What has your day been like?",
    )]
    engine = make(prompts, writer, memory=memory)
    events = list(engine.turn("hi, how are you?"))
    reply = events[-1].reply
    assert reply.answer == "I'm well, Sam, and happier now you're here. What has your day been like?"
    shown = "".join(e.text for e in events if e.kind == "token")
    assert shown == reply.answer and reply.uncited == ()


def test_a_reply_said_before_word_for_word_falls_back_to_her_lines(prompts, server, writer):  # noqa: F811
    nearly = EARLIER.replace("thinking about", "wondering about")
    moved_on = "Hi! I'm so glad you're here. Tell me, how was your day, and what is on your mind tonight?"
    server.script = [sse_reply(*EARLIER.partition("here")), sse_reply(*nearly.partition("here")),
                     sse_reply(*moved_on.partition("here"))]
    engine = make(prompts, writer)
    engine.history.append(Exchange("hello", EARLIER, "greeting"))
    for said in (EARLIER, nearly):
        events = list(engine.turn("hi, how are you?"))
        answer = events[-1].reply.answer
        assert answer != said and answer in prompts.variants["greeting"], "a word changed is the same reply"
        assert [e.text for e in events if e.kind == "token"] == [answer], "the repeat is never shown"
    # Repeating only its start is a new reply, shown once it has moved on, less the sentence said before.
    assert engine.ask("hi, how are you?").answer == moved_on.replace("I'm so glad you're here. ", "")


def test_a_reply_that_loops_ends_where_it_starts_saying_itself_again(prompts, server, writer):  # noqa: F811
    loop = "I'm here for you, always, whatever the day brought. "
    server.script = [sse_reply("Oh no, I'm sorry. ", loop, "Do you want to tell me about it? ", loop,
                               "Do you want to tell me about it? ", forever=event(loop))]
    engine = make(prompts, writer)
    reply = engine.ask("I had a rough day at work.")
    assert reply.answer == "Oh no, I'm sorry. " + loop + "Do you want to tell me about it?"
    # Read on, the endless loop would run past the token budget and end the reply with an error.
    assert reply.complete and reply.error is None


@pytest.mark.parametrize("said", ["I'm Sam, the warm and curious one.", "My name is Sam...", "You're Emily!"])
def test_a_name_given_wrong_is_answered_from_memory(prompts, server, writer, memory, said):  # noqa: F811
    server.script = [sse_reply(said)]
    engine = make(prompts, writer, memory=memory)
    reply = engine.ask("what's my name?")
    assert reply.route == "about_person" and "your name is Sam" in reply.answer and said not in reply.answer
    known = [v.format(facts="your name is Sam").split("your name is Sam")[0] for v in prompts.variants["person_known"]]
    assert reply.answer.startswith(tuple(known)), "her line for what she remembers"


def test_only_a_speaker_label_the_reply_opens_with_is_dropped():
    from companion.engine.cleanup import without_echo

    assert without_echo("Samantha: Hi there!", "hi") == "Hi there!"
    assert without_echo("You answer: It ends at dawn.", "how does it end?") == "It ends at dawn."
    # The same words inside the reply are the reply's own.
    assert without_echo("The short answer: yes, it ends well.", "does it end well?") == "The short answer: yes, it ends well."
    assert without_echo("Thanks for your reply: I'm glad.", "thanks") == "Thanks for your reply: I'm glad."


def test_a_label_line_echoed_from_the_prompt_is_not_flagged_as_a_claim():
    from companion.engine.verify import is_claim

    assert not is_claim('[2] From "What HER Tells Us About Ourselves" by Steven Boone:', set(), None)
    assert is_claim("Steven Boone calls it a soufflé.", set(), None)


# A film answer a model writes freely passes the same cleanup (engine/cleanup.py)

JOB = "What is Theodore's job?"


def test_a_film_prompt_has_no_label_line_and_numbers_each_passage_with_its_essay(prompts, server, writer):  # noqa: F811
    server.script = [sse_reply("He writes “letters for strangers” [1], and I find that so tender. What do you think?")]
    make(prompts, writer).ask(JOB)
    messages = server.seen[0].body["messages"]
    user = messages[-1]["content"]
    assert '[1] From "Ebert" by A. Critic: Theodore writes letters for strangers' in user
    assert user.rstrip().endswith(JOB), "the question as the person wrote it, last"
    lines = [line for m in messages for line in m["content"].splitlines() if line.strip()]
    assert not [line for line in lines if line.rstrip().endswith(":") or line.lstrip().startswith("- ")]


def test_a_film_reply_that_only_parrots_the_prompt_gives_way_to_the_quotes(prompts, server, writer):  # noqa: F811
    server.script = [sse_reply("The person asks: ", JOB)]
    events = list(make(prompts, writer).turn(JOB))
    reply = events[-1].reply
    assert JOB not in reply.answer and "“" in reply.answer and "[1]" in reply.answer
    assert reply.grounded and [c.verified for c in reply.citations] == [True] and reply.uncited == ()
    assert "".join(e.text for e in events if e.kind == "token") == reply.answer, "the parrot is never shown"


def test_a_film_reply_loses_its_echoed_labels_and_ends_where_it_loops(prompts, server, writer):  # noqa: F811
    loop = "He writes “letters for strangers” [1], every one of them for somebody else. "
    server.script = [sse_reply("Passages from the critics' essays:\n\n", "Samantha: ", loop, "Isn't that tender? ", loop,
                               forever=event(loop))]
    reply = make(prompts, writer).ask(JOB)
    assert reply.answer == loop + "Isn't that tender?"
    assert reply.grounded and reply.complete and reply.error is None


def test_a_reply_without_full_stops_is_shown_before_it_ends():
    from companion.engine.cleanup import cleaned, expected

    words = [f"word{i} " for i in range(80)]
    seen_before_end: list[str] = []

    def stream():
        for piece in words:
            yield piece
        seen_before_end.extend(shown)
        return None

    shown: list[str] = []
    for piece in cleaned(stream(), expected("hi there", "fallback", ())):
        shown.append(piece)
    # A model writing with no sentence end must still reach the reader while it writes.
    assert seen_before_end and "".join(seen_before_end).startswith("word0 word1")
    assert "".join(shown).split() == [w.strip() for w in words]
