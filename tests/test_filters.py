"""The filter set's copies of its filters and form: nothing leaks from one request to another."""

from django.http import QueryDict

from relations.filters import EventFilter
from relations.models import Event


def test_two_filter_sets_share_no_state(db):
    first = EventFilter(QueryDict("status=confirmed&category=trade"), queryset=Event.objects.all())
    second = EventFilter(QueryDict("status=disputed"), queryset=Event.objects.public())
    assert first.is_valid() and second.is_valid()
    assert first.form is not second.form
    assert first.form.fields["status"] is not second.form.fields["status"]
    assert first.form.cleaned_data["category"] == ["trade"]
    assert second.form.cleaned_data["category"] == []
    for name, filter_ in first.filters.items():
        assert filter_.parent is first
        assert filter_ is not second.filters[name]
        assert filter_.extra is not EventFilter.base_filters[name].extra
    assert first.criteria().status == "confirmed" and second.criteria().status == "disputed"
    assert all(getattr(f, "parent", None) is None for f in EventFilter.base_filters.values())
