"""Route a message by meaning: how close it is to the example utterances of each route in prompts/routes/.

An exact match of an example (after folding case and punctuation) is taken at once; anything else is
embedded with the searcher's query embedder and scored against every route's examples. The scoring
leans hard toward the film: a message that is, or holds, something close to a film question goes to
the essays, because a film question answered with small talk is worse than a greeting answered from
the essays (which then say they have nothing). Her name at the start or end of a message may only be calling
her ("thanks samantha"), so small talk is also scored without it, and the film must then lead clearly.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from companion.engine.grammar import ASKING, AUXILIARY
from companion.policy import POLICY, Policy
from companion.retrieval.embedder import Embedder
from companion.retrieval.saved import keep_matrix, kept_matrix
from companion.text import fold, weighty_terms

FILM = "film"
FOLLOW_UP = "follow_up"
FAREWELL = "farewell"
# Clauses split at punctuation and emoji, so "hi! what did critics think of the ending?" and
# "morning 🌞 who wrote the score?" are looked at clause by clause.
CLAUSE = re.compile(r"[^\w\s'’-]+|\s+-+\s+|\s+but\s+")
NOT_WORD = re.compile(r"[^\w' ]+")
# Who a message is about, by grammar rather than by film: a question about the person names them
# ("what's my name?") and one about her addresses her ("are you real?"). English, not this film, so
# here rather than in prompts/words.toml.
FIRST_PERSON = frozenset({"i", "i'm", "i've", "i'd", "i'll", "im", "ive", "me", "my", "mine", "myself", "we", "us", "our"})
SECOND_PERSON = frozenset({"you", "you're", "youre", "your", "yours", "yourself", "u", "ur", "ya"})
# A message opening as a question ("who is talking in the conversation?", "was the sad in the best way post a solo
# thing?") asks something: it is no goodbye nor a reaction, though its words ("talking", "sad") sit close to "talk
# soon" or "i'm sad". Not "what a film", "how lovely": those react; nor "have a good night", "do tell", "will do".
ASKS = re.compile(rf"^(?!what an?\b|how\b|(?:have|do|will)\b)(?:{ASKING}|{AUXILIARY})\b")
NOT_ASKED = ("farewell", "acknowledge")
# Her name. At the start or end of a message it mostly calls her ("later samantha", "samantha, are you
# real?"), but it is also the film's Samantha ("who plays samantha"), so such a message is read both ways.
NAME = "samantha"
# Example matrices by digest, so every engine in a process (tests make many) embeds the examples once.
_EMBEDDED: dict[str, object] = {}


# Emoji that say a feeling or a reaction on their own ("😭😭😭"), read as the word they stand for before the rest is
# dropped: a message of them alone would otherwise be compared as nothing. Unicode, not this film, so here.
EMOJI = {
    "😭": "sad", "😢": "sad", "🥺": "sad", "💔": "heartbroken", "😞": "sad", "😔": "sad",
    "😍": "wow", "❤": "wow", "🥰": "wow", "💕": "wow", "😊": "happy", "🙂": "happy",
    "😂": "haha", "🤣": "haha", "😆": "haha", "👍": "ok", "👌": "ok", "😮": "wow", "🤯": "wow",
}
_EMOJI = re.compile("|".join(map(re.escape, EMOJI)))


def key(text: str) -> str:
    """Fold a message to compare it with the examples: lowercase, no punctuation, emoji as their words, single spaces."""
    worded = _EMOJI.sub(lambda m: f" {EMOJI[m.group()]} ", fold(text).replace("’", "'"))
    return " ".join(NOT_WORD.sub(" ", worded).split())


def clauses(text: str) -> list[str]:
    """Split a message into the clauses a film question may hide in."""
    return [c for c in (key(part) for part in CLAUSE.split(fold(text))) if c]


class Router:
    """Score messages against each route's examples; built once, the example matrix cached on disk."""

    def __init__(
        self,
        examples: Mapping[str, Sequence[str]],
        embedder: Embedder | None,
        policy: Policy = POLICY,
        cache_dir: Path | None = None,
    ) -> None:
        self.policy = policy
        self.embedder = embedder
        self.cache_dir = cache_dir
        self._on_disk = False
        self.labels = [name for name, texts in examples.items() for _ in texts]
        self.texts = [text for texts in examples.values() for text in texts]
        self.exact = {key(text): name for name, texts in examples.items() for text in texts}
        self.routes = tuple(examples)
        self._words = {
            name: frozenset(w for text in texts for w in weighty_terms(text)) for name, texts in examples.items()
        }
        # Every word of weight the small-talk examples use: beside her name, a message holding none of them is a search.
        self._small_talk = frozenset().union(*(w for name, w in self._words.items() if name not in (FILM, FOLLOW_UP)))
        model = embedder.model_id if embedder is not None else ""
        self.digest = hashlib.sha256(json.dumps([model, self.labels, self.texts]).encode("utf-8")).hexdigest()
        self._lock = threading.Lock()
        self._matrix = None

    def words_of(self, route: str) -> frozenset[str]:
        """Return the words of weight a route's examples hold, stemmed ("elaborate", "mean", "happen" for a follow-up)."""
        return self._words.get(route, frozenset())

    def warm(self) -> None:
        """Embed the examples now (or read them from the cache) rather than at the first message."""
        self._examples()

    def route(self, text: str, follow_up: bool = True) -> str:
        """Return the route a message is closest to in meaning; anything holding a film question is film.

        Without follow_up (nothing was answered before it) the follow-up route is not a candidate.
        """
        folded = key(text)
        bare = unnamed(folded)
        exact = self.exact.get(folded) or _small_talk(self.exact.get(bare))
        if exact == FOLLOW_UP and not follow_up:
            exact = None
        if exact is not None or self.embedder is None:
            return exact or FILM
        if bare != folded and self._film_words_only(bare):
            return FILM
        whole = self._scores(text)
        if bare != folded:
            # Small talk may be scored without her name; the film keeps the score it had with it.
            plain = self._scores(bare)
            whole = {name: score if name == FILM else max(score, plain[name]) for name, score in whole.items()}
        if not follow_up:
            whole.pop(FOLLOW_UP, None)
        # Calling her by name addresses her, as "you" does.
        whole = _addressed(whole, set(folded.split()) | ({"you"} if bare != folded else set()))
        if ASKS.match(bare):
            whole = {name: value for name, value in whole.items() if name not in NOT_ASKED}
            # A question about neither of them, longer than "what's up", asks about the film however close its
            # words sit to small talk ("what's the medium guy's day job" to "how's your day going", "rough day at
            # work"), or goes on from the answer before.
            said = set(folded.split())
            if not (FIRST_PERSON | SECOND_PERSON) & said and len(bare.split()) >= self.policy.greeting_words:
                whole = {name: value for name, value in whole.items() if name in (FILM, FOLLOW_UP)}
                if FOLLOW_UP not in whole:
                    return FILM
        best = max((name for name in whole if name != FILM), key=whole.get)
        # Her name is in many film examples, so it lifts the film score of "later samantha" too; with the
        # name at an edge the film has to win outright, by more than the name adds.
        lead = self.policy.name_film_lead if bare != folded else -self.policy.film_margin
        if whole[FILM] >= whole[best] + lead:
            return FILM
        parts = clauses(text)
        if len(parts) > 1 and any(self._holds_film(part) for part in parts):
            return FILM
        # A goodbye ending small talk closes it, whatever came before ("thanks samantha, bye").
        if len(parts) > 1 and self.exact.get(unnamed(parts[-1])) == FAREWELL:
            return FAREWELL
        return best

    def _film_words_only(self, bare: str) -> bool:
        """Tell whether what is left beside her name is words no small talk uses, two or more ("samantha curiosity line").

        Her name there is the film's Samantha: the message names what it asks after, as a search would.
        """
        terms = weighty_terms(bare)
        # One word alone may be small talk the examples lack ("hellooo", "sup", "ttyl").
        return len(terms) > 1 and not (FIRST_PERSON | SECOND_PERSON) & set(bare.split()) and not terms & self._small_talk

    def _holds_film(self, clause: str) -> bool:
        if self.exact.get(clause, FILM) != FILM or len(clause.split()) < self.policy.film_clause_words:
            return False
        scores = self._scores(clause)
        return scores[FILM] >= max(scores.values()) and scores[FILM] >= self.policy.film_clause_score

    def _scores(self, text: str) -> dict[str, float]:
        """Return each route's score: the mean cosine of its nearest examples to the text."""
        import numpy as np

        matrix = self._examples()
        (vector,) = self.embedder.embed([key(text) or text])
        sims = matrix @ np.asarray(vector, dtype=np.float32)
        labels = np.asarray(self.labels)
        k = self.policy.route_neighbours
        return {name: float(np.sort(sims[labels == name])[-k:].mean()) for name in self.routes}

    def _examples(self):
        import numpy as np

        with self._lock:
            if self._matrix is None and self.embedder is not None:
                self._matrix = _EMBEDDED.get(self.digest)
            if self._matrix is None and self.embedder is not None:
                cached = self.cache_dir / f"routes-{self.digest[:16]}.npy" if self.cache_dir else None
                if cached is not None:
                    self._matrix = kept_matrix(cached, len(self.texts))
                if self._matrix is None:
                    self._matrix = np.asarray(self.embedder.embed([key(t) for t in self.texts]), dtype=np.float32)
                _EMBEDDED[self.digest] = self._matrix
            # Also when this process had them in memory already: the next process to open this data dir reads them.
            cached = self.cache_dir / f"routes-{self.digest[:16]}.npy" if self.cache_dir else None
            if not self._on_disk and self._matrix is not None and cached is not None:
                if not cached.is_file():
                    keep_matrix(cached, self._matrix)
                self._on_disk = True
            return self._matrix


def unnamed(folded: str) -> str:
    """Drop her name from the start or end of a folded message, when something is left."""
    words = folded.split()
    if len(words) > 1 and words[-1] == NAME:
        words = words[:-1]
    if len(words) > 1 and words[0] == NAME:
        words = words[1:]
    return " ".join(words)


def _small_talk(route: str | None) -> str | None:
    return None if route == FILM else route


def _addressed(scores: dict[str, float], words: set[str]) -> dict[str, float]:
    """Drop the route about the person from a message that never names them, and the one about her likewise."""
    needs = {"about_person": FIRST_PERSON, "about_her": SECOND_PERSON}
    return {name: value for name, value in scores.items() if name not in needs or needs[name] & words}
