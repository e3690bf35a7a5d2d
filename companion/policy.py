"""Every threshold a turn decides by, in one place, each with what it trades and where its value came from.

"Fit on the 22" means calibrated on the 22 original public questions (../shared/eval/questions.jsonl as
it was then) together with the off-topic questions in tests/test_grounding.py; "by hand" means chosen
while reading replies to those questions, never measured. All are to be recalibrated on the dev split
of the evaluation questions (issue H). Change them here, never inline.
"""

from __future__ import annotations

from dataclasses import dataclass

from companion.ranker import Ranker
from companion.ranker_weights import RANKER


@dataclass(frozen=True)
class Policy:
    """The numbers behind routing, the evidence decision, quote choice and framing."""

    # --- decide: do the essays speak to the question at all?
    # A logistic model (companion/engine/covering.py answer_probability) weighs (bias, cosine, coverage, unseen):
    # the best cosine to the question (a passage's, or a closer sentence's), the idf-weighted share of the
    # question's words the best passage holds, and the share of its words no passage holds (words about the
    # essays, prompts/words.toml [about_the_essays], left out). Higher cosine and coverage answer more.
    # Logistic fit (sklearn, C=10) on dev 49 + eval/extra_dev.jsonl 81 + eval/more_dev.jsonl 95 (225 questions, 146
    # answerable), 2026-11-30, with the passages in the reranked order (retrieval/rerank.py, by the linear ranker
    # of that day):
    # benchmarks/decision_fit.py.
    sentence_model: tuple[float, float, float, float] = (-1.997, 5.897, 0.260, -1.815)
    # The same model fitted with the best passage's cosine, for a searcher without a query embedder. Same fit.
    passage_model: tuple[float, float, float, float] = (-1.715, 5.556, 0.782, -1.787)
    # The chance of an answer below which she says the essays don't cover it: higher refuses more of both.
    # Chosen on leave-one-out predictions over the same 225 questions to refuse at most 5% of answerable ones:
    # sentence model 5/146 answerable and 33/79 not-covered refused (0.40: 9/146 and 35/79); passage model
    # 4/146 and 29/79 (0.40: 7/146, 33/79). At 0.50, 18/146 and 42/79: these signals cannot refuse 90% of the
    # not-covered questions without refusing many answerable ones.
    answer_probability: float = 0.35
    # The same for a question naming an essay or its writer ("did the techno-lonely reviewer think it'd be
    # cheesy?"): the model was fit mostly on questions naming none, and named ones it refused were answerable as
    # often as not (probes 2026-12-05 at 0.35: 4 answerable and 4 not-covered of 114 named). Lower answers more of
    # both; the essay's view still has its own floor (`named_view_chance`). Dev (46 named) and probes through the
    # engine, 2026-12-06: 0.35 -> dev 2 of 147 answerable refused, 62 of 78 not covered; probes 17 of 296 and 149 of
    # 214; 0.3 -> dev the same, probes 16 and 149; 0.25 -> dev 1 and 62, probes 14 and 149; 0.2 -> dev 1 and 62,
    # probes 13 and 147. The highest reaching dev's least.
    named_answer_probability: float = 0.25
    # Cosine of the closest passage that alone counts as evidence when no word statistics are known (dense
    # search alone). Fit on the 22.
    strong_score: float = 0.45
    # The idf-weighted share of the question's words a passage must hold when no cosine is known (BM25
    # alone): shared words alone mislead. By hand.
    lexical_only_coverage: float = 0.50

    # --- decide: which of the passages found become evidence
    # A passage this far below the best cosine is about something else; smaller keeps fewer. By hand.
    relative_margin: float = 0.12
    # ...unless its BM25 score reaches this share of the best one (an exact-word match the embedding blurs). By hand.
    lexical_share: float = 0.6
    # Passages a factual question is answered from; more dilutes the reply and a small model's prompt. By hand.
    evidence_limit: int = 3
    # Passages one essay may give an opinion question, so several critics speak rather than one at length. By hand.
    per_essay: int = 2
    # Hits an opinion question searches (at least), so every essay with a view is heard; deeper is slower. By hand.
    opinion_depth: int = 8

    # --- decide: which sentences are quoted (companion/engine/pick.py), when the searcher embeds queries
    # Passages whose sentences compete to be quoted: deeper reaches more answers and more distractors. The ranker
    # below was fit at this depth (the fused ranking's 30 candidates). Fit on dev: benchmarks/sentence_fit.py.
    sentence_depth: int = 30
    # The reader model (retrieval/reader.py) embeds every sentence once, at about 39 ms a sentence on 2 cores
    # (make bench: 491 sentences of 89 passages in 19 s). Past this many passages (about 16,500 sentences, 11
    # minutes) quotes are chosen without it, with a notice, rather than make a first start wait longer. By hand.
    reader_passages: int = 3000
    # Passages searched for a question about the film as a whole, whose answer may sit in any of them: the
    # critics' statements of what the film is (prompts/words.toml [says_what_the_film_is]). By hand: every
    # passage of the five essays (89), bounded for a larger corpus.
    whole_depth: int = 200
    # How the map from a question to the sentence answering it is fit at ingest (retrieval/adapter.py), on the
    # questions written for the sentences: full-batch steps, Adam's step size, how sharply each written question's
    # softmax over the sentences tells its own from the rest, and how hard the map is held to the identity (less
    # pull learns the written questions more closely and carries less of MiniLM's own sense). Chosen on dev by
    # benchmarks/adapter_fit.py (the ranker refit on each fold with the map's two columns), 2026-12-05, quote answers
    # held out by 10 folds of 147 dev questions and, fit on dev, on 276 probe questions: without the map 108 and 178;
    # 100 steps 115 and 197 (2.9 s); 200 steps 114 and 196 (5.6 s), 400 steps 112 and 194 (11 s); pull 0.01 114 and
    # 195, 0.0001 113 and 196; sharpness 10 110 and 193, 30 115 and 197. All near alike but sharpness 10: the cheapest
    # fit was taken.
    adapter_steps: int = 100
    adapter_rate: float = 0.001
    adapter_sharpness: float = 20.0
    adapter_pull: float = 0.001
    # A logistic model of the chance that a sentence holds the answer, over the standardised features of
    # companion.retrieval.sentences.FEATURES and every product of two of them (companion/ranker.py), its
    # numbers in companion/ranker_weights.py. Fit (sklearn, C=0.01: less held to zero ranks the probes
    # worse) on the answerable dev questions and dev-only probes, 2026-12-07: 1,017 questions (147 dev, every answerable
    # line of eval/probe_dev.jsonl), benchmarks/ranker_fit.py --top 5. Its chances are mapped onto the scale of the
    # linear ranker every floor below was calibrated on (ranker_weights.REFERENCE, fit on dev alone 2026-12-05 with the
    # written questions, the maps and the reader model's columns) by the quantiles of each question's five likeliest
    # chances over 1,987 dev and probe questions, answerable or not, so a floor keeps cutting about the same share of
    # the likeliest sentences. Held out by 10 folds of consecutive questions, at the floors and caps below: first quote
    # answers dev 110 of 147, probes 602 of 870; quote answers dev 120, probes 658; precision dev 128/216, probes
    # 682/1230 (the linear ranker: 107, 586, 117, 645). Its first fit (2026-12-06) read 598 questions, the probes up
    # to line 964; the 386 answerable probes after them, 5 folds each read by a model fit on the rest: fit without any
    # of them, first quote 253 and quote answers 275 of 386; with the other folds too, 262 and 285 (every fold level or
    # better). On dev, held out by 5 folds, the probes after line 964 move it from 113 and 120 to 109 and 119 (weighting
    # dev 3 or 6 times does not win it back). C=0.03: new probes 264 and 287; C=0.005: 258 and 282.
    sentence_ranker: Ranker = RANKER
    # The same fit without the reader's columns (companion.retrieval.sentences.READER_FEATURES), for when its
    # packages are missing or the corpus is past reader_passages. Same questions, same script: held out (10 folds),
    # at quote_chance 0.08 and the caps below, quote answers 0.748 (110/147), precision 0.498 (118/237), against 0.660
    # (97/147), 0.430 (104/242) without the map; at quote_chance 0.10, 0.728 (107/147), 0.520 (115/221).
    sentence_ranker_alone: tuple[float, ...] = (
        -5.7567, -2.1835, -0.5282, 1.1495, 0.5462, 0.1668, 2.3331, 0.4169, 0.6109, 0.2394, 0.5322, 3.6198, 7.4730,
        6.8368,
    )
    # A quote after the first shows only when its chance reaches this: lower shows more answers and more
    # beside-the-point quotes. Chosen on held-out chances (10 folds by question) in benchmarks/sentence_fit.py,
    # 147 dev questions, with the opinion cap below, 2026-12-05 (the linear ranker whose scale the one above keeps):
    # 0.10 -> quote answers 0.796
    # (117/147), precision 0.555 (126/227), 1.54 quotes per reply; 0.08 -> the same answers at 0.527 (126/239), 1.63;
    # 0.05 -> 0.810 (119/147), 0.489, 1.81; 0.15 -> 0.782 (115/147), 0.608, 1.39. The highest floor losing no answer
    # (before joining neighbours). Before the map (146 questions): 0.08 -> 0.678 (99/146), 0.421 (104/247).
    quote_chance: float = 0.1
    # Below this chance for the first quote she says it is the nearest she found rather than the answer
    # (prompts/openers_unsure.md). Held-out chances (10 folds) on 225 dev questions, 2026-12-05 (the linear ranker
    # whose scale the one above keeps):
    # below 0.3 fall 19 answerable ones, whose first quote holds the answer for 4, and 33 of the 78 not covered; above
    # it the first quote holds the answer for 101 of 128 answerable, and 45 not covered. Chosen where the first quote
    # stops being mostly wrong: between 0.3 and 0.4 it answers for 6 of 9 questions, between 0.25 and 0.3 for none
    # of 5 (with the ranker before the maps the cut was 0.4: between 0.3 and 0.4 it answered 5 of 30). Higher hedges
    # more right answers; lower sounds sure about more wrong ones. benchmarks/sentence_fit.py --unsure prints the table.
    # With the quadratic ranker above (held out by 10 folds of consecutive questions, benchmarks/ranker_fit.py, 598
    # answerable and 528 not-covered questions), 2026-12-06: between 0.3 and 0.35 the first quote answers for 5 of 26
    # answerable questions (and 42 not covered fall there), between 0.35 and 0.4 for 15 of 28: the cut moves to 0.35.
    # Through the engine on the 901 probes before stop 67: not-covered replies hedged 51 -> 65 of 156 (62 with the
    # linear ranker at 0.3), answerable ones sounding sure with no answer shown 34 -> 28 (35), answers hedged 38 -> 49
    # of those shown (51); stop 67's blind batch, not covered hedged 8 -> 13 of 25 (10).
    # Read again with the refit of 2026-12-07 (1,017 answerable, held out): between 0.25 and 0.3 the first quote answers
    # for 15 of 49, between 0.3 and 0.35 for 25 of 48, between 0.35 and 0.4 for 34 of 51: the cut stays.
    unsure_chance: float = 0.35
    # A message asking to check a statement ("one of the reviews says he cheated, right?", "did any critic say it's
    # too long?"; engine/claims.py) whose likeliest sentence falls below this is one no essay bears out or corrects:
    # she says none of them says so, rather than offer the nearest as if it settled it. Higher refuses more of both.
    # Dev and probes, 2026-12-06 (answered claim checks: 13): below 0.3 fell 2 not-covered (0.13, 0.19) and no
    # answerable one (the nearest at 0.39 and 0.55); the first blind batch of claims then had 7 of its 11 answered
    # not-covered ones below it and one answerable, a quote missing the answer. Again 2026-12-06 with four times the
    # sample (dev, probes and stop 69's blind batches, 55 claim checks answered at a floor of 0): 0.25 refuses 12 of 30
    # not-covered, 0.3 17 and one answerable miss, 0.35 19 and one answerable answer lost, 0.4 19 and two; kept at 0.3.
    # Asked which one critic did something ("which critic calls it a masterpiece?"), the claim is the deed (stop 72):
    # over dev and the probes it refused 8 more not-covered questions at this floor (6 of lines 1-1762, first chances 0.14
    # to 0.29; 2 of stop 72's batches, read before it was written) and no answerable one (the 3 asked so: 0.70 or more).
    claim_chance: float = 0.3
    # A message asking yes or no of the film, no view asked ("does theo get a new OS after samantha's gone?",
    # engine/grammar.asks_whether), whose likeliest sentence falls below this is refused as a claim no essay bears out.
    # Lower than claim_chance: such a question is answered by what a sentence says of the film, not only by a critic
    # saying it. Higher refuses more of both. Dev and probes (lines 1-1847), 2026-12-07, the answered yes-or-no questions
    # asking no view by their first quote's chance: below 0.2, 16 not-covered and no answerable one; below 0.25, 23 and
    # 2 answerable misses; below 0.3, 30 and 6 answers lost. Stop 73's batches, written before it: below 0.2, 1 and 1
    # answerable miss. Through the engine at 0.2: probes not-covered refused 604 -> 618 of 1,000, one answer lost ("…does
    # anybody pick up on that?", a critic's view asked in a yes-or-no tag) and one answerable miss refused; dev unchanged.
    whether_chance: float = 0.2
    # Asked what the critics make of something (engine/absent.py), this many words in a row that no passage holds name
    # a thing none of them speaks to ("do any of the critics analyze her through laura mulvey's theory of the male
    # gaze"), however near the rest of the question comes. Lower refuses more of both. A first count over dev, the
    # probes and the blind batch behind it: a run of 2 took in 13 answered answerable questions and 26 answered
    # not-covered ones, 3 took 3 and 14. Through the engine, 2026-12-07, 3 refused 10 more not-covered probes (485 ->
    # 495 of 782) and lost 2 answers of 801 (runs of everyday words: "nobody… looks down on folks for dating software").
    absent_run: int = 3
    # A question asking the view of an essay it names ("what did the medium writer think about theo's job?") whose
    # likeliest sentence of that essay falls below this is one the essay does not speak to: she says so rather than
    # quote it. Higher refuses more of both. Dev and probes, 2026-12-05 (the questions naming an essay and asking a
    # view: 28 dev, 61 probes answered): below 0.05 fell 4 not-covered probes (0.001 to 0.027: the surrogate scene
    # twice, the trousers, Theodore's job) and no answerable question (the next answerable ones at 0.089 and 0.097);
    # below 0.1, one answerable miss (0.097) and one answered (0.089) too. A note's sentence (no chance) never falls.
    named_view_chance: float = 0.05
    # A question naming an essay (not asking about its writer as a person) whose likeliest sentence of that essay is
    # below this share of the likeliest sentence of the other essays in its pool is one the others speak to and it does
    # not ("what does the her 2013 review say about the ending…": 0.05 against 0.47): she says that essay is quiet
    # on it. Higher refuses more of both. Dev, probes and two new probe batches, 2026-12-06 (the 163 named questions
    # answered): below 0.12 fall 3 not-covered questions (shares 0.066 to 0.107: how the two writers met, the her 2013
    # review on the ending twice) and no answerable one once questions about a writer are left out (their note's
    # sentences rank low: "where does steven boone write" at 0.052); below 0.15 one answerable hit (0.139) too, and
    # below 0.2 two more answerable questions (a hit at 0.184, a miss at 0.184). Both floors again 2026-12-06 on dev and
    # the 1,232 probes (315 named questions answered with both floors at 0): at 0.05 and 0.12 fall 17 not-covered, one
    # answerable hit and one miss; 0.08 and 0.1 would drop 18 and only the miss, 0.03 and 0.1 16 and neither. A
    # question either way: kept.
    named_share: float = 0.12
    # A sentence beside a quoted one joins its quote when its own chance reaches this (the sentence after joins
    # whatever its chance when it leans on the quote: "This…", "But…"): lower quotes longer spans holding more
    # answers. Held out (10 folds) on the 146 dev questions, 2026-11-30, at quote_chance and the caps here
    # (benchmarks/sentence_fit.py prints the table): joining nothing -> quote answers 99/146, precision 104/247, 33.5
    # words a quote; the leaning sentence alone -> 104, 110/247, 38.0; with 0.5 -> 105, 111/247, 38.3; 0.3 -> 107,
    # 113/247, 38.6; 0.1 -> 107, 114/247, 40.6 (joined_words below bounding each). Test split, measured once for
    # each: 24 -> 25 (0.3) -> 26 (and the leaning sentence) of 43. Always joining the next sentence, whatever it is,
    # would show 110/146 at 47 words a quote: longer quotes hold more answers whether or not they answer better.
    join_chance: float = 0.3
    # ...or, when lower, this share of the chosen sentence's own chance (never below quote_chance): a neighbour nearly as
    # likely as an unlikely first quote comes along ("…To me it was about growth. And what happens in a relationship
    # when two people grow differently…", 0.14 beside the chosen 0.15). Lower joins more and lengthens quotes. Dev
    # (225) and probes (475) through the engine, 2026-12-05: off -> dev 126 of 147 answered, probes 213 of 276, 38.5
    # and 38.9 words a quote; 0.5 -> 127, 215, 38.8 and 39.3; 0.4 -> 127, 216; 0.3 -> 127, 217, 39.0 and 40.0; 0.2 ->
    # 127, 217, 39.4 and 40.3 words. No question lost at any share, refusals unchanged; the highest share taking the
    # probes' most (the ranker is fit on dev, so the probes read it out of sample). Held out on dev by 10 folds
    # (benchmarks/sentence_fit.py's join table): 122 of 147 at every share, 38.2 -> 39.1 words a quote at 0.3. With
    # neighbours joined one after another while each reaches it: dev 128, probes 218, 39.3 and 40.1 words. 0 turns it
    # off.
    join_share: float = 0.3
    # Words a quote may grow to by joining its neighbours: past it a reply reads as a passage, not a quote. By hand,
    # checked on the same held-out dev chances: 80 loses no answer (107/146) and keeps joined quotes from reaching
    # 137 words; 70 loses 4.
    joined_words: int = 80
    # Quotes a factual reply shows at most: one good quote beats three weak ones. Same fit.
    fact_quotes: int = 2
    # Quotes an opinion reply shows at most, one critic each: up to all five essays, so every critic with a view
    # is heard (the chance floor above still keeps out the weak). Dev, 146 questions, 2026-11-30: 3 -> 5 gave
    # quote answers 94 -> 95, precision 0.441 (98/222) -> 0.430 (99/230) through companion eval; held out by 10
    # folds (benchmarks/sentence_fit.py) 93 -> 94, precision 0.416 (97/233) -> 0.410 (98/239).
    opinion_quotes: int = 5
    # Quotes crediting the cast a reply shows when asked who is in the film, naming no part ("who's in the
    # cast?"), one passage each: the essays credit three leads in three passages, and a fourth credit repeats one.
    # By hand, read on "who's in the cast?", "what actors are in it?", "who stars in her?" (no dev question asks it).
    cast_quotes: int = 3
    # A question asking for a number, a date or a person whose quotes give none is answered instead by the
    # likeliest sentences that do (companion/engine/answer_kind.py), when the first one's chance reaches this; else
    # she says the essays don't say. Lower answers more such questions and shows more numbers and names beside the
    # point. Dev, 225 questions, 2026-12-01, before dates were asked for: every answerable one asking for a number or
    # a person already had one in its quotes, so the floor only trades not-covered refusals: 0.0 -> 35 of 79
    # refused, 0.1 -> 42, 0.2 -> 44, 0.3 -> 45 (as refusing outright); chosen at the lowest losing none. "How many
    # people is samantha talking to?" finds "Samantha: 8,316." at 0.48, a sentence after the likeliest one of its
    # passage, which one passage gives once. Again 2026-12-05 with the ranker reading the question map (dev, 225;
    # probes, 475): 0.3 -> 125 of 147 answered, 55 of 78 refused; probes 202 of 276, 124 of 199; 0.2 -> the same on
    # dev, probes 203 and 124 ("whats the name of the company theodore writes letters for" found its name at 0.23);
    # 0.1 -> dev 125 and 54, probes 204 and 121. The lowest losing no dev refusal again. With the reader's map too
    # (2026-12-05): 0.3 and 0.2 -> dev 126 answered, 2 of 147 answerable and 57 of 78 not covered refused, probes 211,
    # 17 and 121; 0.1 -> dev 126, 1 and 56, probes 213, 15 and 121: one not-covered refusal traded for one answerable.
    # Again 2026-12-06 on the 1,232 probes: 0.1 answers no more (497 of 602, 27 refused) and refuses 3 fewer not-covered
    # (364 of 630 against 367), dev one fewer (66 of 78): kept.
    kind_chance: float = 0.2
    # ...and a name asked of someone the question tells apart ("whats theo's coworker's name, the guy who likes feet")
    # may be given by a sentence naming someone new and saying the telling's rarest word, whatever the ranker makes
    # of it ("Just like Paul chooses to love his girlfriend whose feet he finds sexy", 0.05), when that word's idf
    # reaches this. Higher tells fewer people apart; at 3.0 (claim_idf's film vocabulary) "feet" (3.6) and "death"
    # (4.1) do, "loves" (2.3) does not. Dev and the probes, 2026-12-07, through the engine: see stop 75's note.
    told_apart_idf: float = 3.0
    # ...except a question asking someone's job (companion/engine/jobs.py), answered by the likeliest sentence saying
    # the job of the one asked, in a sentence naming them, when its chance reaches this. The test is tight enough that
    # a sentence passing it answers whatever the ranker makes of it, and a refusal then says no essay gives one when
    # one does: "who's steven boone, like what does he do" found "Steven Boone is a film critic…" at 0.06 and was
    # refused at `kind_chance`. Dev and probes, 2026-12-05: 0.0 and 0.2 refuse the same not-covered job questions
    # (2 of 78, 2 of 204 more than without the test).
    job_chance: float = 0.0
    # ...and a question asking what an essay ends on (companion/engine/endings.py), answered by the likeliest sentence
    # of an essay's last passage when its chance reaches this: few sentences pass, and the one asked for may rank
    # low among the essays' many on the same thing ("the universe perceiving itself through our eyes" among the
    # sentences on Alan Watts). Dev and probes through the engine, 2026-12-06: dev the same either way (its one such
    # question is answered at 0.55); probes 0.0 -> 240 of 296 answered, 14 refused; 0.2 (`kind_chance`) -> 239 and 16:
    # "…closes with a quote from that philosopher guy…, what's the line" found its line at 0.04.
    ending_chance: float = 0.0
    # A phrase a message sets in quote marks leads to the sentence holding it (engine/quoted.py: "sad blog has a 'why
    # wouldn't we?' sentence… copy me that line") when it has this many words or more, or a word at least this rare
    # (claim_idf's film vocabulary): everyday words quote no line. Lower lets more everyday phrases lead. Dev and the
    # 2,087 probes through the engine, 2026-12-07: with any phrase leading, one answer gained ("samantha being
    # 'somewhere else'", "somewhere" 3.3), one lost ("samantha is 'in love' with 641 people…", "love" 1.2) and one
    # not-covered question more refused ("…ends with 'like theodore'…", "theodore" 1.2); of the 24 phrases quoted there
    # from a passage these two alone fall short.
    quoted_words: int = 3
    quoted_idf: float = 3.0
    # A question asking what someone said (words.asks_for_words_said) whose likeliest sentence quotes nobody leads
    # instead with the likeliest sentence that does, when its chance reaches this (else her quotes stay as they
    # were). Lower leads with more quoted words beside the point. Dev, 146 answerable questions, 2026-12-01:
    # 0.0 -> 106 quote answers, 0.05 -> 109, 0.1 -> 109, 0.2 -> 108, 0.3 -> 108 (108 without it); the middle of the
    # best two. Not-covered refusals unchanged at every floor. Again 2026-12-04 with the probe questions (also
    # dev-only; 147 and 247 answerable): 0.02 -> 117 and 154, 0.05 -> 120 and 155, 0.1 -> 120 and 153; 0.05 lost one
    # test question (30 -> 29 of 43), so it stays.
    speech_chance: float = 0.1
    # How far apart, in characters, a number and its unit may stand and still give an age or a size
    # (companion/engine/answer_kind.py: "born in Boston in 1974", "32 years old"). Wider takes more numbers about
    # something else for a measure, narrower misses a unit said a few words off. By hand: the corpus states no age
    # beside a unit and no size, so there was nothing to measure; 24 spans "born in Boston in 1974".
    measure_reach: int = 24
    # How many words may stand between a name and the thing a name question asks the name of ("the British
    # philosopher Alan Watts": none; "bring home OS1, a personally-tailored, artificially intelligent operating
    # system": four) for the name to answer it (companion/engine/answer_kind.py). Wider takes a name said of someone
    # else in the same sentence ("Samantha's previous admission that she feels inferior to Theodore's ex-wife":
    # eight); narrower misses a name set off by a description. By hand on the dev and probe name questions.
    name_reach: int = 5

    # --- compose: which sentence of a passage is quoted, and which quotes are kept
    # A quote shorter than this many words takes the next sentence along, so it can stand alone: longer quotes
    # against quotes that answer. Dev, 146 questions through companion eval, 2026-12-01: 0 (none) -> quote answers
    # 106, precision 111/240, 39.3 words a quote; 8 -> 107; 12 -> 108, 113/240, 39.8 words; 16 -> 108. Held out
    # (benchmarks/sentence_fit.py, join 0.3): 107 -> 109, precision 113/247 -> 115/247, 38.6 -> 39.2 words.
    short_sentence: int = 12
    # Sentence lengths (words, inclusive) that read well as a quote and earn the bonus below. By hand.
    comfortable_words: tuple[int, int] = (8, 45)
    # How much a comfortable length weighs against the question's words in choosing a sentence. By hand.
    comfortable_bonus: float = 0.5
    # A quote sharing less than this fraction of the best quote's share of the question only pads the reply. By hand.
    quote_share: float = 0.34
    # Warm (or cool) words a quote needs, with none of the other kind, to count as leaning that way. By hand.
    lean_words: int = 2

    # --- compose: the one framing sentence a small model may add
    # Tokens the model may spend on it; one sentence rarely needs more, and a small model rambles. By hand.
    framing_tokens: int = 48
    # Words it may have (inclusive): shorter is a fragment, longer starts making claims. By hand.
    framing_words: tuple[int, int] = (3, 22)

    # --- route: small talk or a question about the film? (companion/engine/router.py, prompts/routes/)
    # Examples per route whose mean cosine scores a message; 1 trusts one lucky example, more blurs
    # small routes. Fit on the dev half of eval/routing.jsonl (benchmarks/routing_eval.py).
    route_neighbours: int = 3
    # A message goes to the essays when its film score is within this of the best route: wider sends
    # more small talk to the essays (which then say they have nothing), narrower risks a film question
    # answered with small talk. Fit on dev, erring wide.
    film_margin: float = 0.05
    # How far the film must lead every other route when her name starts or ends the message ("later
    # samantha" vs "who plays samantha"): the name lifts all routes' scores, the film's most. Fit on dev:
    # vocatives there lead by at most 0.06, film questions ending in her name by 0.15 or more.
    name_film_lead: float = 0.08
    # A clause of a small-talk message this close to the film examples (and closer to them than to any
    # other route) makes the whole message film ("hi! who plays amy?"). Fit on dev.
    film_clause_score: float = 0.45
    # Words a clause needs before it can carry a film question; shorter ones are "hi" and "lol". By hand.
    film_clause_words: int = 3
    # Words from which a question opening with who, what, which, why, when or where that never says "you" is
    # no greeting ("what's the medium guy's day job" sat closest to "how's your day going"); shorter ones may be
    # ("what's up samantha"). By hand, on the greeting examples: none that opens so is longer than 3 words.
    greeting_words: int = 4
    # Film words a follow-up may have; more and it stands on its own. By hand.
    follow_up_film_words: int = 2

    # --- verify: which sentences a model wrote state something about the film (and so need a marker)
    # Idf a word of the essays must reach to count as film vocabulary: higher flags fewer uncited claims.
    # By hand on the 89 passages: 3.0 keeps words in at most 3 passages (loneliness 3.6, strangers 4.1) and
    # leaves everyday ones out (question 2.84, day 2.84, love 1.18); names and numbers count whatever this is.
    claim_idf: float = 3.0

    def ranker(self, reading: bool) -> Ranker:
        """Return the sentence ranker for rows with the reader model's columns, or for rows without them."""
        return self.sentence_ranker if reading else self.sentence_ranker_alone


POLICY = Policy()
