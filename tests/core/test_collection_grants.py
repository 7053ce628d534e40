"""Who sees which collection: parsing the grants and resolving a chat's scope."""

from __future__ import annotations

import pytest

from bot.core.collections import (
    DEFAULT,
    EVERYTHING,
    GrantError,
    Scope,
    collection_of,
    format_grants,
    parse_grants,
    scope_for,
)

GROUP, ALICE, ADMIN = -1001234, 42, 7


@pytest.mark.parametrize(("path", "expected"), [
    ("notes.txt", DEFAULT), ("staff/rota.txt", "staff"), ("web/example.org/a.html", "web"),
    (None, DEFAULT), ("", DEFAULT),
])
def test_a_document_belongs_to_its_top_level_folder(path: str | None, expected: str) -> None:
    assert collection_of(path) == expected


def test_grants_are_read_by_chat_user_and_everyone() -> None:
    grants = parse_grants(f"{GROUP}=staff, faq; {ALICE}=faq\n*=faq,{DEFAULT}; {ADMIN}=*")
    assert grants == {str(GROUP): frozenset({"staff", "faq"}), str(ALICE): frozenset({"faq"}),
                      "*": frozenset({"faq", DEFAULT}), str(ADMIN): None}
    assert format_grants(grants) == [f"{GROUP} = faq, staff", f"{ADMIN} = all collections",
                                     f"{ALICE} = faq", "* = default, faq"]


@pytest.mark.parametrize("text", [
    "staff", "12=", "abc=staff", "12=staff; 12=faq", "12=../etc", "12=a/b", "12=.hidden",
    "12=" + "x" * 65,
])
def test_a_grant_that_cannot_be_read_says_why(text: str) -> None:
    with pytest.raises(GrantError) as caught:
        parse_grants(text)
    assert str(caught.value)


def test_with_no_grant_everyone_sees_everything() -> None:
    for group in (True, False):
        assert scope_for({}, {}, chat_id=GROUP, group=group, user_id=ALICE,
                         admin=False) is EVERYTHING


def test_in_a_group_its_own_grant_alone_decides() -> None:
    configured = {str(GROUP): frozenset({"faq"}), str(ALICE): frozenset({"staff"})}
    # Alice's own grant does not follow her into the group: everyone there reads the reply.
    scope = scope_for(configured, {}, chat_id=GROUP, group=True, user_id=ALICE, admin=True)
    assert scope == Scope(frozenset({"faq"}))
    # A group named nowhere sees what everyone sees: the default collection.
    other = scope_for(configured, {}, chat_id=-99, group=True, user_id=ADMIN, admin=True)
    assert other == Scope(frozenset({DEFAULT}))


def test_in_private_and_inline_the_users_grant_applies() -> None:
    configured = {str(ALICE): frozenset({"staff"}), "*": frozenset({"faq"})}
    assert scope_for(configured, {}, chat_id=ALICE, group=False, user_id=ALICE,
                     admin=False) == Scope(frozenset({"staff"}))
    assert scope_for(configured, {}, chat_id=None, group=False, user_id=8,
                     admin=False) == Scope(frozenset({"faq"}))
    # An admin named nowhere runs the collection and sees all of it, but not in groups.
    assert scope_for(configured, {}, chat_id=None, group=False, user_id=ADMIN,
                     admin=True) is EVERYTHING


def test_grants_made_from_telegram_win_for_the_chats_they_name() -> None:
    configured = {str(GROUP): frozenset({"staff"}), str(ALICE): frozenset({"staff"})}
    stored = {str(GROUP): frozenset({"faq"})}
    assert scope_for(configured, stored, chat_id=GROUP, group=True, user_id=ALICE,
                     admin=False) == Scope(frozenset({"faq"}))
    assert scope_for(configured, stored, chat_id=ALICE, group=False, user_id=ALICE,
                     admin=False) == Scope(frozenset({"staff"}))
    # A stored grant alone is enough to hide the rest from chats named nowhere.
    assert scope_for({}, stored, chat_id=-5, group=True, user_id=ALICE,
                     admin=False) == Scope(frozenset({DEFAULT}))


def test_a_scope_shows_only_its_collections() -> None:
    scope = Scope(frozenset({"faq"}))
    assert scope.allows("faq") and not scope.allows("staff") and not scope.allows(DEFAULT)
    assert EVERYTHING.allows("staff") and EVERYTHING.describe() == "all collections"
