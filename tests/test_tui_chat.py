"""The chat as a person lives in it: focus, scrolling, deleting, limits, pastes and what the sources say."""

from __future__ import annotations

from textual import events
from textual.keys import _character_to_key
from textual.widgets import OptionList, Static

from companion.engine import MAX_QUESTION_CHARS
from companion.history import History
from companion.tui.app import CompanionApp
from companion.tui.conversations import ConversationsScreen
from companion.tui.help import HelpScreen
from companion.tui.sources import Shown, SourceScreen, excerpt, source_of
from companion.types import Citation
from companion.tui.widgets import Composer, Note, Reply, SourceList, UserMessage
from tests.fakes import passage
from tests.test_tui import ask, loader_for, settle

ENDING = "What did the critics think of the ending?"


def watched(app: CompanionApp) -> CompanionApp:
    """Keep every notification the app shows, however soon it times out on a slow machine."""
    app.seen = []
    notify = app.notify

    def keep(message, *args, **kwargs):
        app.seen.append(message)
        return notify(message, *args, **kwargs)

    app.notify = keep
    return app


def said(app) -> list[str]:
    return app.seen


def status(app) -> str:
    return str(app.query_one("#status", Static).render())


async def test_deleting_the_open_conversation_asks_first_and_the_chat_keeps_saving(engine, shared_settings, tmp_path):
    history = History(tmp_path / "c.sqlite3")
    settings = shared_settings.with_overrides(data_dir=tmp_path)
    app = watched(CompanionApp(loader_for(engine), settings=settings, history=history))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, ENDING)
        opened = app.conversation_id
        await pilot.press("ctrl+o", "d")
        await pilot.pause()
        assert [c.id for c in history.conversations()] == [opened]
        assert "Press d again" in said(app)[-1]
        await pilot.press("d")
        await pilot.pause()
        assert history.conversations() == []
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, ConversationsScreen)
        assert app.conversation_id is None and not app.query(Reply)
        assert "deleted the open conversation" in said(app)[-1]
        assert app.query_one(Composer).has_focus
        app.seen.clear()
        await ask(app, pilot, "Is Samantha rational or emotional?")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not any("could not" in s or "Cannot" in s for s in said(app)), said(app)
        (kept,) = history.conversations()
        assert kept.id != opened and history.turns(kept.id)[0].question == "Is Samantha rational or emotional?"
        assert list((tmp_path / "exports").glob(f"companion-{kept.id}-*.md"))
        assert app.is_running and app.return_code is None


async def test_a_conversation_deleted_elsewhere_is_saved_anew_and_export_says_why(engine, tmp_path):
    history = History(tmp_path / "c.sqlite3")
    app = watched(CompanionApp(loader_for(engine), history=history))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, ENDING)
        history.delete(app.conversation_id)  # as `companion export --delete` in another terminal would
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Cannot export this conversation: no conversation" in said(app)[-1]
        assert app.is_running and app.return_code is None
        await ask(app, pilot, "Is Samantha rational or emotional?")
        assert "saved as a new one" in said(app)[-1]
        (kept,) = history.conversations()
        assert [t.question for t in history.turns(kept.id)] == ["Is Samantha rational or emotional?"]


def test_chat_exits_non_zero_when_the_window_closed_on_an_error(monkeypatch, tmp_path):
    from companion.cli import main

    def crashed(self, *args, **kwargs):
        self._return_code = 1

    monkeypatch.setattr(CompanionApp, "run", crashed)
    assert main(["chat", "--backend", "extractive", "--data-dir", str(tmp_path)]) == 1


async def test_typing_after_new_chat_and_after_screens_reaches_the_composer(engine, shared_settings):
    app = watched(CompanionApp(loader_for(engine), settings=shared_settings))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, ENDING)
        app.query_one(SourceList).focus()  # as after reading the sources, the list goes with the old chat
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        await pilot.press(*"why? hello there", "enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, HelpScreen)
        assert [str(m.render()) for m in app.query(UserMessage)] == ["why? hello there"]
        for opener, closer in (("f1", "escape"), ("f2", "f2"), ("ctrl+o", "escape")):
            await pilot.press(opener)
            await pilot.pause()
            await pilot.press(closer)
            await pilot.pause()
            await pilot.pause()
            assert app.query_one(Composer).has_focus, opener
        await ask(app, pilot, ENDING)
        app.open_source(len(app.shown) - 1, 1)
        await pilot.pause()
        assert isinstance(app.screen, SourceScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        assert app.query_one(Composer).has_focus


async def test_tab_has_two_stops_and_esc_or_typing_in_a_list_returns_to_the_composer(engine):
    app = watched(CompanionApp(loader_for(engine)))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        for question in (ENDING, "Is Samantha rational or emotional?", "Who is Amy?"):
            await ask(app, pilot, question)
        newest = app.query(SourceList).last()
        await pilot.press("tab")
        assert app.focused is newest
        await pilot.press("tab")
        assert isinstance(app.focused, Composer)
        await pilot.press("shift+tab")
        assert app.focused is newest
        await pilot.press("escape")
        assert isinstance(app.focused, Composer)
        await pilot.press("tab", "w", "h", "o")
        assert isinstance(app.focused, Composer) and app.query_one(Composer).text == "who"
        await pilot.press("tab", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_sending_after_scrolling_up_brings_the_new_turn_into_view(engine):
    app = watched(CompanionApp(loader_for(engine)))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        for question in (ENDING, "Is Samantha rational or emotional?"):
            await ask(app, pilot, question)
        chat = app.query_one("#chat")
        await pilot.press("pageup", "pageup", "pageup")
        await pilot.pause()
        assert chat.scroll_y < chat.max_scroll_y
        await ask(app, pilot, "Who is Amy?")
        await pilot.pause()
        newest = app.query(Reply).last()
        assert chat.scroll_y == chat.max_scroll_y
        assert newest.virtual_region.bottom <= chat.scroll_y + chat.scrollable_content_region.height + 1


async def test_sources_show_the_quoted_words_and_the_author(engine):
    app = watched(CompanionApp(loader_for(engine)))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, ENDING)
        answer = app.shown[0].answer
        sources = app.query_one(SourceList)
        labels = [str(sources.get_option_at_index(i).prompt) for i in range(sources.option_count)]
        for label, citation in zip(labels, app.shown[0].citations):
            assert label.startswith(f"[{citation.n}] “")
            words = label.split("“", 1)[1].split("”")[0].rstrip("…")
            assert words and words in answer, label
            assert (citation.passage.author or citation.passage.title) in label
        await pilot.press("f2")
        panel = app.query_one("#all-sources", OptionList)
        assert "“" in str(panel.get_option_at_index(0).prompt)


def test_a_paragraph_citing_two_passages_labels_and_highlights_each_by_its_own_quote():
    # Who wrote an essay is told in one paragraph citing its opening and the note on its writers: both sources
    # were labelled by the opening's words, and the note's passage was searched for both quotes.
    opening = passage("what-her", 1, "I’ll start with a question: why did this movie hit so hard?")
    note = passage("what-her", 99, "Jennifer Anise is a film lover and filmmaker.")
    answer = ("*What HER* is by Jennifer Anise. It opens: “I’ll start with a question: why did this movie hit so hard?” "
              "[1] It comes with a note: “Jennifer Anise is a film lover and filmmaker.” [2]")
    first, second = Citation(1, opening, True), Citation(2, note, True)
    assert excerpt(first, answer).startswith("“I’ll start with a question")
    assert excerpt(second, answer).startswith("“Jennifer Anise is a film lover")
    assert source_of(Shown(answer, (first, second)), second).quotes == ("Jennifer Anise is a film lover and filmmaker.",)


async def test_a_source_label_fits_one_line_of_a_narrow_window_and_grows_when_it_widens(engine):
    app = watched(CompanionApp(loader_for(engine)))
    async with app.run_test(size=(72, 40)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, ENDING)
        sources = app.query_one(SourceList)

        def first_lines() -> list[str]:
            return [str(sources.get_option_at_index(i).prompt).split("\n")[0] for i in range(sources.option_count)]

        narrow = first_lines()
        labels = [str(sources.get_option_at_index(i).prompt) for i in range(sources.option_count)]
        # No line wraps back under the marker: the quote is cut, the byline goes on indented.
        assert narrow and all(len(line) <= sources.size.width for label in labels for line in label.split("\n"))
        assert all(line.startswith("    ") for label in labels for line in label.split("\n")[1:])
        assert all(line.endswith("…”") for line in narrow), narrow
        sources.highlighted = 1
        await pilot.resize_terminal(160, 40)
        await pilot.pause()
        wide = first_lines()
        assert all(len(w) > len(n) for w, n in zip(wide, narrow)) and sources.highlighted == 1


async def test_pastes_keep_their_order_and_joiners_and_show_controls(engine):
    app = watched(CompanionApp(loader_for(engine)))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        composer = app.query_one(Composer)
        app.query_one("#all-sources").focus()
        app.post_message(events.Paste("one \x1b[31mtwo three\r\nfour"))
        await pilot.pause()
        assert composer.has_focus and composer.text == "one \\x1b[31mtwo three\nfour"
        composer.load_text("")
        family, persian = "👨\u200d👩\u200d👧", "می\u200cخواهم"
        for character in f"{family} {persian}":
            # As the terminal parser sends a typed character (the pilot cannot name a joiner's key).
            key = character if character.isalnum() else _character_to_key(character)
            app.post_message(events.Key(key, character))
            await pilot.pause()
        assert composer.text == f"{family} {persian}"


async def test_one_limit_is_stated_where_the_person_types_and_select_all_clears(engine):
    app = watched(CompanionApp(loader_for(engine)))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        composer = app.query_one(Composer)
        app.post_message(events.Paste("x" * 15_000))
        await pilot.pause()
        assert composer.text == "" and f"up to {MAX_QUESTION_CHARS:,}" in said(app)[-1]
        near = MAX_QUESTION_CHARS - 10
        app.post_message(events.Paste("y" * near))
        await pilot.pause()
        assert composer.text == "y" * near and composer.border_subtitle == f"{near:,} / {MAX_QUESTION_CHARS:,}"
        composer.insert("z" * 20)
        await pilot.pause()
        assert "too long" in composer.border_subtitle and composer.has_class("too-long")
        await pilot.press("ctrl+a", "backspace")
        assert composer.text == "" and not composer.border_subtitle


async def test_new_chat_clears_memory_notes(engine, tmp_path):
    from companion.memory import Memory

    engine.memory = Memory(tmp_path / "memory.sqlite3")
    engine.memory.remember("My name is Dana")
    app = watched(CompanionApp(loader_for(engine)))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, "/memory")
        assert app.query(Note)
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert not app.query(Note)
    engine.memory.close()


async def test_switching_backend_clears_the_old_speed(engine, shared_settings):
    app = watched(CompanionApp(loader_for(engine), settings=shared_settings))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, ENDING)
        assert "tok/s" in status(app)
        app.use_backend("extractive")
        await settle(app, pilot)
        assert status(app) == "ready · extractive"


async def test_a_wide_terminal_keeps_a_readable_column(engine):
    app = watched(CompanionApp(loader_for(engine)))
    async with app.run_test(size=(250, 60)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, ENDING)
        chat = app.query_one("#chat")
        for widget in (*app.query(UserMessage), *app.query(Reply), app.query_one(Composer)):
            assert widget.outer_size.width <= 102, widget
            middle = widget.region.x + widget.region.width / 2
            assert abs(middle - (chat.region.x + chat.region.width / 2)) < 12, widget


async def test_a_narrow_footer_still_shows_help(engine):
    app = watched(CompanionApp(loader_for(engine)))
    async with app.run_test(size=(60, 15)) as pilot:
        await settle(app, pilot)
        keys = [k for k in app.screen.query("FooterKey") if k.key == "f1"]
        assert keys and keys[0].region.right <= 60 and keys[0].region.width > 0


async def test_a_fast_burst_typed_in_a_list_all_reaches_the_composer(engine):
    app = watched(CompanionApp(loader_for(engine)))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, ENDING)
        app.query_one(SourceList).focus()
        await pilot.pause()
        typed = "Is she rational? yes"
        for character in typed:  # no pause between keys, as tmux send-keys or a fast typist delivers them
            app.post_message(events.Key(character if character.isalnum() else _character_to_key(character), character))
        await pilot.pause()
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        assert app.query_one(Composer).text == typed


async def test_a_reply_still_streaming_into_a_deleted_conversation_is_not_saved_anew(retrieval, prompts, tmp_path):
    from tests.test_tui import SlowBackend, scripted_engine

    history = History(tmp_path / "c.sqlite3")
    app = watched(CompanionApp(loader_for(scripted_engine(retrieval, prompts, SlowBackend())), history=history))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        app.query_one(Composer).load_text(ENDING)
        await pilot.press("enter")
        await pilot.pause(0.8)
        await pilot.press("ctrl+o", "d", "d")
        await pilot.pause()
        assert history.conversations() == []
        await pilot.press("escape")
        await settle(app, pilot)
        assert history.conversations() == [] and app.conversation_id is None
        assert not any("saved as a new one" in s for s in said(app))
