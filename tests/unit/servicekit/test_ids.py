import uuid

from hypothesis import given
from hypothesis import strategies as st
from servicekit.ids import uuid_or_none


def test_a_uuid_in_any_spelling_is_read() -> None:
    value = uuid.uuid4()
    assert uuid_or_none(str(value)) == value
    assert uuid_or_none(value.hex) == value
    assert uuid_or_none(value) == value


def test_nothing_or_a_non_uuid_is_none() -> None:
    assert uuid_or_none(None) is None
    assert uuid_or_none("") is None
    assert uuid_or_none("demo-user") is None


@given(st.one_of(st.text(), st.integers(), st.none(), st.binary()))
def test_any_value_gives_a_uuid_or_none_and_never_raises(value: object) -> None:
    result = uuid_or_none(value)
    assert result is None or isinstance(result, uuid.UUID)
