"""How an unanswered film question is met: which of her lines, filled with what."""

from companion.engine.unmet import GREETING, unmet


def met(verdict: str = "no_evidence", question: str = "who edited her?", **said):
    given = {"released": False, "told": False, "tells_a_view": False, "other_language": False, "typos": ()} | said
    return unmet(verdict, question, **given)


def test_a_question_the_essays_do_not_cover_is_met_by_the_verdicts_own_lines():
    assert met().prompt == "no_evidence" and met().values == ()
    assert met("spoiler").prompt == "spoiler"


def test_spoilers_just_released_are_said_so_whatever_the_verdict():
    assert met(released=True).prompt == met("spoiler", released=True).prompt == "spoilers_released"


def test_telling_about_themselves_asking_nothing_is_met_as_a_greeting():
    assert met(question="hi, i'm sam and i haven't seen it", told=True).prompt == GREETING
    assert met(question="i haven't seen it, who edited it?", told=True).prompt == "no_evidence"


def test_a_view_another_language_or_a_slip_each_have_their_own_line_when_nothing_covers_them():
    assert met(tells_a_view=True).prompt == "told_unmet"
    assert met(other_language=True).prompt == "not_english"
    slipped = met(typos=(("critcs", "critics"), ("endng", "ending")))
    assert slipped.prompt == "misspelt"
    assert dict(slipped.values) == {"words": "‘critcs’ and ‘endng’", "meant": "‘critics’ and ‘ending’"}
    # Held back as a spoiler, a view or a slip is met as a spoiler is.
    assert met("spoiler", tells_a_view=True, typos=(("critcs", "critics"),)).prompt == "spoiler"


def test_a_detail_the_essays_speak_around_without_giving_is_named():
    lacking = met(lacking="an age")
    assert lacking.prompt == "no_detail" and dict(lacking.values) == {"detail": "an age"}
    assert met("spoiler", lacking="an age").prompt == "spoiler"
    # A slip read another way is said first: the slip may be why nothing gives it.
    assert met(typos=(("tal", "tall"),), lacking="a measurement").prompt == "misspelt"
