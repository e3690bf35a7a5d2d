"""Names: whether a quote gives the name a question asks for, beside the thing or part it asks about.

"What's the name of theodore's dog?" asks a name said beside a dog, "who plays his ex-wife?" an actor beside the
part; a question naming no thing is answered by any name it lacks.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from companion.engine.credits import among_credited, asked_character, calls, credits
from companion.policy import POLICY
from companion.text import SENTENCE_END, content_terms, fold, short_form
from companion.words import Words

# A person's full name: two or more capitalised words in a row ("Rooney Mara", "Nicole Holofcener"), only the last
# of them possessive ("Amy Adams’"): "It’s Theodore" opening a sentence names no one new. After "the" they name a
# thing: "who did the costumes?" is not answered by "I thought the Production Design was amazing."
FULL_NAME = re.compile(r"(?<![Tt]he )\b[A-Z][a-z][\w-]*(?:\s+[A-Z][a-z][\w-]*)*\s+[A-Z][a-z][\w’'-]*")
# Capitalised words in a row ("Theodore Twombly", "OS1"), or a word of letters and digits ("os1"). One capitalised word
# names something only inside a sentence: one opening a sentence or a quotation names nothing by itself.
CAPITALISED = re.compile(r"\b[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*|\b[a-z]+\d+[a-z\d]*\b")
# The writer's "I" ("I’m", "I’d") is capitalised wherever it stands and names no one.
FIRST_PERSON = re.compile(r"I(?:['’](?:m|d|ll|ve))?")
# A contraction opening a sentence before a name ("It’s Samantha needing…", "That's Amy"): no part of it.
CONTRACTED_OPENER = re.compile(r"(?:It|That|There|Here|He|She|What|This)['’]s\s+")
# What comes before a name inside a sentence: a word in lower case, then a space (after a comma, perhaps).
INSIDE = re.compile(r"\b[a-z][\w’'-]*[,;:]?\s+$")
# What a name question opens with: "what's the song called?", "which name…".
ASKS_WHAT = re.compile(r"\b(?:what|which)(?:['’]?s)?\b")
# What a name question asks the name of: "the name of theodore's dog", "the little girl's name", "what's the song
# called". The first says it after "name of", the second before the name as its owner, the third before "called".
NAME_OF = re.compile(r"\bnames?\s+of\s+(.+)")
# "amy's husband's name", and as chat writes it without the mark, right before "name": "the girlfriends name" (four
# letters or more before the "s", so that "his name" and "this name" own nothing).
OWNERS_NAME = re.compile(r"([\w-]+)['’]s?\s+(?:\w+\s+)?names?\b|\b([\w-]{4,}?[^\Ws])s\s+names?\b")
# A phrase's words, a possessive's mark kept ("theodore's", "adams'"); owners are looked for among its first words.
SAID = re.compile(r"[\w-]+(?:['’]s?)?")
OWNER_REACH = 4
# A name owning what follows it ("Theodore's ex-wife", "Amy’s husband"), the thing at most OWNED_REACH words after it.
POSSESSIVE = re.compile(r"['’]s?$")
OWNED_REACH = 2
# The fewest letters a name said short has ("Theo" for Theodore): "Sam" would be the start of "same" too.
SHORT_NAME = 4
# Words before an owner that make it a role ("the ex-wife's character"), not a name ("amy adams' character").
DETERMINERS = frozenset({"the", "his", "her", "their"})
# A comma and a word opening another clause, or a semicolon: a name on the far side of one names something else
# ("…for Theodore, and friendship with her ex-husband's…", "…their girlfriends (co-worker digs his girl's feet;
# Theodore's answer…"). Without the comma "and" may join a list ("Alan Watts and Carl Sagan, philosopher and
# scientist").
CLAUSE_JOIN = re.compile(r",\s*(?:and|or|but|while)\b|;", re.IGNORECASE)
# A question asking yes or no whether something has a name ("does she have a name?", "do we ever learn his name"),
# and the one it asks after, said first after "the", "that" or "this" ("who's the lady in the phone sex bit, does
# she have a name").
HAS_A_NAME = re.compile(
    r"\b(?:have|has|had|get|gets|got|give|gives|gave|given|say|says|said|learn|know|mention|mentions|mentioned|tell|"
    r"tells|told)\s+(?:us\s+)?(?:a|an|her|his|their|its|the|them)\s+(?:real\s+|actual\s+|first\s+|full\s+|last\s+)?names?\b"
    # A surname is asked however the message is put ("amys last name?").
    r"|\b(?:last|middle|sur)\s?names?\b"
)
# A surname or a whole name asked for ("whats theodores last name"): the answer says the name asked by, and more.
SURNAME = re.compile(r"\b(?:(?:last|middle|full|sur)\s?names?)\b")
# A possessive followed by a title: the name before it owns a work ("Anderson’s The Master").
MAKERS_WORK = re.compile(r"['’]s\s+[A-Z]")
THE_ONE = re.compile(r"\b(?:the|that|this)\s+([\w-]+)")
CALLED_SO = re.compile(r"\b(?:what|which)(?:['’]?s|\s+is|\s+was|\s+are|\s+were)?\s+(.+?)\s+(?:called|named|titled)\b")


def names_anyone(sentence: str) -> bool:
    """Tell whether a sentence names anyone or anything: capitalised words inside it, or several in a row."""
    return bool(names_in(sentence))


def names_in(text: str) -> list[re.Match[str]]:
    """Return the names a text gives: capitalised words in a row, or one capitalised word inside a sentence.

    A sentence opening "It’s Samantha needing…" names Samantha, not "It’s Samantha".
    """
    found = []
    for m in (piece for whole in CAPITALISED.finditer(text) for piece in _owner_and_owned(text, whole)):
        if (last := m.group(0).split()[-1]) != m.group(0) and FIRST_PERSON.fullmatch(last):  # "When I go…" names no one.
            m = CAPITALISED.match(text, m.start(), m.end() - len(last)) or m
        opener = CONTRACTED_OPENER.match(m.group(0))
        if opener and m.end() > m.start() + opener.end():
            m = CAPITALISED.match(text, m.start() + opener.end()) or m
        elif " " not in m.group(0) and not INSIDE.search(text[: m.start()]):
            continue
        if not FIRST_PERSON.fullmatch(m.group(0)):
            found.append(m)
    return found


def _owner_and_owned(text: str, m: re.Match[str]) -> list[re.Match[str]]:
    """Split capitalised words at a possessive before another name: the owner and the thing owned are two names.

    "Nicholas Winding Refn’s ONLY GOD FORGIVES" names a maker and a film: asked which city the film is set in, the
    film's title is no new name, and the maker is one the question never asked for.
    """
    pieces, start = [], m.start()
    for owner in MAKERS_WORK.finditer(text, m.start(), m.end()):
        piece = CAPITALISED.match(text, start, owner.start() + 2)
        if piece is not None:
            pieces.append(piece)
        start = owner.end() - 1
    last = CAPITALISED.match(text, start, m.end())
    return pieces + [last] if last is not None and pieces else [m]


def names_someone_new(text: str, question: str, words: Words, reach: int = POLICY.name_reach) -> bool:
    """Tell whether a text gives a full name the question does not already hold, beside the part it asks about.

    The character a cast question asks about may share the actor's name (Amy Adams plays Amy). "Who voices the alien
    kid in theodore's video game?" is not answered by "Amy Adams' frump is in quiet despair at having to work on a
    video game": the name must stand within reach words of the part, as a credit does ("his wife (Rooney Mara)").
    """
    part = asked_character(question, words)
    asked = set(content_terms(question)) - {part}
    thing = tuple(content_terms(part)) if part and part not in words.the_whole_cast else ()
    if not thing or set(thing) <= words.vague_things:
        return bool(_new_names(text, asked, words))
    return any(
        near(*name.span())
        for sentence in SENTENCE_END.split(text)
        if (said := _as_the_part(sentence, mentions(sentence, thing, by_start=True))) and (near := within(sentence, said, reach))
        for name in FULL_NAME.finditer(sentence) if not _asked_already(name.group(0), asked, words)
    )


def _as_the_part(sentence: str, said: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the spans saying a part that are no piece of a maker's name owning a work ("Paul Thomas Anderson's The Master").

    "…starring roles in Paul Thomas Anderson's The Master" says no Paul of the film, and "The Master" is no actor
    playing him; "Amy Adams' frump" and "Theodore Twombly is played by…" still say the part.
    """
    makers = [m.span() for m in FULL_NAME.finditer(sentence) if MAKERS_WORK.match(sentence, m.end() - 2)]
    return [(a, b) for a, b in said if not any(start <= a and b <= end for start, end in makers)]


def names_someone_uncredited(text: str, question: str, words: Words, known: frozenset[str] = frozenset()) -> bool:
    """Tell whether a text gives a full name the question lacks that no credit in it names, as actor or as part.

    known: the folded names the essays credit elsewhere, with a part or the film's making. "Who was the casting
    director?" is not answered by "Joaquin Phoenix's performance strikes me…", nor by "Writer/Director Spike Jonze".
    """
    credited = {fold(name) for credit in credits(text) for name in credit} | known
    return any(not among_credited(name, credited) for name in _new_names(text, set(content_terms(question)), words))


def _new_names(text: str, asked: set[str], words: Words) -> list[str]:
    """Return the full names a text gives that the words asked do not already name."""
    return [name for name in FULL_NAME.findall(text) if not _asked_already(name, asked, words)]


def _asked_already(name: str, asked: set[str], words: Words) -> bool:
    """Tell whether a question's words already name someone or something, in full or by its start ("theo").

    A name that is the start of a word the question says is the same one said short: "Theo" in "Theodore's
    co-worker says Theo is half man…" names no one new to "what's theodore's coworker's name?". A name of three words
    or more is the question's when it says one of the people's names in it ([called_she], [called_he]: "Take Amy
    Adams’" opening a sentence) or most of its words: "whats the name of the company theodore writes letters for?"
    is answered by "Beautiful Hand-Written Letters".
    """
    parts = _parts(name)
    said = [part for part in parts if _says(asked, part)]
    if len(parts) < 3 or any(a_persons_name(part, words) for part in said):
        return bool(said)
    return 2 * len(said) >= len(parts)


def _parts(name: str) -> list[str]:
    """Return the words of a name that carry meaning."""
    return [part for part in SAID.findall(name) if content_terms(part)]


def _says(asked: set[str], part: str) -> bool:
    """Tell whether a question's words say a part of a name, in full or by its start ("theo")."""
    return any(
        calls(word, part) or any(len(term) >= SHORT_NAME and word.startswith(term) for term in content_terms(part))
        for word in asked
    )


def a_persons_name(name: str, words: Words) -> bool:
    """Tell whether a name is, or holds, one of the people's names the word lists know ([called_she], [called_he]).

    A part typed as its owner's without the apostrophe ("theodores last name") is the name too.
    """
    parts = [fold(POSSESSIVE.sub("", part)) for part in SAID.findall(name)]
    unmarked = [part[:-1] for part in parts if part.endswith("s")]
    return any(words.called_she.fullmatch(part) or words.called_he.fullmatch(part) for part in [fold(name), *parts, *unmarked])


def asks_for_a_name(question: str, words: Words) -> bool:
    """Tell whether a question asks what someone or something is called ("what's the little girl's name?")."""
    folded = fold(question)
    asks = ASKS_WHAT.search(folded)
    return bool(asks and words.asks_for_a_name.search(folded[asks.end() :])) or bool(HAS_A_NAME.search(folded))


def new_names(
    text: str, question: str, words: Words, near: Callable[[int, int], bool] | None = None, unasked: frozenset[str] = frozenset(),
) -> list[str]:
    """Return the names a text gives that the question lacks, that are neither an actor a credit names nor the film's.

    near, given, must also hold of where a name stands (its start and end in the text); unasked are words of the
    question a name may hold all the same (the kind asked for: "Interview Magazine" for "which magazine…").
    """
    asked = (set(content_terms(question)) - unasked) | _called_otherwise(question, words)
    given = credits(text)
    # The part played by an actor the question names is the name it asks for, words shared or not ("what's amy adams'
    # character called?": Amy).
    parts = [
        part for part, actor in given
        if CAPITALISED.fullmatch(part) and (set(content_terms(actor)) - set(content_terms(part))) & asked
    ]
    if parts:
        return parts
    actors = {fold(actor) for _, actor in given}
    found = names_in(text)
    other = _names_of_the_other_kind(question, words)
    surname = SURNAME.search(fold(question))
    whole = surname is not None
    if surname is not None:
        # "Theodore Twombly" answers "whats theodores last name?" though it says the name asked by; a name of one word
        # ("BeautifulHandwrittenLetters") is no one's whole name, and one of two parts has no middle one.
        least = 3 if "middle" in surname.group(0) else 2
        found = [m for m in found if len(_parts(m.group(0))) >= least]

    # "does theodore have a middle name" asks his: "Paul Thomas Anderson" is someone else's.
    whose = whole and any(a_persons_name(word, words) for word in SAID.findall(fold(question)))

    def known(name: str) -> bool:
        if whole:
            said = [_says(asked, part) for part in _parts(name)]
            return all(said) or (whose and not any(said)) or any(actor in fold(name) for actor in actors)
        return _asked_already(name, asked, words) or fold(name) in actors

    return [
        m.group(0) for m in found
        if not known(m.group(0))
        and not words.names_the_film.fullmatch(m.group(0)) and not (other and other.fullmatch(m.group(0)))
        and (near is None or near(*m.span()))
    ]


def _called_otherwise(question: str, words: Words) -> set[str]:
    """Return the words of the characters a question names by what else they are called, other than the one it asks the name of.

    "The name of the woman who stands in as the AI's body" already names Samantha: "Her name is Samantha" gives no
    one new. "What's the OS called?" asks her name, so there the OS stays unnamed.
    """
    folded, thing = fold(question), set(named_thing(question, words))
    named = {
        name for parts, name in words.also_called
        if short_form(parts).search(folded) and not set(content_terms(" ".join(parts))) & thing
    }
    # Each of her other names is hers too: "OS1" is no new name beside "the AI".
    return {
        term for parts, name in words.also_called if name in named
        for term in (*content_terms(name), *content_terms(" ".join(parts)))
    }


def named_thing(question: str, words: Words) -> tuple[str, ...]:
    """Return the stemmed words for what a name question asks the name of ("dog" of "what's theodore's dog called?"), or ().

    A hyphenated thing is also its last part ("ex-wife": "wife"). A thing too vague to be said beside its name
    ("the guy with the girlfriend", [vague_things]) counts as none.
    """
    folded = fold(question)
    owner = OWNERS_NAME.search(folded)
    owned = (owner.group(1) or owner.group(2)) if owner is not None else ""
    if content_terms(owned) and not NAME_OF.search(folded[: owner.start()]):
        said = [owned]
    else:
        phrase = NAME_OF.search(folded) or CALLED_SO.search(folded)
        if phrase is None and HAS_A_NAME.search(folded):
            phrase = THE_ONE.search(folded)
        if phrase is None:
            return ()
        opened = SAID.findall(phrase.group(1))
        said = _thing_after_owners(opened)
        if said and set(content_terms(said[0])) <= words.vague_things:
            # "The name of the ex-wife's character" asks after the ex-wife, by a word no essay writes beside her name.
            said = _owner(opened)
    if not said or set(content_terms(said[0])) <= words.vague_things:
        return ()
    parts = [said[0], *said[0].split("-")[1:]]
    return tuple(dict.fromkeys(t for part in parts for t in content_terms(part)))


def _owner(said: list[str]) -> list[str]:
    """Return the role owning what a phrase opens with, without its mark ("the ex-wife's character": "ex-wife"), if any.

    Only a role said after "the" or a possessive is one: in "amy adams' character" the owner is an actor, whose
    part is whatever name the credit gives.
    """
    owners = _owners(said)
    if not owners or owners[-1] == 0:
        return []
    before = said[owners[-1] - 1]
    role = before in DETERMINERS or POSSESSIVE.search(before)
    return [POSSESSIVE.sub("", said[owners[-1]])] if role else []


def _owners(said: list[str]) -> list[int]:
    """Return where the possessives stand among a phrase's first OWNER_REACH words ("the ex-wife's character": [1])."""
    return [at for at, word in enumerate(said[:OWNER_REACH]) if POSSESSIVE.search(word)]


def _thing_after_owners(said: list[str]) -> list[str]:
    """Return the first word of weight after the owners a phrase opens with ("amy adams' character": "character").

    A thing said first, after a determiner, comes before a clause with an owner of its own ("the book theo's letters…").
    """
    owners = _owners(said)
    if owners and owners[0] >= 2 and said[owners[0] - 2] in DETERMINERS and content_terms(said[owners[0] - 1]):
        # "the name of the book theo's letters get published as": the thing comes first, then a clause of its own.
        return [said[owners[0] - 1]]
    after = said[owners[-1] + 1 :] if owners else said
    return [w for w in after if content_terms(w)][:1]


def mentions(text: str, thing: tuple[str, ...], by_start: bool = False) -> list[tuple[int, int]]:
    """Return where a text says the thing, or a name made of it and a number ("OS1" for "the OS").

    by_start: a word beginning with the thing's says it too, as a short name does a character's ("theo": Theodore).
    """
    return [
        m.span() for m in SAID.finditer(text)
        if any(
            t == w or (t.startswith(w) and (t[len(w) :].isdigit() or (by_start and len(w) >= 3)))
            for t in content_terms(m.group(0)) for w in thing
        )
    ]


def naming_test(sentence: str, said: list[tuple[int, int]], reach: int) -> Callable[[int, int], bool]:
    """Return a test of whether a name's span stands where it names the thing, not its owner nor a thing beside it.

    "Theodore's ex-wife" names whose wife she is, "her ex-husband's old OS" what is his, and in "loving Samantha for
    Theodore, and friendship with her ex-husband's…" Theodore is no husband: a possessive name just before the thing,
    a name just after the thing's possessive, or another clause opening between them, names something else.
    """

    owners = _owners_before(sentence, said)

    def naming(start: int, end: int) -> bool:
        # "Theodore’s co-worker says Theo is half man…": the owner said again, short or in full, is not the thing.
        if any(_same_name(sentence[start:end], owner) for owner in owners):
            return False
        for a, b in said:
            before = a >= end
            gap = sentence[end:a] if before else sentence[b:start]
            words_between = len(SAID.findall(gap))
            # The possessive is the name's when it stands before the thing, the thing's when the name comes after.
            owns = POSSESSIVE.search(sentence[start:end] if before else sentence[a:b])
            if words_between > reach or (owns and words_between <= OWNED_REACH) or CLAUSE_JOIN.search(gap):
                continue
            return True
        return False

    return naming


def _owners_before(sentence: str, said: list[tuple[int, int]]) -> list[str]:
    """Return the possessive names standing just before the thing ("Theodore" of "Theodore’s co-worker")."""
    owners = []
    for a, _ in said:
        before = SAID.findall(sentence[:a])[-OWNED_REACH:]
        owners += [POSSESSIVE.sub("", word) for word in before if POSSESSIVE.search(word) and word[:1].isupper()]
    return owners


def _same_name(name: str, owner: str) -> bool:
    """Tell whether a name is an owner's said again, in full or by its start ("Theo" for "Theodore")."""
    first, other = fold(name).split()[0] if name.split() else "", fold(owner)
    shorter = min(len(first), len(other))
    return shorter >= SHORT_NAME and (first.startswith(other) or other.startswith(first))


def within(sentence: str, said: list[tuple[int, int]], reach: int) -> Callable[[int, int], bool]:
    """Return a test of whether a name's span stands within reach words of any span of the thing."""

    def near(start: int, end: int) -> bool:
        # Words between the name and the thing, either way round: "the British philosopher Alan Watts" has none.
        return any(len(SAID.findall(sentence[end:a] if a >= end else sentence[b:start])) <= reach for a, b in said)

    return near


def _names_of_the_other_kind(question: str, words: Words) -> re.Pattern[str] | None:
    """Return the names that cannot answer a question asking a woman's name or a man's, or None if it asks neither."""
    hers, his = words.asks_her_name.search(question), words.asks_his_name.search(question)
    if hers and not his:
        return words.called_he
    if his and not hers:
        return words.called_she
    return None
