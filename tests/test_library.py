"""The library: questions about the essays themselves are answered from their titles and bylines, cited."""

from __future__ import annotations

import pytest

from companion.corpus import load_corpus
from companion.engine.library import Library, asks_about_a_writer, describe, of_the_writer, unnamed
from companion.engine.verify import verify
from companion.retrieval.sentences import named_writers, spoken_of, writers
from companion.session import shelve
from companion.text import quotes
from companion.types import Passage
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def library(retrieval, shared_settings):
    return shelve(retrieval.store, shared_settings)


def test_the_library_holds_every_essay_of_the_index_with_its_byline_and_note(library):
    shelved = {e.essay_id: e for e in library.essays}
    assert set(shelved) == {e.id for e in load_corpus(CORPUS)}
    conversation = shelved["what-her-tells-us"]
    assert conversation.author == "Steven Boone and Jennifer Anise"
    assert conversation.about.startswith("Jennifer Anise is a film lover and filmmaker")
    assert shelved["shared-experience"].outlet == "Medium"
    assert shelved["techno-lonely"].author is None and shelved["techno-lonely"].about is None
    # "her" is in every title, so it names none of them.
    assert not any("her" in e.title_words for e in library.essays)


@pytest.mark.parametrize(
    ("question", "essay_ids"),
    [
        ("who wrote the techno-lonely piece", {"techno-lonely"}),
        ("who wrote the Medium essay?", {"shared-experience"}),
        ("who is steven boone?", {"what-her-tells-us"}),
        ("who are the two people in the dialogue review", {"what-her-tells-us"}),
        ("did the critics like the dialogue?", set()),
        ("who are the two people in the conversation-style review?", {"what-her-tells-us"}),
        # A short form of its form word (prompts/words.toml [short_forms]) names it as the word does.
        ("per the filmmaker in the convo piece, whose perspective explains the title", {"what-her-tells-us"}),
        ("theo is awful at hurtful convos, is that unusual", set()),
        # A word between opening a phrase of its own: the dialogue is one the blogger quotes, not the conversation.
        ("in the dialogue the blogger quotes, how many ppl is sam talking to at the same time", set()),
        # The form of an essay said as an everyday word names nothing.
        ("Is Theodore just shy? Is that why he's so bad at difficult conversations?", set()),
        ("what do the critics make of the conversation on the beach?", set()),
        ("who wrote the sad in the best way post", {"sad-in-the-best-way"}),
        # Title words said as everyday words name nothing.
        ("why is the ending so sad in the best way?", set()),
        ("who are the critics you read?", set()),
        # A word for a person beside the title's words names its writer.
        ("the techno-lonely guy said the movie almost went cheesy, why didn't it", {"techno-lonely"}),
        ("did the sad in the best way person like it?", {"sad-in-the-best-way"}),
        # Not beside them, or beside one title word alone, it names no one.
        ("who is the guy theodore works with?", set()),
        ("is the sad guy theodore?", set()),
        # Its short name (its id's first word) right before a word for a piece of writing names it.
        ("what does the sad blogger think of theo's mustache lol", {"sad-in-the-best-way"}),
        ("did the sad blog say that?", {"sad-in-the-best-way"}),
        ("the techno review, did it like amy?", {"techno-lonely"}),
        # Another title word alone does not, nor the short name before a word for anyone or anything else.
        ("what's the best review of her?", set()),
        ("is the sad one the ending?", set()),
        ("the lonely guy in the movie, what's his job?", set()),
        # A run of its title's words saying something is the essay saying it; not across a clause's end.
        ("techno lonely says the characters find their spirits again in what kind of world", {"techno-lonely"}),
        ("techno lonely kinda brings up some old silent comedy, which film was it", {"techno-lonely"}),
        ("is the ending sad? the best way to say it", set()),
        # Opening or closing on something is what an essay does too.
        ("techno lonely opens by calling jonze a ... what lol", {"techno-lonely"}),
        ("what does sad in the best way end with", {"sad-in-the-best-way"}),
        # A run of its title's words set against something in a comparison names it, an article between or not.
        ("would the LA in her be a nice place to live?? techno lonely vs boone", {"techno-lonely", "what-her-tells-us"}),
        ("what state is theo in at the very start? her 2013 vs the medium essay", {"her-2013", "shared-experience"}),
        ("boone versus the techno lonely on the city", {"techno-lonely", "what-her-tells-us"}),
        ("how are phones different in the movie vs now", set()),
        ("sad vs happy ending?", set()),
        # What the note on its writers says they do names them before a word for a person or a piece of writing.
        ("the photographer guy reads the rooftop ending as about death, right?", {"shared-experience"}),
        ("how do the 2013 review and the photographer's essay see theo at the start?", {"her-2013", "shared-experience"}),
        ("did the camera assistant lady dig the sets and outfits", {"what-her-tells-us"}),
        # Not said of a critic, nor a word every writer's note could give ("critic").
        ("what do the critics think of spike jonze as a filmmaker overall?", set()),
        ("boone says jonze drifted into some other filmmaker's style with this one.. who?", {"what-her-tells-us"}),
        ("isn't the photographer husband in lost in translation based on jonze?", set()),
        ("which critic guy liked the ending?", set()),
    ],
)
def test_a_question_names_an_essay_by_its_writers_outlet_or_title(library, prompts, question, essay_ids):
    assert {e.essay_id for e in library.named(question, prompts.words)} == essay_ids


@pytest.mark.parametrize(
    "question",
    [
        "who are the critics you read?",
        "what essays do you have",
        "which reviews have you read?",
        "who wrote the techno-lonely piece",
        "who wrote the medium essay?",
        "who wrote the medium one?",
        "who is Steven Boone?",
        "how many essays do you know?",
        "who are the two people talking in the conversation essay?",
        "Who are the two people talking in the conversation-style review?",
        "who are the two people in the dialogue review",
        "who wrote the convo piece?",
        "who wrote the techno-lonely essay? i want to read more from them",
    ],
)
def test_questions_about_the_essays_themselves_go_to_the_library(library, prompts, question):
    assert library.asked_about(question, prompts.words)


@pytest.mark.parametrize(
    "question",
    [
        "what did the critics think of the ending?",
        "who wrote the screenplay?",
        "who wrote her?",
        "who wrote being john malkovich",
        "which essay is the most personal",
        "which reviewer liked it least",
        "which essay mentions where the wild things are",
        "what does the techno-lonely review say about the opening?",
        "who is the author of the love letters theodore writes",
        "who wrote the music",
        "what do the people in the film talk about?",
        "who is talking to theodore?",
        "which one is the saddest?",
        "is samantha the one for him?",
        "i want to read more about what the critics think of amy",
        "",
    ],
)
def test_questions_about_what_is_in_the_essays_are_searched(library, prompts, question):
    assert not library.asked_about(question, prompts.words)


def test_the_list_cites_every_essay_by_its_first_sentence_word_for_word(library, prompts):
    described = describe("who are the critics you read?", library, prompts)
    checked = verify(described.answer, described.evidence)
    notes = [e for e in library.essays if e.note is not None]
    assert len(checked.citations) == len(library.essays) + len(notes) == 7
    assert all(c.verified for c in checked.citations)
    assert checked.dropped == 0
    assert [c.n for c in checked.citations] == list(range(1, 8))
    assert "Steven Boone and Jennifer Anise" in described.answer
    for essay in library.essays:
        assert essay.title in described.answer
    # The notes on the writers are quoted word for word and cited to the note itself, not to a passage of the essay.
    (noted,) = [c for c in checked.citations if "photographer" in c.passage.text]
    assert noted.passage.id == "shared-experience:note" and noted.passage.note
    assert any(q.startswith("Usually a photographer") for q in quotes(described.answer))


def test_an_essay_that_names_no_writer_is_said_to_name_none_citing_nothing(library, prompts):
    described = describe("who wrote the techno-lonely piece?", library, prompts)
    assert described.evidence == ()
    assert "Her: We are the Techno-Lonely" in described.answer


def test_a_named_essay_with_writers_is_described_alone(library, prompts):
    described = describe("who is steven boone?", library, prompts)
    assert [e.passage.id for e in described.evidence] == ["what-her-tells-us:1", "what-her-tells-us:note"]
    assert "Steven Boone is a film critic" in described.answer
    assert all(c.verified for c in verify(described.answer, described.evidence).citations)
    # Of the note on both writers, the part about the one asked after.
    assert "Jennifer Anise is a film lover" not in described.answer


def _note(text: str, author: str) -> Passage:
    return Passage(id="a:note", essay_id="a", n=0, title="On Her", author=author, text=text, start=0, end=0)


def test_of_a_note_on_several_writers_the_part_about_the_one_named_is_quoted():
    text = ("Jennifer Anise is a filmmaker. Her blurbs are on Facebook. Steven Boone is a film critic. "
            "He writes a column.")
    note = _note(text, "Steven Boone and Jennifer Anise")
    assert of_the_writer(note, {"boone"}) == "Steven Boone is a film critic. He writes a column."
    assert of_the_writer(note, {"jennifer", "anise"}) == "Jennifer Anise is a filmmaker. Her blurbs are on Facebook."
    # Asked after both, or neither, or a note on one writer: the whole note.
    assert of_the_writer(note, {"anise", "boone"}) == text
    assert of_the_writer(note, {"dialogue"}) == text
    assert of_the_writer(_note("Ann Lee is a critic. She writes.", "Ann Lee"), {"lee"}) == "Ann Lee is a critic. She writes."


def test_a_note_speaks_of_the_writer_it_last_named():
    note = _note("Jennifer Anise is a filmmaker. Her blurbs are online. Steven Boone is a critic. He blogs.",
                 "Steven Boone and Jennifer Anise")
    assert [spoken_of(note, note.text.index(s)) for s in ("Her blurbs", "Steven", "He blogs")] == [
        "Jennifer Anise", "Steven Boone", "Steven Boone"]
    assert writers(note) == ["Steven Boone", "Jennifer Anise"]
    hyphened = _note("Ann Lee writes. Mary-Kate Olsen films. She edits.", "Ann Lee & Mary-Kate Olsen")
    assert spoken_of(hyphened, hyphened.text.index("She")) == "Mary-Kate Olsen"
    assert named_writers(hyphened, {"kate"}) == ["Mary-Kate Olsen"]


def test_a_library_without_the_corpus_still_names_titles_and_writers():
    first = Passage(id="a:1", essay_id="a", n=1, title="On Her", author="Ann Lee", text="It is good. Very.", start=0, end=17)
    other = Passage(id="b:1", essay_id="b", n=1, title="Her Again", author=None, text="Yes it is.", start=0, end=10)
    library = Library.of([other, first])
    assert [e.essay_id for e in library.essays] == ["a", "b"]
    assert library.essays[0].names == frozenset({"ann", "lee"})
    assert library.essays[0].opening() == "It is good."
    assert library.essays[1].about is None and library.essays[1].outlet is None


def test_the_engine_answers_a_library_question_from_the_library(engine, library):
    engine.library = lambda: library
    reply = engine.ask("who are the critics you read?")
    assert reply.route == "essays"
    assert reply.grounded
    notes = sum(e.note is not None for e in library.essays)
    assert len(reply.citations) == len(library.essays) + notes and all(c.verified for c in reply.citations)
    film = engine.ask("what did the critics think of the ending?")
    assert film.route == "film"


def test_asked_about_a_writer_she_quotes_the_note_on_them_and_cites_it(engine, library):
    engine.library = lambda: library
    reply = engine.ask("what does the medium writer do for a living?")
    assert reply.route == "film" and reply.grounded
    first = reply.citations[0]
    assert first.passage.id == "shared-experience:note" and first.verified
    assert quotes(reply.answer)[0].startswith("Usually a photographer")


@pytest.mark.parametrize(("question", "naming", "about"), [
    ("what does anise do for a living", {"anise"}, True),
    ("What is Steven Boone's day job?", {"steven", "boone"}, True),
    ("Is Jennifer Anise a critic or does she actually make films?", {"jennifer", "anise"}, True),
    ("what does the medium writer do for a living?", {"medium"}, True),
    # "The medium guy" is the writer, and "smth" chatter.
    ("is the medium guy a student or smth", {"medium"}, True),
    # A view of theirs, or someone else's job, is no question about the writer.
    ("what does anise think of her job", {"anise"}, False),
    ("what does the medium writer say about amy's job", {"medium"}, False),
    ("what did boone make of the ending", {"boone"}, False),
    ("what does anise do for a living", set(), False),
])
def test_a_question_about_a_writer_as_a_person_is_told_from_one_about_their_views(prompts, question, naming, about):
    assert asks_about_a_writer(question, prompts.words, frozenset(naming)) is about


@pytest.mark.parametrize(("question", "starts"), [
    ("what does anise do for a living", "Jennifer Anise is a film lover and filmmaker"),
    ("what's boone's day job?", "Steven Boone is a film critic and video essayist"),
])
def test_asked_about_one_of_two_writers_she_quotes_the_note_on_them(reading_engine, library, question, starts):
    reading_engine.library = lambda: library
    reading_engine.history.clear()
    reply = reading_engine.ask(question)
    # Anise's own turn ("I re-lived lives watching this") was quoted for her job.
    assert reply.grounded and reply.citations[0].passage.id == "what-her-tells-us:note" and reply.citations[0].verified
    assert quotes(reply.answer)[0].startswith(starts)


def test_a_pronoun_after_the_library_described_a_writer_stands_for_them(reading_engine, library):
    reading_engine.library = lambda: library
    reading_engine.history.clear()
    assert reading_engine.ask("who is jennifer anise?").route == "essays"
    reply = reading_engine.ask("what does she do for a living?")
    # It was searched as its own words, and Amy's job ("…continue working at a job she planned to leave") quoted.
    assert reply.query == "what does jennifer anise do for a living?"
    assert reply.grounded and reply.citations[0].passage.id == "what-her-tells-us:note"
    assert quotes(reply.answer)[0].startswith("Jennifer Anise is a film lover and filmmaker")


@pytest.mark.parametrize(("question", "note"), [
    ("which critic is a photographer?", "shared-experience:note"),
    ("is any of the writers a student?", "shared-experience:note"),
])
def test_asked_about_the_writers_at_large_she_quotes_the_note_that_answers(engine, library, question, note):
    engine.library = lambda: library
    reply = engine.ask(question)
    assert reply.grounded and reply.citations[0].passage.id == note and reply.citations[0].verified


@pytest.mark.parametrize("question", [
    "what city does her take place in?", "is the film about los angeles?",
    # A view asked of the writers is theirs on the film: "first assistant camera" is no view of the camera work.
    "what do the critics say about los angeles?", "what did the writers think about the camera work?",
])
def test_the_notes_on_the_writers_are_never_quoted_for_a_question_not_about_them(engine, library, question):
    engine.library = lambda: library
    reply = engine.ask(question)
    assert reply.citations and not any(c.passage.note for c in reply.citations)


@pytest.mark.parametrize("question", [
    "does any critic talk about the beach scene", "did any of the writers mention the dunes at the beach?",
])
def test_asked_whether_the_critics_write_about_something_the_notes_on_them_are_not_quoted(engine, library, question):
    # It asks what the essays take up: "Notes from the Dunes", in the note on Anise, was quoted for the beach.
    engine.library = lambda: library
    reply = engine.ask(question)
    assert not any(c.passage.note for c in reply.citations)


def test_without_a_library_the_question_is_searched(engine):
    assert engine.library is None
    assert engine.ask("who are the critics you read?").route != "essays"


def test_an_opening_that_gives_the_ending_away_is_not_quoted_to_someone_who_has_not_seen_it(prompts):
    spoiling = Passage(id="a:1", essay_id="a", n=1, title="On Her", author="Ann Lee",
                       text="At the end she leaves him on a rooftop. It is sad.", start=0, end=50)
    plain = Passage(id="b:1", essay_id="b", n=1, title="Her Again", author=None, text="Yes it is lovely.", start=0, end=17)
    library = Library.of([spoiling, plain])
    careful = describe("which essays have you read?", library, prompts, careful=True)
    assert "rooftop" not in careful.answer and "Ann Lee" in careful.answer
    assert [e.passage.essay_id for e in careful.evidence] == ["b"]
    told = describe("which essays have you read?", library, prompts)
    assert "rooftop" in told.answer and len(told.evidence) == 2


def test_an_empty_library_answers_nothing(prompts):
    assert not Library.of([]).asked_about("who are the critics you read?", prompts.words)


def test_going_on_from_the_list_of_essays_asks_which_to_hear_from(engine, library, prompts):
    engine.library = lambda: library
    engine.ask("who are the critics you read?")
    more = engine.ask("tell me more")
    assert more.answer in prompts.variants["library_invite"]
    assert not more.citations
    # Going on with something of its own is searched, the question before it lending its words.
    amy = engine.ask("and what does the medium one think of amy?")
    assert amy.route == "follow_up" and amy.grounded


@pytest.mark.parametrize("follow_up", ["and anise?", "what about jennifer anise?"])
def test_a_follow_up_naming_another_writer_asks_the_library_about_them(engine, library, follow_up):
    engine.library = lambda: library
    engine.ask("who is steven boone?")
    reply = engine.ask(follow_up)
    assert reply.route == "essays" and "what-her-tells-us:note" in [c.passage.id for c in reply.citations]
    assert "Jennifer Anise is a film lover" in reply.answer and "Steven Boone is a film critic" not in reply.answer


@pytest.mark.parametrize(("question", "follow_up", "essay"), [
    ("what did the medium writer think of the ending?", "who wrote it?", "shared-experience"),
    ("what did the techno-lonely reviewer think of amy?", "who's the author?", "techno-lonely"),
    ("does anise like theodore?", "who wrote that essay?", "what-her-tells-us"),
])
def test_who_wrote_it_after_a_question_naming_an_essay_asks_after_that_essay(engine, library, question, follow_up, essay):
    engine.library = lambda: library
    engine.history.clear()
    engine.ask(question)
    reply = engine.ask(follow_up)
    shelved = next(e for e in library.essays if e.essay_id == essay)
    assert reply.route == "essays" and shelved.title in reply.answer
    assert all(e.title not in reply.answer for e in library.essays if e.essay_id != essay)
    assert all(c.passage.essay_id == essay and c.verified for c in reply.citations)


def test_who_wrote_them_after_several_critics_asks_after_the_essays_quoted(engine, library):
    engine.library = lambda: library
    engine.history.clear()
    quoted = {e.title for e in library.essays if f"*{e.title}*" in engine.ask("what did the critics think of the ending?").answer}
    reply = engine.ask("who wrote them?")
    assert reply.route == "essays" and len(quoted) > 1
    assert {e.title for e in library.essays if f"*{e.title}*" in reply.answer} == quoted


def test_who_said_that_asks_after_the_essay_just_quoted(engine, library):
    engine.library = lambda: library
    engine.history.clear()
    # Of Theodore: the essay never names Amy, and a view of hers asked of it is refused (Policy.named_view_chance).
    engine.ask("what did the techno-lonely reviewer think of theodore?")
    reply = engine.ask("who said that?")
    assert reply.route == "essays" and "*Her: We are the Techno-Lonely*" in reply.answer
    assert all(c.passage.essay_id == "techno-lonely" for c in reply.citations)


def _answered(library, *ids: str) -> str:
    """Return a reply quoting the essays in this order, a second quote from the same essay not naming it again."""
    by_id = {e.essay_id: e for e in library.essays}
    paragraphs = [
        f"Elsewhere in that essay, the writer adds: “Words.” [{n}]" if n > 1 and essay == ids[n - 2]
        else f"In *{by_id[essay].title}*, the writer says: “Words.” [{n}]"
        for n, essay in enumerate(ids, start=1)
    ]
    # Her first line may name the critics, with their markers, in another order than the quotes.
    first = f"They differ: *{by_id[ids[-1]].title}* [{len(ids)}] and *{by_id[ids[0]].title}* [1]."
    return "\n\n".join([first, *paragraphs, "What about you?"])


def _asked_after(library, question, answered, words, listed=False):
    who = library.who_wrote(question, "", answered, words, listed)
    return who.essays if who is not None else ()


def _shown_fewer(library, question, answered, words, listed=False):
    who = library.who_wrote(question, "", answered, words, listed)
    return who.shown if who is not None else None


@pytest.mark.parametrize("question", ["who said that?", "who wrote that?", "who wrote this?", "who wrote that one?"])
def test_who_said_that_asks_after_the_essays_quoted_in_the_order_quoted(library, prompts, question):
    # "Who wrote that?" was searched as a question about the film and refused: no essay speaks of "that".
    answered = _answered(library, "techno-lonely", "her-2013", "shared-experience")
    asked = _asked_after(library, question, answered, prompts.words)
    assert [e.essay_id for e in asked] == ["techno-lonely", "her-2013", "shared-experience"]


@pytest.mark.parametrize(("question", "essay"), [
    ("who wrote the second one?", "her-2013"), ("who said [3]?", "shared-experience"),
    ("and the last one, who wrote it?", "shared-experience"), ("who's the author of the first quote?", "techno-lonely"),
    ("who wrote quote 2?", "her-2013"),
])
def test_who_wrote_a_quote_by_its_place_asks_after_that_quotes_essay(library, prompts, question, essay):
    answered = _answered(library, "techno-lonely", "her-2013", "shared-experience")
    assert [e.essay_id for e in _asked_after(library, question, answered, prompts.words)] == [essay]


def test_a_quote_shown_without_its_title_is_of_the_essay_named_before_it(library, prompts):
    answered = _answered(library, "what-her-tells-us", "what-her-tells-us", "techno-lonely")
    asked = _asked_after(library, "who wrote the second one?", answered, prompts.words)
    assert [e.essay_id for e in asked] == ["what-her-tells-us"]


@pytest.mark.parametrize("question", ["who wrote the fifth one?", "who is the first person samantha talks to?"])
def test_a_place_past_the_quotes_or_a_question_about_the_film_asks_no_essay(library, prompts, question):
    answered = _answered(library, "techno-lonely", "her-2013", "shared-experience")
    assert _asked_after(library, question, answered, prompts.words) == ()


def test_in_a_list_of_the_essays_a_place_counts_essays_not_quotes(library, prompts):
    # Listed, an essay may show its opening and the note on its writers: two quotes, one place in the list.
    answered = _answered(library, "her-2013", "shared-experience", "shared-experience", "techno-lonely")
    words = prompts.words
    assert [e.essay_id for e in _asked_after(library, "who wrote the third one?", answered, words, True)] == ["techno-lonely"]
    assert [e.essay_id for e in _asked_after(library, "who wrote the third one?", answered, words)] == ["shared-experience"]
    assert _shown_fewer(library, "who wrote the sixth one?", answered, words, True) == 3


def test_who_wrote_the_fourth_one_after_the_list_of_essays_asks_after_the_fourth_listed(engine, library):
    engine.library = lambda: library
    engine.history.clear()
    listing = engine.ask("who are the critics?")
    fourth = [e for e in library.essays if f"*{e.title}*" in listing.answer]
    fourth.sort(key=lambda e: listing.answer.index(f"*{e.title}*"))
    reply = engine.ask("who wrote the fourth one?")
    assert reply.route == "essays" and f"*{fourth[3].title}*" in reply.answer
    assert all(f"*{e.title}*" not in reply.answer for e in fourth if e is not fourth[3])
    assert all(c.passage.essay_id == fourth[3].essay_id for c in reply.citations)


def test_a_place_past_the_quotes_is_told_how_many_there_were(library, prompts):
    answered = _answered(library, "techno-lonely", "her-2013", "shared-experience")
    assert _shown_fewer(library, "who wrote the fifth one?", answered, prompts.words) == 3
    assert _shown_fewer(library, "who wrote the third one?", answered, prompts.words) is None
    assert _shown_fewer(library, "who is the fifth person samantha talks to?", answered, prompts.words) is None


def test_who_wrote_a_quote_past_the_last_is_told_how_many_she_showed(engine, library, prompts):
    engine.library = lambda: library
    engine.history.clear()
    engine.ask("who plays amy?")
    reply = engine.ask("who wrote the fourth one?")
    filled = {line.format(shown="one quote") for line in prompts.variants["no_such_quote"]}
    assert reply.answer in filled and not reply.citations


def test_who_wrote_the_second_one_after_several_critics_describes_that_essay_alone(engine, library):
    engine.library = lambda: library
    engine.history.clear()
    ending = engine.ask("what did the critics think of the ending?")
    second = next(c.passage.essay_id for c in ending.citations if c.n == 2)
    reply = engine.ask("who wrote the second one?")
    assert reply.route == "essays" and reply.citations
    assert all(c.passage.essay_id == second for c in reply.citations)


@pytest.mark.parametrize(("question", "follow_up"), [
    ("what's the movie about?", "who wrote it?"), ("what did the medium writer think of the ending?", "who directed it?"),
])
def test_who_made_it_after_any_question_asks_who_made_the_film(engine, library, question, follow_up):
    engine.library = lambda: library
    engine.history.clear()
    engine.ask(question)
    reply = engine.ask(follow_up)
    assert reply.route == "film" and "Spike Jonze" in reply.answer.splitlines()[0]


@pytest.mark.parametrize(("question", "essay", "speaker"), [
    ("did anise like the movie?", "what-her-tells-us", "Jennifer Anise"),
    ("what did boone think of the film?", "what-her-tells-us", "Steven Boone"),
    ("did the medium writer like it?", "shared-experience", None),
    ("what did the techno-lonely review think of the film?", "techno-lonely", None),
])
def test_a_verdict_asked_of_one_critic_is_theirs_alone(engine, library, question, essay, speaker):
    engine.library = lambda: library
    reply = engine.ask(question)
    assert reply.grounded and [c.passage.essay_id for c in reply.citations] == [essay]
    assert reply.citations[0].passage.speaker == speaker
    assert engine.prompts.words.names_the_film.search(quotes(reply.answer)[0])


@pytest.mark.parametrize("question", [
    "did anise and the medium writer like it?",
    "do anise and the medium writer agree about the ending?",
])
def test_one_of_a_conversations_writers_named_beside_another_essay_hears_both(engine, library, question):
    # Only the named writer's turns of the conversation are theirs; every sentence of an essay by one writer is.
    engine.library = lambda: library
    reply = engine.ask(question)
    cited = {(c.passage.essay_id, c.passage.speaker) for c in reply.citations}
    assert cited == {("what-her-tells-us", "Jennifer Anise"), ("shared-experience", None)}


def test_the_conversation_named_by_its_form_beside_another_essay_hears_both(engine, library):
    engine.library = lambda: library
    reply = engine.ask("do the medium writer and the conversation review agree about the ending?")
    assert {c.passage.essay_id for c in reply.citations} == {"what-her-tells-us", "shared-experience"}


def test_the_words_naming_an_essay_are_left_out_of_what_is_asked_of_it(library, prompts):
    question = "where does the Medium guy say he feels it physically when he watches her?"
    _, naming = library.naming(question, prompts.words)
    assert naming == {"medium"}
    assert unnamed(question, naming) == "where does the guy say he feels it physically when he watches her"
    _, naming = library.naming("what does the techno-lonely review say about everything?", prompts.words)
    assert unnamed("what does the techno-lonely review say about everything?", naming) == "what does the review say about everything"
    assert unnamed("who plays amy?", frozenset()) == "who plays amy?"


def test_a_message_naming_essays_is_about_the_film_though_her_name_opens_it(engine, library):
    # Her name opening it read as calling her, and she answered with small talk.
    engine.library = lambda: library
    reply = engine.ask("samantha: magical wide-eyed wonder or just another learner like the rest of us? her 2013 vs anise")
    assert reply.route == "film"
    assert {c.passage.essay_id for c in reply.citations} == {"her-2013", "what-her-tells-us"}
