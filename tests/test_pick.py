"""Picking quotes: the likeliest answer first, more only when likely enough, one per passage (per essay for opinions)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from companion.engine import Engine
from companion.engine.credits import Credit, asked_character, read_credit_question
from companion.engine.joining import joined_span
from companion.engine.pick import Reading, Wanted, pick_quotes
from companion.engine.quotes import quote_paragraphs, quoted, views_line
from companion.engine.verify import verify
from companion.policy import POLICY
from companion.retrieval.sentence_vectors import SentenceVectors
from companion.retrieval.sentences import FEATURES, READER_FEATURES, Candidate
from companion.text import fold, markers, quotes, reply_sentences
from companion.types import Evidence, Passage
from tests.fakes import BagOfWords, FakeSearcher, ScriptedBackend, hit, passage

# A ranker that goes by the sentence's cosine alone (chance 0.5 at cosine 0.5), so tests can reason about it.
BY_COSINE = (-20.0, 40.0, *([0.0] * (len(FEATURES) - READER_FEATURES - 1)))

ANSWER = passage("her", 1, "Theodore Twombly is played by Joaquin Phoenix. The city is a warm haze of pastels.")
ECHO = passage("her", 2, "Joaquin Phoenix plays Theodore with a moustache. Nobody else is in this passage.")
OTHER = passage("sad", 1, "Joaquin Phoenix gives a great performance as Theodore. The ending made me cry.")
FAR = passage("lonely", 1, "Technology makes us lonely. We are never really there.")


def _reading(policy, words=None):
    return Reading(BagOfWords(), SentenceVectors(), lambda t: 1.0, policy, words)


def _pick(question: str, hits, opinion: bool = False, shown: str = "", **policy):
    # The fixtures' sentences are short: joining short quotes is tested on its own below.
    chosen = replace(POLICY, sentence_ranker_alone=BY_COSINE, **{"short_sentence": 0, **policy})
    return pick_quotes(Wanted(question, opinion, shown), hits, _reading(chosen))


def _spans(evidence):
    return [e.passage.text[e.span[0] : e.span[1]] for e in evidence]


def test_the_likeliest_sentence_is_first_and_nothing_unlikely_follows():
    hits = [hit(1, ECHO), hit(2, ANSWER), hit(3, FAR)]
    picked = _pick("who played theodore twombly? joaquin phoenix", hits, quote_chance=0.99)
    assert _spans(picked) == ["Theodore Twombly is played by Joaquin Phoenix."]
    assert [e.n for e in picked] == [1]


def test_a_fact_shows_at_most_fact_quotes_one_per_passage():
    hits = [hit(1, ANSWER), hit(2, ECHO), hit(3, OTHER)]
    picked = _pick("joaquin phoenix theodore", hits, quote_chance=0.0, fact_quotes=2)
    assert len(picked) == 2
    assert len({e.passage.id for e in picked}) == 2
    assert [e.n for e in picked] == [1, 2]


def test_an_opinion_hears_each_essay_once():
    hits = [hit(1, ANSWER), hit(2, ECHO), hit(3, OTHER), hit(4, FAR)]
    picked = _pick("joaquin phoenix theodore", hits, opinion=True, quote_chance=0.0, opinion_quotes=3)
    essays = [e.passage.essay_id for e in picked]
    assert len(essays) == len(set(essays)) == 3


def test_going_on_quotes_what_was_not_quoted_yet():
    hits = [hit(1, ECHO), hit(2, ANSWER), hit(3, FAR)]
    first = _pick("who played theodore twombly? joaquin phoenix", hits, quote_chance=0.99)
    shown = f"Here it is: “{_spans(first)[0]}” [1]"
    again = _pick("who played theodore twombly? joaquin phoenix", hits, quote_chance=0.99, shown=shown)
    assert again and _spans(again)[0] != _spans(first)[0]
    assert all(span not in shown for span in _spans(again))


def test_going_on_does_not_quote_again_a_sentence_shown_with_its_quotation_in_single_marks(prompts):
    said = passage("her", 3, "Theodore Twombly is called “the letter writer” by Joaquin Phoenix. The city is a warm haze.")
    hits = [hit(1, said), hit(2, ECHO)]
    first = _pick("who played theodore twombly? joaquin phoenix", hits, quote_chance=0.99)
    assert _spans(first)[0].startswith("Theodore Twombly is called")
    (shown,) = quote_paragraphs(prompts, "who plays theodore?", quoted("who plays theodore?", first))
    again = _pick("who played theodore twombly? joaquin phoenix", hits, quote_chance=0.99, shown=shown)
    assert again and not _spans(again)[0].startswith("Theodore Twombly is called")


# Against "joaquin phoenix writes letters" (by cosine): the first sentence is the likeliest, the second nearly as
# likely (0.94), the third unlikely.
STORY = passage(
    "her", 3, "Joaquin Phoenix writes many letters daily. Letters are what Joaquin writes all day. The city is a warm pastel haze."
)


def test_a_likely_sentence_beside_the_quote_joins_it():
    picked = _pick("joaquin phoenix writes letters", [hit(1, STORY)], quote_chance=0.99, join_chance=0.3)
    assert _spans(picked) == ["Joaquin Phoenix writes many letters daily. Letters are what Joaquin writes all day."]


def test_a_quote_too_short_to_stand_alone_takes_the_next_sentence_whatever_its_chance():
    title = passage("her", 4, "Notice it is not called Samantha. Anything else could be named. The city is warm.")
    picked = _pick("why is it not called samantha", [hit(1, title)], quote_chance=0.99, join_chance=0.99, short_sentence=8)
    assert _spans(picked) == ["Notice it is not called Samantha. Anything else could be named."]
    alone = _pick("why is it not called samantha", [hit(1, title)], quote_chance=0.99, join_chance=0.99, short_sentence=6)
    assert _spans(alone) == ["Notice it is not called Samantha."]


def test_a_neighbour_that_would_make_the_quote_too_long_stays_out():
    picked = _pick("joaquin phoenix writes letters", [hit(1, STORY)], quote_chance=0.99, join_chance=0.3, joined_words=10)
    assert _spans(picked) == ["Joaquin Phoenix writes many letters daily."]


def test_an_unlikely_neighbour_stays_out_of_the_quote():
    picked = _pick("joaquin phoenix writes letters", [hit(1, STORY)], quote_chance=0.99, join_chance=1.0)
    assert _spans(picked) == ["Joaquin Phoenix writes many letters daily."]


def test_the_sentence_after_that_leans_on_the_quote_joins_it_whatever_its_chance():
    story = passage("her", 5, "Joaquin Phoenix writes letters for strangers. This is his whole life now, sadly enough. The end.")
    picked = _pick("joaquin phoenix writes letters", [hit(1, story)], quote_chance=0.99, join_chance=1.0)
    assert _spans(picked) == ["Joaquin Phoenix writes letters for strangers. This is his whole life now, sadly enough."]


def test_a_quote_cut_inside_a_quotation_goes_on_to_where_it_closes():
    # The likeliest sentence is the second of three quoted: it comes with the one where the quotation opens, and
    # the third, which closes it, must come too (it was left out: "…Is anyone thinking about me?" then stopped).
    asking = passage("her", 6, "He writes, “Did anyone answer? Joaquin Phoenix writes letters to strangers every day? "
                               "Does anyone ever read the letters I keep sending them?” The city is a warm pastel haze.")
    # Within 25 words: the sentence after the closing question (see the next test) does not fit.
    picked = _pick("joaquin phoenix writes letters", [hit(1, asking)], quote_chance=0.99, join_chance=1.0, joined_words=25)
    assert _spans(picked) == [asking.text[: asking.text.index(" The city")]]
    cut = _pick("joaquin phoenix writes letters", [hit(1, asking)], quote_chance=0.99, join_chance=1.0, joined_words=14)
    assert _spans(cut) == ["He writes, “Did anyone answer? Joaquin Phoenix writes letters to strangers every day?"]


def test_a_quote_never_stops_on_a_question_when_the_sentence_after_fits():
    # "…Does anyone love me?’" stopped before the answer the question leads to ("…this little flip of the wrist…").
    asked = passage("her", 9, "Why does Joaquin Phoenix write letters? Strangers ask him to, every single day. "
                              "The city is a warm pastel haze.")
    picked = _pick("joaquin phoenix write letters", [hit(1, asked)], quote_chance=0.99, join_chance=1.0)
    assert _spans(picked) == ["Why does Joaquin Phoenix write letters? Strangers ask him to, every single day."]
    short = _pick("joaquin phoenix write letters", [hit(1, asked)], quote_chance=0.99, join_chance=1.0, joined_words=10)
    assert _spans(short) == ["Why does Joaquin Phoenix write letters?"]


def test_in_an_interview_a_question_is_quoted_with_the_answer_that_opens_the_next_turn():
    # "Do you feel addicted to your phone?" was quoted alone: Jonze's answer opens after his label.
    talk = passage("sad", 4, "HOLOFCENER: Does Joaquin Phoenix write letters? PHOENIX: Strangers ask me to, “Will you? "
                             "Today?” I do. HOLOFCENER: The city is a warm pastel haze.")
    picked = _pick("does joaquin phoenix write letters", [hit(1, talk)], quote_chance=0.99, join_chance=1.0)
    # The answer's quotation is closed, and the question it ends on answered in turn.
    assert _spans(picked) == ["Does Joaquin Phoenix write letters? PHOENIX: Strangers ask me to, “Will you? Today?” I do."]


def test_a_question_quoted_with_its_answer_names_who_asks_and_who_answers(prompts):
    # "Holofcener notices: “Do you feel addicted…? JONZE: I definitely…”" gave the interviewer Jonze's answer.
    talk = passage("sad", 4, "HOLOFCENER: Does Joaquin Phoenix write letters? PHOENIX: Strangers ask me to. "
                             "HOLOFCENER: The city is a warm pastel haze.")
    answered = talk.text.index("to.") + 3
    asked = (Evidence(1, talk, span=(talk.text.index("Does"), answered)),)
    (paragraph,) = quote_paragraphs(prompts, "does he write letters?", quoted("does he write letters?", asked))
    intro = paragraph[: paragraph.index("“")]
    assert "Holofcener" in intro and "Phoenix" in intro and "*Sad*" in intro
    assert verify(paragraph, asked).citations[0].verified
    # A quote inside one turn names its one speaker.
    alone = (Evidence(1, talk, span=(talk.text.index("Strangers"), answered)),)
    (paragraph,) = quote_paragraphs(prompts, "does he write letters?", quoted("does he write letters?", alone))
    assert "Phoenix" in paragraph[: paragraph.index("“")] and "Holofcener" not in paragraph[: paragraph.index("“")]


REPORTED = passage("her", 7, "Joaquin Phoenix writes letters for strangers all day long, a friend of mine once told me. "
                              "I disagree with him there. For me the letters are his whole life and the one real joy he has. "
                              "The city is a warm pastel haze.")


def _disputed(prompts, hits, **policy):
    chosen = replace(POLICY, sentence_ranker_alone=BY_COSINE, **{"quote_chance": 0.99, "join_chance": 1.0, **policy})
    return _spans(pick_quotes(Wanted("joaquin phoenix writes letters"), hits, _reading(chosen, prompts.words)))


def test_a_quote_never_stops_on_a_view_its_writer_disputes_next(prompts):
    # The friend's view read as the writer's own ("…they had gone up there to contemplate death." without "I'm
    # sorry but I disagree."): the dispute comes along, and what the writer holds instead when it is brief.
    assert _disputed(prompts, [hit(1, REPORTED)]) == [REPORTED.text[: REPORTED.text.index(" The city")]]
    assert _disputed(prompts, [hit(1, REPORTED)], joined_words=24) == [
        "Joaquin Phoenix writes letters for strangers all day long, a friend of mine once told me. I disagree with him there."
    ]


def test_a_disputed_view_joined_to_the_quote_is_left_out_when_the_dispute_does_not_fit(prompts):
    told = passage("her", 8, "Joaquin Phoenix writes letters. Joaquin Phoenix writes letters nobody reads, a friend told me. "
                             "I disagree with him entirely. For me the letters are the one real joy he has.")
    assert _disputed(prompts, [hit(1, told)], join_chance=0.3, joined_words=16) == ["Joaquin Phoenix writes letters."]


def test_a_sentence_agreeing_after_a_quote_does_not_join_it(prompts):
    agreed = replace(REPORTED, text=REPORTED.text.replace("I disagree with him there.", "I agree with him there."))
    assert _disputed(prompts, [hit(1, agreed)]) == [agreed.text[: agreed.text.index(" I agree")]]


def test_only_a_sentence_right_beside_the_quote_joins_it():
    far = passage("her", 4, "Joaquin Phoenix writes letters often. The city is a warm pastel haze. Joaquin Phoenix writes his letters.")
    picked = _pick("joaquin phoenix writes letters", [hit(1, far)], quote_chance=0.99, join_chance=0.3)
    assert len(picked) == 1
    assert _spans(picked)[0] in {"Joaquin Phoenix writes letters often.", "Joaquin Phoenix writes his letters."}


def test_nothing_to_rank_picks_nothing():
    assert _pick("who plays theodore?", []) == ()


def test_the_picked_span_is_what_the_reply_quotes(prompts):
    evidence = (Evidence(1, ANSWER, span=(0, ANSWER.text.index(".") + 1)),)
    (paragraph,) = quote_paragraphs(prompts, "who plays theodore?", quoted("who plays theodore?", evidence))
    assert quotes(paragraph) == ["Theodore Twombly is played by Joaquin Phoenix."]
    assert paragraph.endswith("[1]")


def test_a_quotation_inside_a_quote_is_shown_in_single_marks_and_still_verifies(prompts):
    said = passage("her", 3, "Notice it’s not called “Samantha.” If anything, the film could be called “Theodore.”")
    evidence = (Evidence(1, said, span=(0, len(said.text))),)
    (paragraph,) = quote_paragraphs(prompts, "why is it called her?", quoted("why is it called her?", evidence))
    # Not "“Notice it’s not called “Samantha.”…": one pair of double marks, around the whole quote.
    assert paragraph.count("“") == 1 and "‘Samantha.’" in paragraph and "‘Theodore.’”" in paragraph
    assert quotes(paragraph) == ["Notice it’s not called ‘Samantha.’ If anything, the film could be called ‘Theodore.’"]
    assert verify(paragraph, evidence).citations[0].verified


def test_a_quote_from_the_note_on_the_writers_is_introduced_as_the_note_not_as_said_by_them(prompts):
    note = Passage(id="her:note", essay_id="her", n=0, title="Her", author="Ann Lee", text="Ann Lee is a critic.",
                   start=0, end=0)
    evidence = (Evidence(1, ANSWER, span=(0, ANSWER.text.index(".") + 1)), Evidence(2, note, span=(0, len(note.text))))
    first, noted = quote_paragraphs(prompts, "who is ann lee?", quoted("who is ann lee?", evidence))
    assert quotes(noted) == ["Ann Lee is a critic."] and noted.endswith("[2]")
    intro = noted[: noted.index("“")]
    assert "note" in intro and "*Her*" in intro and "Ann Lee" not in intro


def test_a_second_quote_from_the_same_essay_is_introduced_without_the_title_again(prompts):
    spans = [(0, ANSWER.text.index(".") + 1), (0, ECHO.text.index(".") + 1), (0, OTHER.text.index(".") + 1)]
    evidence = tuple(Evidence(n, item, span=span) for n, (item, span) in enumerate(zip((ANSWER, ECHO, OTHER), spans), 1))
    first, again, other = quote_paragraphs(prompts, "who plays theodore?", quoted("who plays theodore?", evidence))
    assert "*Her*" in first
    # The same essay right after: no "Over in *Her*" as if it were a new one.
    assert "*Her*" not in again and ("essay" in again or "piece" in again)
    assert "*Sad*" in other
    assert [quotes(p) for p in (first, again, other)] == [
        ["Theodore Twombly is played by Joaquin Phoenix."], ["Joaquin Phoenix plays Theodore with a moustache."],
        ["Joaquin Phoenix gives a great performance as Theodore."],
    ]


def test_a_reply_shows_only_the_quotes_picked(prompts):
    searcher = FakeSearcher([hit(1, ECHO), hit(2, ANSWER), hit(3, FAR)])
    engine = Engine(searcher=searcher, backend=ScriptedBackend("nothing"), prompts=prompts,
                    policy=replace(POLICY, sentence_ranker_alone=BY_COSINE, short_sentence=0, quote_chance=0.99))
    reply = engine.ask("who played theodore twombly?")
    assert quotes(reply.answer) == ["Theodore Twombly is played by Joaquin Phoenix."]
    assert [c.passage.id for c in reply.citations] == [ANSWER.id]


def test_a_quotation_inside_a_quote_keeps_the_quote_whole():
    text = "Boone says “Some critics want “real problems,” but this is a love story.” [1] Then “short” ends."
    assert quotes(text) == ["Some critics want “real problems,” but this is a love story."]
    assert len(reply_sentences(text)) == 2


def test_an_unclosed_quotation_mark_does_not_hide_the_quotes_after_it():
    text = "She said “well and then “the city is a warm haze” and “we are never there at all” [2]"
    assert quotes(text) == ["the city is a warm haze", "we are never there at all"]


def test_straight_quotes_still_count_outside_curly_ones():
    assert quotes('He wrote "a love letter to love" and “a peaceful world, isolating”.') == [
        "a love letter to love", "a peaceful world, isolating",
    ]


CAST = passage("her", 3, "Theodore Twombly (Joaquin Phoenix) has been separated from his wife (Rooney Mara). He writes letters.")
PLAY = passage("sad", 2, "The movie lingers long enough to let Theodore's pain play out on his face, and who plays it better?")


def test_who_plays_a_character_quotes_the_sentence_crediting_the_actor_first(prompts):
    hits = [hit(1, PLAY), hit(2, CAST)]
    chosen = replace(POLICY, sentence_ranker_alone=BY_COSINE, short_sentence=0)
    def wanted(question: str) -> Wanted:
        return Wanted(question, asked=read_credit_question(question, prompts.words))

    picked = pick_quotes(wanted("who plays theodore?"), hits, _reading(chosen, prompts.words))
    assert picked[0].passage.id == CAST.id and "Joaquin Phoenix" in _spans(picked)[0]
    # The credit answers it: no second quote pads the reply, however likely.
    assert len(pick_quotes(wanted("who plays theodore?"), hits, _reading(replace(chosen, quote_chance=0.0), prompts.words))) == 1
    wife = pick_quotes(wanted("who played his ex wife?"), hits, _reading(chosen, prompts.words))
    assert "Rooney Mara" in _spans(wife)[0]
    # Asked after two parts, each credit is quoted, in the order asked, though neither is likely.
    met = passage("her", 4, "Samantha (Scarlett Johansson) sees the world for all of its wonders.")
    both = pick_quotes(wanted("who plays samantha and theodore?"), [*hits, hit(3, met)], _reading(chosen, prompts.words))
    assert [e.passage.id for e in both] == [met.id, CAST.id] and all(e.chance is None for e in both)
    # Without a question about the cast, the credit is not promoted over the likelier sentence.
    plain = pick_quotes(wanted("does the movie let his pain play out?"), hits, _reading(chosen, prompts.words))
    assert plain[0].passage.id == PLAY.id


def test_a_question_about_the_film_as_a_whole_is_not_refused_for_sharing_no_rare_word(prompts):
    from companion.engine.covering import covers, overview

    meta = prompts.words.about_the_essays
    assert overview("what is the movie about?", meta) and not overview("what is amy's job?", meta)
    hits = [hit(1, CAST, dense=0.6, lexical=None)]
    assert covers("what is the movie about?", hits, lambda t: 1.0, POLICY, meta)
    assert not covers("what is amy's job?", hits, lambda t: 1.0, POLICY, meta)


THESIS = passage("lonely", 2, "The city glows at night. Her is about a man rediscovering the simple pleasure of living.")
NOT_A = passage("sad", 3, "Her is not a film about technology. I cried all the way home.")


def test_a_question_about_the_whole_film_quotes_what_each_critic_says_it_is(prompts):
    from companion.engine.route import asks_about_the_whole

    words = prompts.words
    assert all(asks_about_the_whole(q, words) for q in (
        "what is the movie about?", "what are the main themes?", "what are the themes?", "what's the message of her?",
        "what's it about in one sentence", "what is her about in a nutshell"))
    assert not any(asks_about_the_whole(q, words) for q in ("what is amy's job?", "who is she?", "why does she leave?"))
    hits = [hit(1, ANSWER), hit(2, THESIS), hit(3, NOT_A), hit(4, FAR)]
    chosen = replace(POLICY, sentence_ranker_alone=BY_COSINE, short_sentence=0)
    picked = pick_quotes(Wanted("what is the movie about?", opinion=True, whole=True), hits, _reading(chosen, words))
    assert sorted(_spans(picked)) == ["Her is about a man rediscovering the simple pleasure of living.",
                                      "Her is not a film about technology."]
    # Chosen for what they say, not by the ranker's chance: nothing for the composer to hedge on.
    assert all(e.chance is None for e in picked)
    # No critic saying what the film is: the likeliest sentences as for any question.
    fallback = pick_quotes(Wanted("what is the movie about?", opinion=True, whole=True), [hit(1, ANSWER), hit(2, FAR)],
                           _reading(chosen, words))
    assert fallback and all(e.chance is not None for e in fallback)


@pytest.mark.parametrize("question", ["what are the main themes?", "what are the themes"])
def test_the_essays_answer_what_the_film_is_about(engine, question):
    reply = engine.ask(question)
    assert reply.grounded and len({c.passage.essay_id for c in reply.citations}) >= 2
    says = engine.prompts.words.says_what_the_film_is
    assert all(says.search(fold(q)) for q in quotes(reply.answer))
    assert reply.answer.split("\n\n")[0] not in engine.prompts.variants["openers_unsure"]


def test_a_cast_question_is_answered_in_the_first_line_from_the_quote(prompts):
    from companion.engine.compose import Job, quote_reply
    from companion.engine.recall import Remembered

    span = (0, CAST.text.index(".") + 1)

    def job(question: str) -> Job:
        return Job(question=question, query=question, evidence=(Evidence(1, CAST, span=span),),
                   remembered=Remembered(facts=()), window=(), idf=None, max_tokens=100, temperature=0.0,
                   asked=read_credit_question(question, prompts.words))

    first = quote_reply(job("who plays theodore?"), prompts, "I love this question!")[0]
    assert "Joaquin Phoenix" in first and "Theodore Twombly" in first and "[" not in first
    plain = quote_reply(job("what happens to theodore's marriage?"), prompts)[0]
    assert "Joaquin Phoenix" not in plain


def _views(prompts, *texts: tuple[str, str]) -> str | None:
    evidence = tuple(
        Evidence(n, passage(essay, n, text), span=(0, len(text)), chance=0.5) for n, (essay, text) in enumerate(texts, 1)
    )
    return views_line(prompts, "what do the critics think of the ending?", quoted("", evidence))


def test_the_first_line_of_an_opinion_says_where_the_critics_differ_or_agree(prompts):
    warm = "It is a beautiful, hopeful goodbye."
    cool = "It is a sad and lonely goodbye."
    plain = "The goodbye happens on a roof."
    differ = _views(prompts, ("a", warm), ("b", cool))
    assert "A. Critic [1]" in differ and "A. Critic [2]" in differ
    assert differ in {line.format(warmer="A. Critic [1]", cooler="A. Critic [2]") for line in prompts.variants["contrast"]}
    agree = _views(prompts, ("a", warm), ("b", warm), ("c", warm))
    assert agree in {line.format(count="all three", tone="warm") for line in prompts.variants["agree"]}
    # Two are "both", not "all two".
    both = _views(prompts, ("a", warm), ("b", warm))
    assert both in {line.format(count="both", tone="warm") for line in prompts.variants["agree"]}
    assert "all two" not in both
    # A lean is only called agreement when every quote leans: one plain quote makes it a count of views.
    assert _views(prompts, ("a", cool), ("b", plain)) in {line.format(count="two") for line in prompts.variants["views"]}


def test_the_two_writers_of_a_conversation_quoted_apart_are_two_critics(prompts):
    text = "BOONE: It is a beautiful, hopeful goodbye. ANISE: It is a sad and lonely goodbye."
    talk = Passage(id="talk:1", essay_id="talk", n=1, title="Talk", author="Steven Boone and Jennifer Anise", text=text,
                   start=0, end=len(text), speaker="Steven Boone")
    boone, anise = text.index("It is a beautiful"), text.index("It is a sad")
    evidence = (Evidence(1, talk, span=(boone, text.index(" ANISE")), chance=0.5), Evidence(2, talk, span=(anise, len(text)), chance=0.5))
    differ = views_line(prompts, "do boone and anise agree about the goodbye?", quoted("", evidence))
    assert differ is not None and "[1]" in differ and "[2]" in differ
    # One writer quoted twice is one critic: no line for several.
    alone = (Evidence(1, talk, span=(boone, text.index(" ANISE")), chance=0.5),)
    assert views_line(prompts, "what does boone think of the goodbye?", quoted("", alone)) is None


@pytest.mark.parametrize(("question", "opener"), [
    ("did anyone dislike the film?", "openers"), ("is it worth watching?", "openers"),
    ("what do the critics think of amy?", "openers"), ("what does amy do?", "openers_fact"),
])
def test_what_the_critics_made_of_it_is_framed_as_their_views(prompts, question, opener):
    from companion.engine.quotes import opener_for

    assert opener_for(question, prompts.words) == opener


def test_the_critics_a_first_line_names_are_quoted_first_in_the_order_named(prompts):
    from companion.engine.compose import Job, quote_reply
    from companion.engine.recall import Remembered
    from companion.engine.verify import verify

    texts = [("a", "The goodbye happens on a roof."), ("b", "It is a sad and lonely goodbye."),
             ("c", "It is a beautiful, hopeful goodbye.")]
    evidence = tuple(Evidence(n, passage(e, n, t), span=(0, len(t)), chance=0.5) for n, (e, t) in enumerate(texts, 1))
    question = "what do the critics think of the ending?"
    job = Job(question=question, query=question, evidence=evidence, remembered=Remembered(), window=(), idf=None,
              max_tokens=100, temperature=0.0)
    paragraphs = quote_reply(job, prompts)
    first, quoted_ones = paragraphs[0], paragraphs[1:-1]
    # The line names the warmer [3] and the cooler [2]; their quotes follow in the order named, then the rest.
    assert markers(first) in ([3, 2], [2, 3])
    assert [markers(p)[0] for p in quoted_ones] == [*markers(first), 1]
    # Once the reply's markers are numbered as they first appear, its quotes read [1], [2], [3].
    checked = verify("\n\n".join(paragraphs), evidence)
    assert [markers(p)[0] for p in checked.answer.split("\n\n")[1:-1]] == [1, 2, 3]


def test_a_critic_who_signs_no_essay_is_named_by_its_title_where_the_critics_differ(prompts):
    evidence = (
        Evidence(1, passage("a", 1, "It is a beautiful, hopeful goodbye.", title="Warm Essay", author=None), span=(0, 35)),
        Evidence(2, passage("b", 2, "It is a sad and lonely goodbye.", title="Cool Essay", author=None), span=(0, 31)),
    )
    line = views_line(prompts, "what do the critics think of the ending?", quoted("", evidence))
    assert line in {t.format(warmer="the writer of *Warm Essay* [1]", cooler="the writer of *Cool Essay* [2]")
                    for t in prompts.variants["contrast"]}


def test_one_critic_gets_no_line_about_the_critics(prompts):
    assert _views(prompts, ("a", "It is a beautiful, hopeful goodbye."), ("a", "It is a sad and lonely goodbye.")) is None


def test_the_line_about_the_critics_leads_only_a_reply_she_is_sure_of(prompts):
    from companion.engine.compose import Job, quote_reply
    from companion.engine.recall import Remembered

    texts = ("The ending is a goodbye on a roof.", "The last scene is quiet.")

    def job(chance: float) -> Job:
        evidence = tuple(Evidence(n, passage(essay, n, text), span=(0, len(text)), chance=chance)
                         for n, (essay, text) in enumerate(zip("ab", texts), 1))
        return Job(question="what do the critics think of the ending?", query="what do the critics think of the ending?",
                   evidence=evidence, remembered=Remembered(facts=()), window=(), idf=None, max_tokens=100,
                   temperature=0.0)

    views = {line.format(count="two") for line in prompts.variants["views"]}
    assert quote_reply(job(0.9), prompts)[0] in views
    framed = quote_reply(job(0.9), prompts, "I love this question!")
    assert framed[0] == "I love this question!" and framed[1] in views
    assert quote_reply(job(POLICY.unsure_chance / 2), prompts)[0] in prompts.variants["openers_unsure"]


@pytest.mark.parametrize("question", ["what do the critics think of the ending?", "what happens at the end?"])
def test_quotes_from_one_essay_open_without_speaking_of_writers_in_the_plural(prompts, question):
    from companion.engine.compose import Job, quote_reply
    from companion.engine.recall import Remembered

    def job(essays: str) -> Job:
        evidence = tuple(Evidence(n, passage(essay, n, f"The ending is a goodbye on a roof number {n}."),
                                  span=(0, 39), chance=0.9) for n, essay in enumerate(essays, 1))
        return Job(question=question, query=question, evidence=evidence, remembered=Remembered(facts=()), window=(),
                   idf=None, max_tokens=100, temperature=0.0)

    assert quote_reply(job("aa"), prompts)[0] in prompts.variants["openers_one"]
    several = quote_reply(job("ab"), prompts)[0]
    assert several not in prompts.variants["openers_one"]


def test_a_cast_credit_answers_only_the_character_asked_about(prompts):
    words = prompts.words
    text = "Theodore Twombly (Joaquin Phoenix) has been separated from his wife (Rooney Mara) for nearly a year."
    assert read_credit_question("who plays theodore?", words).credited(text) == ("Theodore Twombly", "Joaquin Phoenix")
    assert read_credit_question("who is the actor playing theo's ex wife?", words).credited(text) == ("his wife", "Rooney Mara")
    # Someone else is asked about, though the credited character is named on the way.
    assert read_credit_question("who plays the girl theodore goes on the blind date with", words).credited(text) is None
    assert read_credit_question("which actor turned down the role of theodore?", words).credited(text) is None
    # The question already names the credited actor: it asks something the credit cannot answer.
    assert read_credit_question("who was cast as theodore before joaquin phoenix?", words).credited(text) is None
    assert asked_character("who's in it?", words) is None


def test_film_writings_other_ways_of_crediting_an_actor_answer_too(prompts):
    words = prompts.words
    named = "Take Amy Adams’ conveniently named character Amy, for example."
    # The actor shares the character's name: that name in the question does not rule the actor out.
    assert read_credit_question("who plays amy?", words).credited(named) == ("Amy", "Amy Adams")
    assert read_credit_question("who plays theodore?", words).credited(named) is None
    played = "Samantha, played by Scarlett Johansson, sees the world for all of its wonders."
    assert read_credit_question("who voices samantha?", words).credited(played) == ("Samantha", "Scarlett Johansson")
    assert read_credit_question("who was cast as samantha before scarlett johansson?", words).credited(played) is None
    assert read_credit_question("who plays theodore?", words).credited("Joaquin Phoenix's character, Theodore, writes letters.") == (
        "Theodore", "Joaquin Phoenix")
    assert read_credit_question("who plays amy?", words).credited("The character Amy is tired.") is None


def test_a_who_made_question_is_answered_from_how_the_quote_credits_the_film(prompts):
    words = prompts.words
    run = "starring roles in Paul Thomas Anderson’s The Master and Inherent Vice, he delves deep."
    master = Credit("Paul Thomas Anderson", "Paul Thomas Anderson’s The Master")
    assert read_credit_question("Who directed The Master?", words).made_by(run) == master
    # Only the film named as the maker's counts; the one after it may be anyone's.
    assert read_credit_question("who directed inherent vice?", words).made_by(run) is None
    role = "Had he wanted to, Writer/Director Spike Jonze could have explored the futurist angle."
    assert read_credit_question("who directed Her?", words).made_by(role) == Credit("Spike Jonze", "Writer/Director Spike Jonze")
    # A role credit names this film's director, never another film's.
    assert read_credit_question("who directed The Master?", words).made_by(role) is None
    assert read_credit_question("who directed her? spike jonze?", words).made_by(role) is None
    assert read_credit_question("what did Spike Jonze direct?", words).made_by(role) is None
    # Asked with no film named, it asks about this one.
    assert read_credit_question("who is the director?", words).made_by(role) == Credit("Spike Jonze", "Writer/Director Spike Jonze")
    assert read_credit_question("who's the director of photography?", words).made_by(role) is None
    assert read_credit_question("who made it?", words).made_by("Directed by Spike Jonze, it opened in 2013.") == Credit(
        "Spike Jonze", "Directed by Spike Jonze"
    )


def test_a_who_wrote_question_needs_the_films_writer_by_role(prompts):
    words = prompts.words
    role = "Had he wanted to, Writer/Director Spike Jonze could have explored the futurist angle."
    credit = Credit("Spike Jonze", "Writer/Director Spike Jonze")
    for question in ("who wrote her?", "who wrote the screenplay?", "who wrote the script for her", "who is the screenwriter?"):
        assert read_credit_question(question, words).made_by(role) == credit, question
    assert read_credit_question("who wrote it?", words).made_by("Written and directed by Spike Jonze, it opened in 2013.") == Credit(
        "Spike Jonze", "Written and directed by Spike Jonze")
    # A director is not a writer; a possessive names whose script it resembles, not whose it is.
    assert read_credit_question("who wrote her?", words).made_by("Directed by Spike Jonze, it opened in 2013.") is None
    assert read_credit_question("who wrote the script?", words).made_by("But that could have been Charlie Kaufman’s script.") is None
    assert read_credit_question("who wrote the music?", words).made_by(role) is None


def test_the_first_line_names_the_maker_the_first_quote_credits(prompts):
    from companion.engine.compose import Job, quote_reply
    from companion.engine.recall import Remembered

    text = "Had he wanted to, Writer/Director Spike Jonze could have explored the futurist angle."
    evidence = (Evidence(1, passage("her", 1, text), span=(0, len(text)), chance=0.9),)
    job = Job(question="who directed her?", query="who directed her?", evidence=evidence, remembered=Remembered(),
              window=(), idf=None, max_tokens=100, temperature=0.0,
              asked=read_credit_question("who directed her?", prompts.words))
    first = quote_reply(job, prompts)[0]
    assert first in {line.format(maker="Spike Jonze", credit="Writer/Director Spike Jonze")
                     for line in prompts.variants["answer_maker"]}
    assert "“" not in first, "the quote itself follows; the first line adds no quotation to count or verify"


def test_asked_about_the_ending_each_critic_speaks_of_it_however_its_words_score(prompts):
    liked = passage("sad", 1, "The ending made me cry.")
    gone = passage("techno", 1, "It is heartbreaking when Samantha leaves Theodore.")
    hits = [hit(1, liked), hit(2, gone), hit(3, FAR)]
    chosen = replace(POLICY, sentence_ranker_alone=BY_COSINE, short_sentence=0, quote_chance=0.99)
    ask = lambda question: pick_quotes(Wanted(question, opinion=True), hits, _reading(chosen, prompts.words))  # noqa: E731
    assert _spans(ask("what did the critics think of the ending?")) == [
        "The ending made me cry.", "It is heartbreaking when Samantha leaves Theodore.",
    ]
    # A narrower question about the ending is answered as any other: by how likely each sentence is.
    assert len(ask("did his friend think the ending was about death?")) == 1


def test_what_the_critics_thought_of_the_ending_is_heard_from_every_essay_that_speaks_of_it(engine):
    reply = engine.ask("what did the critics think of the ending?")
    assert reply.grounded and len({c.passage.essay_id for c in reply.citations}) >= 3


def test_asked_whether_the_critics_liked_it_each_essay_gives_its_verdict_on_the_film(engine):
    reply = engine.ask("did the critics like it?")
    essays = [c.passage.essay_id for c in reply.citations]
    assert reply.grounded and len(essays) == len(set(essays)) >= 4
    film = engine.prompts.words.names_the_film
    assert all(film.search(q) for q in quotes(reply.answer))


def test_a_verdict_is_a_statement_naming_the_film_and_leaning_warm_or_cool(prompts):
    liked = passage("sad", 1, "Is this film about us? This film is a beautiful thing. My dog is lovely.")
    other = passage("techno", 1, "The movie runs two hours. It is a film.")
    hits = [hit(1, liked), hit(2, other)]
    picked = pick_quotes(
        Wanted("did the critics like it?", opinion=True, verdict=True), hits,
        _reading(replace(POLICY, sentence_ranker_alone=BY_COSINE, short_sentence=0), prompts.words),
    )
    spans = _spans(picked)
    assert "This film is a beautiful thing." in spans[[e.passage.essay_id for e in picked].index("sad")]
    assert len(picked) == 2


def test_a_quote_that_must_say_something_is_the_likeliest_that_does():
    counted = passage("sad", 2, "Samantha talks with many people at once. Samantha says the count is 8316 others.")
    hits = [hit(1, counted), hit(2, FAR)]
    chosen = replace(POLICY, sentence_ranker_alone=BY_COSINE, short_sentence=0, quote_chance=0.0, join_chance=1.01,
                     join_share=0.0)

    def pick(floor: float, **policy):
        wanted = Wanted("how many people does samantha talk with at once", must=lambda text: "8316" in text)
        return _spans(pick_quotes(wanted, hits, _reading(replace(chosen, kind_chance=floor, **policy))))

    assert _spans(pick_quotes(Wanted("how many people does samantha talk with at once"), hits, _reading(chosen)))[0] == (
        "Samantha talks with many people at once.")
    assert pick(0.0) == ["Samantha says the count is 8316 others."]
    # Unlikely enough, the sentence saying it is no answer: she says the essays don't say.
    assert pick(0.99) == []
    # A likely neighbour joins the quote though it gives no number: joining reads every sentence.
    assert pick(0.0, join_chance=0.3) == ["Samantha talks with many people at once. Samantha says the count is 8316 others."]


def test_the_ending_asked_of_one_critic_is_answered_from_their_essay(prompts):
    words = prompts.words
    theirs = passage("sad", 1, "It is heartbreaking when Samantha leaves Theodore on the rooftop.")
    other = passage("her", 2, "The ending is a quiet goodbye at dusk.")
    hits = [hit(1, other), hit(2, theirs)]
    chosen = replace(POLICY, sentence_ranker_alone=BY_COSINE, short_sentence=0)
    asked = "what did anise think of the ending?"
    named = pick_quotes(Wanted(asked, opinion=True, named=("sad",), naming=frozenset({"anise"})), hits,
                        _reading(chosen, words))
    assert [e.passage.id for e in named] == [theirs.id]
    # Asked of every critic, each speaks to it.
    every = pick_quotes(Wanted("what did the critics think of the ending?", opinion=True), hits, _reading(chosen, words))
    assert {e.passage.id for e in every} == {theirs.id, other.id}


def test_a_question_naming_an_essay_is_answered_from_its_sentences_alone():
    hits = [hit(1, ANSWER), hit(2, OTHER)]
    chosen = replace(POLICY, sentence_ranker_alone=BY_COSINE, short_sentence=0, quote_chance=0.0)
    asked = "who played theodore twombly? joaquin phoenix"
    assert _spans(pick_quotes(Wanted(asked), hits, _reading(chosen)))[0] == "Theodore Twombly is played by Joaquin Phoenix."
    named = pick_quotes(Wanted(asked, named=("sad",), naming=frozenset({"sad"})), hits, _reading(chosen))
    assert {e.passage.id for e in named} == {OTHER.id}


def test_a_view_asked_of_one_essay_may_quote_it_twice_from_two_passages():
    # "the medium essay sentence about him trying to hold his girlfriend together - word for word" quoted only the
    # essay's likelier last line: one quote a critic held a question naming that one critic to a single quote.
    first = passage("sad", 1, "Joaquin Phoenix writes letters for strangers.")
    second = passage("sad", 2, "Joaquin Phoenix writes letters at night.")
    hits = [hit(1, first), hit(2, second)]
    chosen = replace(POLICY, sentence_ranker_alone=BY_COSINE, short_sentence=0, quote_chance=0.0, join_chance=1.0)
    asked = "what does the sad blog think of joaquin phoenix writing letters"
    named = pick_quotes(Wanted(asked, opinion=True, named=("sad",), naming=frozenset({"sad"})), hits, _reading(chosen))
    assert [e.passage.id for e in named] == [first.id, second.id]
    # Asked of every critic, that essay still speaks once.
    every = pick_quotes(Wanted(asked, opinion=True), hits, _reading(chosen))
    assert [e.passage.id for e in every] == [first.id]


def test_a_question_naming_several_essays_hears_each_of_them_the_less_likely_too():
    # "What do Boone and the techno-lonely writer say about technology?" quoted the techno-lonely essay alone, as if
    # Boone said nothing of it; "how do boone and the medium guy see theodore?" quoted Boone twice.
    near = passage("her", 1, "Joaquin Phoenix writes letters. Joaquin Phoenix writes letters for strangers.")
    far = passage("sad", 1, "The city is a warm pastel haze of loneliness.")
    hits = [hit(1, near), hit(2, far)]
    chosen = replace(POLICY, sentence_ranker_alone=BY_COSINE, short_sentence=0, quote_chance=0.5, join_chance=1.0)
    asked = "joaquin phoenix writes letters"
    both = pick_quotes(Wanted(asked, named=("her", "sad")), hits, _reading(chosen))
    assert [e.passage.id for e in both] == [near.id, far.id]
    # Naming neither, the less likely essay stays out.
    one = pick_quotes(Wanted(asked), hits, _reading(chosen))
    assert [e.passage.id for e in one] == [near.id]


def test_a_writer_of_a_conversation_is_heard_in_their_own_turns_wherever_the_passage_starts():
    # The passage opens in Boone's turn; Anise's turn follows inside it.
    turns = Passage(id="talk:1", essay_id="talk", n=1, title="Talk", author="Steven Boone and Jennifer Anise",
                    text="BOONE: Joaquin Phoenix plays Theodore as a tender man. ANISE: I found the performance quiet and sad.",
                    start=0, end=100, speaker="Steven Boone")
    chosen = replace(POLICY, sentence_ranker_alone=BY_COSINE, short_sentence=0, quote_chance=0.0)
    asked = "what does anise think of joaquin phoenix as theodore"
    picked = pick_quotes(Wanted(asked, opinion=True, named=("talk",), naming=frozenset({"anise"})), [hit(1, turns)],
                         _reading(chosen))
    assert _spans(picked) == ["I found the performance quiet and sad."]


def test_a_question_naming_both_writers_of_a_conversation_hears_each_in_their_own_turn():
    # "do boone and anise agree that the characters are all empaths" quoted Anise alone, as if Boone had no view.
    turns = Passage(id="talk:1", essay_id="talk", n=1, title="Talk", author="Steven Boone and Jennifer Anise",
                    text="BOONE: Joaquin Phoenix plays Theodore as a tender man. ANISE: I found the performance quiet.",
                    start=0, end=100, speaker="Steven Boone")
    chosen = replace(POLICY, sentence_ranker_alone=BY_COSINE, short_sentence=0, quote_chance=0.99, join_chance=1.0)
    asked = "do boone and anise agree joaquin phoenix plays theodore as a tender man"
    both = pick_quotes(Wanted(asked, named=("talk",), naming=frozenset({"boone", "anise"})), [hit(1, turns)],
                       _reading(chosen))
    assert _spans(both) == ["Joaquin Phoenix plays Theodore as a tender man.", "I found the performance quiet."]
    # Naming one of them, only that writer is heard.
    one = pick_quotes(Wanted(asked, named=("talk",), naming=frozenset({"boone"})), [hit(1, turns)], _reading(chosen))
    assert _spans(one) == ["Joaquin Phoenix plays Theodore as a tender man."]


def test_of_the_note_on_a_conversations_writers_a_writer_asked_after_is_heard_in_the_sentences_naming_them():
    turns = Passage(id="talk:1", essay_id="talk", n=1, title="Talk", author="Steven Boone and Jennifer Anise",
                    text="BOONE: My job here is to ask about the film. ANISE: I work as a camera assistant.",
                    start=0, end=80, speaker="Steven Boone")
    note = Passage(id="talk:note", essay_id="talk", n=0, title="Talk", author="Steven Boone and Jennifer Anise",
                   text="Jennifer Anise works as a camera assistant. Steven Boone is a film critic.", start=0, end=0)
    chosen = replace(POLICY, sentence_ranker_alone=BY_COSINE, short_sentence=0, quote_chance=0.0)
    asked = "what does boone do, does he work as a camera assistant"
    picked = pick_quotes(Wanted(asked, named=("talk",), naming=frozenset({"boone"})), [hit(1, turns), hit(2, note)],
                         _reading(chosen))
    # Anise's turn and the note's sentence about her meet the question best, but Boone was asked after.
    assert set(_spans(picked)) <= {"My job here is to ask about the film.", "Steven Boone is a film critic."}
    assert "Steven Boone is a film critic." in _spans(picked)


def test_a_neighbour_nearly_as_likely_as_an_unlikely_quote_joins_it():
    text = "To me it was about growth. And two people grow apart. To where one cannot go."
    first, second, third = "To me it was about growth.", "And two people grow apart.", "To where one cannot go."
    spans = [(text.index(s), text.index(s) + len(s)) for s in (first, second, third)]

    def joined(chances: tuple[float, float, float], **policy) -> str:
        ranked = sorted(
            (Candidate("p:1", text[a:b], a, b, a, chance, 0.0, 0.0, 1) for (a, b), chance in zip(spans, chances)),
            key=lambda c: -c.score,
        )
        start, end = joined_span(ranked[0], ranked, text, replace(POLICY, short_sentence=0, **policy))
        return text[start:end]

    # Unsure of the quote (0.15), a neighbour nearly as likely (0.14) comes along; one far less likely does not.
    assert joined((0.02, 0.14, 0.15)) == "And two people grow apart. To where one cannot go."
    assert joined((0.02, 0.04, 0.15)) == third
    # Sure of it, only a neighbour reaching Policy.join_chance joins, as before.
    assert joined((0.02, 0.25, 0.9)) == third
    assert joined((0.02, 0.14, 0.15), join_share=0.0) == third


def test_an_answer_running_on_over_likely_neighbours_is_quoted_whole():
    text = "I saw it in theatres. I came home. I cried all night."
    sentences = ("I saw it in theatres.", "I came home.", "I cried all night.")
    ranked = [
        Candidate("p:1", s, text.index(s), text.index(s) + len(s), text.index(s), chance, 0.0, 0.0, 1)
        for s, chance in zip(sentences, (0.2, 0.15, 0.12))
    ]
    start, end = joined_span(ranked[0], ranked, text, replace(POLICY, short_sentence=0))
    assert text[start:end] == text
    # A neighbour further on that is far less likely stays out.
    ranked[2] = replace(ranked[2], score=0.01)
    start, end = joined_span(ranked[0], ranked, text, replace(POLICY, short_sentence=0))
    assert text[start:end] == "I saw it in theatres. I came home."
