"""Route: tell a film question from small talk, from a follow-up, and from questions about her or the person."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from companion.engine.credits import asked_work
from companion.engine.grammar import ASKING, AUXILIARY, LEAD_IN
from companion.engine.pronouns import pronouns_written_out, resolve
from companion.engine.turning import DETERMINER, PRONOUN, TURNS_TO, asked_of, to_the_others
from companion.engine.router import FIRST_PERSON, Router, key
from companion.memory_facts import extract_facts
from companion.policy import POLICY, Policy
from companion.text import WORD, content_terms, fold, stem, stemmed_words, weighty_terms
from companion.types import Exchange
from companion.words import Words

Route = Literal[
    "film", "follow_up", "greeting", "thanks", "farewell", "feeling", "acknowledge", "about_her", "about_person",
    "essays",
]

FOLLOW_UP_START = re.compile(r"^(and|but|so|also|then|what about|how about|and what|why|why not|really|same for)\b")
# "Does anise agree?", "do the others agree with him?": a follow-up asking the question before of whom it names, as
# "and anise?" does. English, so here.
AGREES = re.compile(r"^(?:does|do|did|would|will)\s+(.+?)\s+(?:agree|disagree)(?:\s+with\s+(?:him|her|them|that|this))?\W*$")
# Asking the last answer to go on ("keep going", "explain more", "how so?") names nothing of its own.
CONTINUE = re.compile(r"^(keep going|keep on|continue|carry on|explain|more|how so|what else)\b|\b(say|explain) more\b")


# Asking her to recall what the person said or thinks ("what did I think of Amy, I told you", "have I said if I
# liked the ending") is about them, whatever film words it holds. English, not this film, so not in prompts/.
RECALLS_THEM = re.compile(
    r"\b(did|have|had) i (ever |already )?(say|said|tell|told|mention|mentioned|think|thought|like|liked|love|loved|"
    r"hate|hated|feel|felt)\b|\bi (told|said|mentioned) (you|it|that|before|earlier)\b|"
    r"\bremember (what|if|whether|where|who|how|when) i\b"
)

# A message telling about the person ("i liked it", "i loved the film") rather than asking what she remembers of
# them: it opens with them and asks nothing. It reads like "what did I say I liked?" all the same. English, so here.
TELLS_OF_THEMSELVES = re.compile(r"^\W*(?:i|i'm|im|i've|ive|i'd|my|we|we're)\b(?!.*\?)")

# A message telling what the person made of the film rather than asking ("i didn't like the ending though", "the
# ending made me cry"): a word of theirs (the router's FIRST_PERSON), no question mark, no clause opening as a question does, and no request
# ("tell me about…", "i wonder what…", "i'd love to hear…"). English, so here.
_OPENS_A_QUESTION = re.compile(rf"^\W*(?:{LEAD_IN}\W+)*(?:{ASKING}|{AUXILIARY}|any|anyone|anybody)\b")
_REQUESTS = re.compile(
    r"\b(?:tell|show|give|explain|describe|list|quote|find|name|remind|help)\b|\bi(?:'m| am|m)? (?:wonder|wondering|"
    r"curious)\b|\bi was wondering\b|\b(?:want|like|need|love) to (?:know|hear|learn|understand)\b"
)
_CLAUSE = re.compile(r"[^,.;:!]+")
# A question inside a message with no stop before it ("omg i just finished it why did samantha go").
_ASKS_WITHIN = re.compile(rf"\b(?:why|how come|{ASKING}(?:'s|s)?\s+(?:{AUXILIARY}|happens|happened)\b)")

# Routes answered from the essays; every other one is answered in her voice from prompts/.
FILM_ROUTES = frozenset({"film", "follow_up"})
# Replies a follow-up may lean on: a film answer, or the library's account of the essays and their writers.
LEANED_ON = frozenset({*FILM_ROUTES, "essays"})


@dataclass(frozen=True)
class Routed:
    """How to answer a message, and what to search the essays with."""

    route: Route
    query: str
    # The answer a message asking for more ("keep going") goes on from: what it quoted is not quoted again.
    shown: str = ""


def is_opinion(question: str, words: Words) -> bool:
    """Tell whether a question asks what the writers think rather than for a fact."""
    return bool(words.opinion.search(words.not_an_opinion.sub(" ", question)))


def asks_about_the_whole(question: str, words: Words) -> bool:
    """Tell whether a question asks about the film as a whole ("what is it about?", "what are the main themes?")."""
    terms = weighty_terms(question)
    if terms - words.about_the_essays - words.film_as_a_whole:
        return False
    # It must say what it asks after: "what are the main themes?", "what is it about?"; not "who is she?", nor
    # "did the medium writer like it?", whose words only name an essay.
    return bool(terms & words.film_as_a_whole) or "about" in WORD.findall(fold(question))


def asks_for_a_verdict(question: str, words: Words, naming: frozenset[str] = frozenset()) -> bool:
    """Tell whether a question asks what the critics made of the film as a whole ("did the critics like it?").

    Words naming an essay or its writer (naming: "anise", "techno-lonely") ask it of them alone.
    """
    folded = fold(question)
    # "Who did the score?" asks who made it, "is it rated r?" its age rating, however like a verdict their words read.
    if asks_about_the_whole(question, words) or words.asks_for_crew.search(folded) or words.content_ratings.search(folded):
        return False
    topics = named_topics(folded, words)
    terms = weighty_terms(words.opinion.sub(" ", folded.replace("-", " "))) | topics
    verdict = words.asks_for_a_verdict - topics
    if not (is_opinion(folded, words) or terms & verdict):
        return False
    chatter = words.chatter - words.reactions
    asking = words.about_the_essays | words.people_in_general | chatter | words.film_as_a_whole | verdict
    # Beside a writer's name or essay, "the sad in the best way person", "the medium guy" is that writer.
    writer = words.vague_things if naming else frozenset()
    return not terms - asking - naming - writer


def named_topics(folded: str, words: Words) -> set[str]:
    """Return the words of weight a question names as what it asks about: each first after "about", "of", "on"."""
    said = WORD.findall(folded.replace("-", " "))
    topics = set()
    for at, word in enumerate(said):
        if stem(word) not in words.before_a_topic:
            continue
        after = next((w for w in said[at + 1 :] if w not in DETERMINER), "")
        topics |= weighty_terms(after)
    return topics


def asks_about_the_ending(question: str, words: Words, naming: frozenset[str] = frozenset()) -> bool:
    """Tell whether a question asks what the critics made of the ending, and nothing narrower about it.

    "What did the critics think of the ending?" is; "did his friend think the ending was about death?" asks
    about one view of it, and "what do the OSes end up finding?" about something else. Words naming an essay
    or its writer (naming: "anise") ask it of them alone.
    """
    folded = fold(question)
    if not words.asks_for_ending.search(folded):
        return False
    rest = words.opinion.sub(" ", words.asks_for_ending.sub(" ", folded)).replace("-", " ")
    return not weighty_terms(rest) - words.about_the_essays - words.people_in_general - words.chatter - naming


def tells_a_view(text: str) -> bool:
    """Tell whether a message tells what the person made of the film or felt, asking nothing ("i loved the ending")."""
    folded = fold(text).replace("’", "'")
    theirs = FIRST_PERSON & set(key(text).split())
    if "?" in text or not theirs or _REQUESTS.search(folded) or _ASKS_WITHIN.search(folded):
        return False
    return not any(_OPENS_A_QUESTION.match(clause) for clause in _CLAUSE.findall(folded))


def is_follow_up(text: str, words: Words, policy: Policy = POLICY) -> bool:
    """Tell whether a film question leans on the conversation before it ("and what about Amy?")."""
    folded = fold(text).replace("’", "'")
    few_words = len(_film_words(folded, words)) <= policy.follow_up_film_words
    leans = FOLLOW_UP_START.match(folded) or PRONOUN.search(folded) or CONTINUE.search(folded)
    return few_words and bool(leans)


def _film_words(text: str, words: Words) -> list[str]:
    return [t for t in content_terms(text) if t not in words.chatter]


def route(text: str, router: Router, words: Words, has_history: bool = False, policy: Policy = POLICY) -> Route:
    """Decide how to answer a message: from the essays, or as a companion making conversation."""
    # Asking for more or why is a follow-up only when something was answered before it.
    return _settle(router.route(text, follow_up=has_history), text, words, has_history, policy)


def _settle(kind: str, text: str, words: Words, has_history: bool, policy: Policy) -> Route:
    """Turn the router's reading of a message into its route, given whether anything came before it."""
    if kind == "follow_up":
        return "follow_up"
    folded = fold(text).replace("’", "'")
    if RECALLS_THEM.search(folded):
        return "about_person"
    if kind == "about_person" and "?" not in text and any(k == "name" for k, _ in extract_facts(text)):
        # "Hey there! my name's jordan" tells their name, which reads like "what's my name": she greets them by it.
        return "greeting"
    if kind == "about_person" and TELLS_OF_THEMSELVES.search(folded):
        # Told, not asked: how they feel about it, answered as a feeling is.
        return "feeling"
    # A short question leaning on the last answer ("why?") may read as a reaction alone; after a turn it
    # goes back to the essays unless it is about her or the person.
    asks = kind == "film" or ("?" in text or CONTINUE.search(fold(text))) and kind not in ("about_her", "about_person")
    if asks and has_history and is_follow_up(text, words, policy):
        return "follow_up"
    return kind  # type: ignore[return-value]


def route_turn(
    question: str, history: Sequence[Exchange], router: Router, words: Words, policy: Policy = POLICY,
    writers: Callable[[], frozenset[str]] = frozenset, names_an_essay: Callable[[str], bool] = lambda _: False,
) -> Routed:
    """Route a checked question; a follow-up is searched together with the question before it.

    writers gives the words naming the essays, stemmed ("boone", "lone"), read only when a follow-up names one;
    names_an_essay tells whether a message names an essay or its writer.
    """
    agrees = AGREES.match(fold(question).replace("’", "'"))
    if agrees is not None and history and history[-1].route in FILM_ROUTES:
        question = f"and {agrees.group(1)}?"
    kind = router.route(question, follow_up=bool(history))
    if kind not in FILM_ROUTES and names_an_essay(question):
        # Small talk names no essay (none of the 730 routing messages not about the film does): "samantha: magical
        # wide-eyed wonder or just another learner like the rest of us? her 2013 vs anise" asks two essays, though
        # her name opening it read as calling her.
        kind = "film"
    work = asked_work(question, words)
    if history and kind in FILM_ROUTES and work is not None and work.itself:
        # "Who directed it?" is whole alone, whatever the question before asked ("what did the medium writer think of
        # the ending?"): searched beside it, it was answered from that essay, which names no director.
        return Routed("film", question)
    if kind in FILM_ROUTES and history and history[-1].route in LEANED_ON:
        # "What's her job?" after "tell me about amy" asks "what's amy's job?", however its words route, and "what
        # does she do for a living?" after "who is jennifer anise?" asks it of Anise. A pronoun
        # stands for someone in the message just before, as it was searched, or its answer ("who made it?" then "what
        # else has he made?"), whatever question that one went on from.
        last = history[-1]
        # "And his wife?" after "who plays theodore?" turns the question to Theodore's wife: a pronoun in a message
        # turning the question before stands for whom that question named, not for the actor its answer gave.
        answered = "" if TURNS_TO.match(fold(question)) else last.answer
        resolved = resolve(question, last.query or last.question, words, answered)
        if resolved is not None and not TURNS_TO.match(fold(resolved)):
            return Routed("follow_up", resolved)
        # "And his wife?" after "who plays theodore?" turns the question before to "theodore's wife".
        question = resolved or question
    # "Keep going", "how so?": the film question it goes on from, for what has not been quoted yet. One asking
    # something of its own in words no such request uses ("where do they go?" after "what's the deal with the OS
    # leaving?") is searched beside the question it leans on, below.
    if kind == "follow_up" and not _turns_to_its_own(question, words) and not _asks_its_own(question, router, words):
        question_before, shown = _going_on_from(history)
        return Routed("follow_up", question_before, shown)
    kind = _settle(kind, question, words, bool(history), policy)
    if kind != "follow_up":
        return Routed(route=kind, query=question)
    # "And what about Amy?" means little alone: it asks the question before it of Amy, or is searched with it.
    leaned = _leaned_on(history, router, question, words)
    asked = asked_of(leaned, question, words, writers)
    if asked is None:
        return Routed(route=kind, query=f"{leaned} {question}")
    # Asked of the other critics, the critic just heard is not quoted again.
    return Routed(route=kind, query=asked, shown=history[-1].answer if to_the_others(question, words) else "")


def _asks_its_own(question: str, router: Router, words: Words) -> bool:
    """Tell whether a follow-up asks something in words no request to go on uses ("where do they go?", not "why?")."""
    return bool(weighty_terms(question) - words.chatter - router.words_of("follow_up"))


def _turns_to_its_own(question: str, words: Words) -> bool:
    """Tell whether a follow-up asks the question before it of something it names ("and his wife?")."""
    folded = fold(question).replace("’", "'")
    turns = bool(TURNS_TO.match(folded))
    # An essay it names is its own too: "and the medium one?" asks the question before of that essay's writer.
    own = weighty_terms(folded) - words.about_the_essays - words.chatter or set(stemmed_words(folded)) & words.names_an_essay
    return turns and bool(own) or to_the_others(question, words)


def _leaned_on(history: Sequence[Exchange], router: Router, question: str, words: Words) -> str:
    """Return what a follow-up leans on: the last message that named something, passing over "keep going".

    After another follow-up, one naming something of its own ("who is amy?", "and samantha?", "what about
    theodore?") asks the question that began them of its own name; one naming nothing ("why?") goes on from
    the follow-up before it, with what that leaned on.
    """
    for at in range(len(history) - 1, -1, -1):
        exchange = history[at]
        if exchange.route == "follow_up" and exchange.query and pronouns_written_out(exchange.question, exchange.query, words):
            # "Is she good in it?", searched as "is scarlett johansson good in it?", asked something of its own.
            return exchange.query
        if exchange.route == "follow_up" and router.route(exchange.question) == "follow_up":
            continue
        if exchange.route != "follow_up" or not exchange.query:
            return exchange.question
        if not _film_words(fold(question), words):
            return exchange.query
        began = next((e for e in reversed(history[:at]) if e.route != "follow_up"), None)
        return began.question if began is not None and began.route == "film" else exchange.query
    return history[-1].question


def _going_on_from(history: Sequence[Exchange]) -> tuple[str, str]:
    """Return the question last asked of the essays and every answer since the film question it began with.

    After "what did Boone think?" and "and Anise?", "keep going" goes on with Anise; after small talk there is
    nothing to go on from, so its message is returned with nothing shown.
    """
    shown: list[str] = []
    asked = None
    for exchange in reversed(history):
        if exchange.route not in FILM_ROUTES:
            break
        shown.append(exchange.answer)
        if asked is None and (exchange.query or exchange.route == "film"):
            asked = exchange.query or exchange.question
        if exchange.route == "film":
            break
    return (asked, "\n".join(reversed(shown))) if asked is not None else (history[-1].question, "")
