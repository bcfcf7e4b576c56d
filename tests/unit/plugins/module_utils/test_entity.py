import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.backend import matches
from ansible_collections.isp.provisioning.plugins.module_utils.entity import Charset, EntitySpec, Field
from ansible_collections.isp.provisioning.plugins.module_utils.values import as_text, casefold

SPEC = EntitySpec(
    name="customer",
    plural="customers",
    identity="sn",
    fields=[
        Field("sn"),
        Field("email", normalise=casefold),
        Field("service", normalise=as_text),
        Field("password", no_log=True),
        Field("id", readonly=True),
    ],
)


def test_argument_spec_of_a_bulk_record_requires_the_identity_and_takes_a_state():
    spec = SPEC.record_argument_spec()
    assert spec["sn"]["required"] is True
    assert spec["state"] == {"type": "str", "choices": ["present", "absent"]}
    assert spec["password"]["no_log"] is True
    assert "id" not in spec  # read-only fields are returned, never taken


def test_desired_keeps_only_named_fields():
    assert SPEC.desired({"sn": "A", "email": None, "service": 3, "id": "9"}) == {
        "sn": "A", "service": 3}


def test_differences_compare_normalised_values():
    current = {"sn": "A", "email": "Ops@Example.net", "service": "3"}
    assert SPEC.differences({"sn": "A", "email": "ops@example.net", "service": 3}, current) == {}
    assert SPEC.differences({"sn": "A", "service": 4}, current) == {"service": 4}


def test_matches_uses_text_globs_and_exact_booleans():
    record = {"name": "lab-7", "enabled": False, "service": 8}
    assert matches(record, {"name": "lab-*", "service": "8"})
    assert not matches(record, {"name": "prod-*"})
    assert matches(record, {"enabled": False})
    assert not matches(record, {"enabled": True})
    assert matches({"name": None}, {"name": "*"})


WIRED = EntitySpec(
    name="customer",
    plural="customers",
    identity="user_id",
    label="test customer",
    fields=[
        Field("user_id", wire="UserID", lookup=True),
        Field("name", create_requires=True, max_length=5, filter=True),
        Field("nickname", pattern=r"[a-z_]+", rule="may hold only a-z and _",
              create_requires=True),
        Field("note", charset=Charset(r"[\\']", "a quote or a backslash, which the server "
                                                "cannot store")),
        Field("mac", read="macaddress", write="mac", filter="mac_filter"),
        Field("reset", type="bool", read=False),
        Field("action", type="bool", wire=False),
        Field("pin", no_log=True, pattern=r"\d+", rule="must be digits"),
        Field("id", readonly=True),
    ],
)


def test_a_field_knows_its_wire_names_each_way():
    by_name = WIRED.by_name
    assert (by_name["user_id"].read_name, by_name["user_id"].write_name) == ("UserID", "UserID")
    assert (by_name["mac"].read_name, by_name["mac"].write_name) == ("macaddress", "mac")
    assert (by_name["reset"].read_name, by_name["reset"].write_name) == (None, "reset")
    assert (by_name["id"].read_name, by_name["id"].write_name) == ("id", None)
    assert (by_name["action"].read_name, by_name["action"].write_name) == (None, None)


def test_filters_and_lookups_come_from_the_fields():
    assert WIRED.filters == {"name": "name", "mac": "mac_filter"}
    assert WIRED.lookups == ("user_id",)


def test_limits_are_reported_per_field_in_words():
    problems = WIRED.problems(
        {"user_id": "u", "name": "toolong", "nickname": "Bad Nick", "note": "it's"})
    assert problems == [
        "name is 7 characters long, more than the 5 the backend stores",
        "nickname 'Bad Nick' may hold only a-z and _",
        "note contains a quote or a backslash, which the server cannot store",
    ]
    assert WIRED.problems({"user_id": "u", "name": "short", "nickname": "ok_nick"}) == []


def test_a_secret_that_breaks_a_limit_is_not_shown():
    assert WIRED.problems({"pin": "s3cret"}) == ["pin <secret> must be digits"]


UNCARRIED = "a character no backend can carry (control characters other than tab, newline " \
            "and carriage return, unpaired surrogates, U+FFFE and U+FFFF)"


@pytest.mark.parametrize("value, character", [
    ("Ada\x00Lovelace", "U+0000"),
    ("bell\x07", "U+0007"),
    ("esc\x1b[0m", "U+001B"),
    ("half \ud800 pair", "U+D800"),
    ("not\ufffe", "U+FFFE"),
    ("not\uffff", "U+FFFF"),
])
def test_characters_no_backend_can_carry_are_refused_in_every_field(value, character):
    assert WIRED.problems({"user_id": "u", "name": value}) == [
        f"name contains {character}, {UNCARRIED}"]
    # a field with no limits of its own, a secret (its value never shown) and the identity
    assert WIRED.problems({"user_id": value, "pin": value}) == [
        f"user_id contains {character}, {UNCARRIED}", f"pin contains {character}, {UNCARRIED}"]


def test_the_check_reaches_into_lists_and_mappings_keys_included():
    spec = EntitySpec("thing", "things", "key", [
        Field("key"), Field("tags", "list", elements="str"), Field("custom", "dict")])
    assert spec.problems({"key": "k", "tags": ["a", "b\x00"], "custom": {"7": "ok"}}) == [
        f"tags contains U+0000, {UNCARRIED}"]
    assert spec.problems({"key": "k", "custom": {"7\x01": "x", "8": {"deep": "\x02"}}}) == [
        f"custom contains U+0001, {UNCARRIED}"]


def test_tab_newline_carriage_return_and_any_other_text_are_carried():
    assert WIRED.problems({"user_id": "u", "name": "a\tb", "note": "line\r\nnext \x7f\x85 é"}
                          ) == []
    assert WIRED.problems({"user_id": "u\U0001F600"}) == []


def test_create_requirements_are_worded_by_the_spec():
    assert WIRED.missing_on_create({"user_id": "u", "name": "n", "nickname": "k"}) is None
    assert WIRED.missing_on_create({"user_id": "u", "name": "n"}) == (
        "nickname is required to create it")
    assert WIRED.missing_on_create({"user_id": "u", "name": ""}) == (
        "name and nickname are required to create it")
    assert WIRED.problems({"nickname": ""}) == ["nickname '' may hold only a-z and _"]
    worded = EntitySpec("c", "cs", "a", [Field("a"), Field("b", create_requires=True),
                                         Field("c", create_requires=True),
                                         Field("d", create_requires=True)],
                        create_needs="to create it the server also needs {fields}")
    assert worded.missing_on_create({"a": 1}) == "to create it the server also needs b, c, d"
