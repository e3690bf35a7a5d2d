"""A question's word the essays spell another way is searched in their spelling; every other word as asked."""

from companion.retrieval.lexical import LexicalSearcher
from companion.retrieval.spelling import in_essays_spelling, spellings
from tests.fakes import passage

ESSAYS = LexicalSearcher.from_passages([
    passage("a", 1, "Samantha and her fellow OSs seem to emerge with a spiritual awakening."),
    passage("a", 2, "I went home from the theater and cried about the colour of the sky."),
    passage("b", 1, "Theodore realizes the boxes of letters were his own."),
])


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
