"""A question's word the essays spell another way is searched in their spelling; every other word as asked."""

from companion.retrieval.lexical import LexicalSearcher
from companion.retrieval.spelling import in_essays_spelling, spellings, written_out
from companion.text import spelled_out
from tests.fakes import passage

ESSAYS = LexicalSearcher.from_passages([
    passage("a", 1, "Samantha and her fellow OSs seem to emerge with a spiritual awakening."),
    passage("a", 2, "I went home from the theater and cried about the colour of the sky."),
    passage("b", 1, "Theodore realizes the boxes of letters were his own."),
    passage("c", 1, "And yet, Her isn't about the science fiction. It is a love story with his girlfriend."),
    passage("c", 2, "It's not a comedy and it's not a romance: the rom com is elsewhere."),
])
FORMS = (
    (("sci", "fi"), "science fiction"), (("gf",), "girlfriend"), (("rom", "com"), "romantic comedy"),
    (("bf",), "boyfriend"),
)


def test_a_word_the_essays_spell_another_way_is_written_their_way():
    assert in_essays_spelling("what do the OSes do at the end", ESSAYS.idf) == "what do the OSs do at the end"
    assert in_essays_spelling("what did she do after the theatre?", ESSAYS.idf) == "what did she do after the theater?"
    assert in_essays_spelling("what color is the sky", ESSAYS.idf) == "what colour is the sky"
    assert in_essays_spelling("Theodore realises it when?", ESSAYS.idf) == "Theodore realizes it when?"


def test_a_word_the_essays_use_or_never_spell_stays_as_asked():
    assert in_essays_spelling("what is in the boxes", ESSAYS.idf) == "what is in the boxes"
    assert in_essays_spelling("did the critics like the soundtrack?", ESSAYS.idf) == "did the critics like the soundtrack?"
    # "order" opens with "or": it is no American "our".
    assert in_essays_spelling("in what order", ESSAYS.idf) == "in what order"
    assert in_essays_spelling("what do the OSes do", None) == "what do the OSes do"


def test_the_spellings_tried_keep_the_words_case():
    assert list(spellings("OSes"))[0] == "OSs"
    assert "Theatre" in spellings("Theater")
    assert "humour" in spellings("humor")


def test_the_essays_are_searched_with_the_question_in_their_spelling(prompts):
    from companion.engine.retrieve import retrieve
    from companion.engine.route import Routed

    found = retrieve(ESSAYS, Routed("film", "what do the OSes find at the end?"), 5, prompts.words)
    assert found.query == "what do the OSs find at the end?"
    assert [h.passage.text for h in found.hits][0].startswith("Samantha and her fellow OSs")


def test_a_short_form_no_essay_uses_is_written_out_however_it_is_joined():
    for asked in ("is it sci-fi?", "is it scifi?", "is it sci fi?", "is it Sci-Fi?"):
        assert written_out(asked, FORMS, ESSAYS.idf) == "is it science fiction?"
    assert written_out("my gf loved it", FORMS, ESSAYS.idf) == "my girlfriend loved it"


def test_a_short_form_the_essays_use_or_whose_long_form_they_lack_stays_as_asked():
    # The essays say "rom com" themselves; none says "boyfriend".
    assert written_out("is it a rom com?", FORMS, ESSAYS.idf) == "is it a rom com?"
    assert written_out("her bf left", FORMS, ESSAYS.idf) == "her bf left"
    # A short form inside a longer word is no short form: "scifilm", "gfx".
    assert written_out("a scifilm with gfx", FORMS, ESSAYS.idf) == "a scifilm with gfx"
    assert written_out("is it sci-fi?", FORMS, None) == "is it sci-fi?"


def test_a_question_in_a_short_form_is_searched_and_read_written_out(prompts):
    from companion.engine.retrieve import retrieve
    from companion.engine.route import Routed

    found = retrieve(ESSAYS, Routed("film", "is it sci-fi?"), 5, prompts.words)
    assert found.query == "is it science fiction?"
    assert found.hits[0].passage.text.startswith("And yet, Her isn't about the science fiction.")


def test_a_chat_spelling_is_written_as_its_word_wherever_it_stands(prompts):
    spellings = prompts.words.chat_spellings
    assert spelled_out("wat did ppl think abt the ending cuz i cried", spellings) == (
        "what did people think about the ending because i cried"
    )
    # Only whole words: "water" and "about" stay as they are.
    assert spelled_out("what about the water scene", spellings) == "what about the water scene"
