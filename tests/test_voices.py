"""Whose view a quote gives: an essay's, or a conversation's writer's when a question names both of its writers."""

from companion.engine.voices import named_voices, names_one_critic, voice_of
from tests.fakes import passage

TALK = passage(
    "talk", 7, "BOONE: They are all empaths. ANISE: The characters aren't all empaths though.",
    author="Steven Boone and Jennifer Anise",
)
ALONE = passage("alone", 2, "I think they are empaths.", author="A. Critic")


def test_each_writer_of_a_conversation_a_question_names_is_a_voice():
    naming = frozenset({"boone", "anise"})
    assert named_voices(["talk"], [TALK], naming) == {("talk", "Steven Boone"), ("talk", "Jennifer Anise")}
    voice = voice_of(naming)
    assert voice(TALK, TALK.text.index("They")) == ("talk", "Steven Boone")
    assert voice(TALK, TALK.text.index("The characters")) == ("talk", "Jennifer Anise")


def test_an_essay_is_one_voice_unless_both_its_writers_are_named():
    assert named_voices(["talk"], [TALK], frozenset({"boone"})) == {("talk", None)}
    assert voice_of(frozenset({"boone"}))(TALK, 0) == ("talk", None)
    assert named_voices(["talk", "alone"], [TALK, ALONE], frozenset({"boone", "anise"})) == {
        ("talk", "Steven Boone"), ("talk", "Jennifer Anise"), ("alone", None),
    }
    assert voice_of(frozenset({"boone", "anise"}))(ALONE, 0) == ("alone", None)


def test_one_essay_named_alone_is_one_critic_but_one_writer_of_a_conversation_is_not():
    assert names_one_critic(["alone"], [TALK, ALONE], frozenset({"critic"}))
    # Named by its title, a conversation is one critic; naming one of its writers asks their turns alone.
    assert names_one_critic(["talk"], [TALK, ALONE], frozenset({"conversation"}))
    assert not names_one_critic(["talk"], [TALK, ALONE], frozenset({"boone"}))
    assert not names_one_critic(["talk", "alone"], [TALK, ALONE], frozenset())
    assert not names_one_critic([], [TALK, ALONE], frozenset())
