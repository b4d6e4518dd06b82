"""Querysets compiled once per process and run again with other values.

A reader's request on a hot path (the event page, a page of results) runs a
few small queries whose shape never changes, only their values (a slug, a
list of ids). Building such a queryset and compiling it costs the ORM several
times what the database takes to answer it (bench/NOTES.md has the figures).
`Prepared` keeps what the ORM writes for the query, with marker values in
place of the real ones, and runs that SQL with the request's values: the
queryset stays the one definition of the query, and its rows come back as the
ORM would give them (model instances with only the fields selected, or
values_list tuples), with the database's converters applied.
"""

import itertools

from django.db import connections, router

_numbers = itertools.count(1)


class Marker:
    """A value unlike any real one, to find where a value lands among a query's params."""

    def __init__(self, kind):
        self.kind = kind
        number = next(_numbers)
        self.value = f"\x00prepared-{number}\x00" if kind is str else -(10**15) - number


class Prepared:
    """`build(*values)` -> QuerySet, compiled once per database and shape of its values.

    Each value is a str, an int, or a list of ints (for `__in`; compiled once per length).
    Call with the values to get the rows: `Prepared(lambda slug: Event.objects.filter(
    slug=slug))("some-slug")` is `list(Event.objects.filter(slug="some-slug"))`.
    """

    def __init__(self, build, *kinds):
        self.build = build
        self.kinds = kinds  # str, int or list, one per value
        self.compiled = {}
        self.model = None

    def __call__(self, *values):
        shape = tuple(
            len(value) if kind is list else None
            for kind, value in zip(self.kinds, values, strict=True)
        )
        if any(kind is list and not value for kind, value in zip(self.kinds, values, strict=True)):
            return []  # `__in` an empty list: the ORM asks nothing either
        if self.model is None:
            self.model = self.build(*self.markers(shape)).model
        alias = router.db_for_read(self.model)
        key = (alias, shape)
        if key not in self.compiled:
            self.compiled[key] = self.compile(alias, shape)
        return self.run(alias, self.compiled[key], values)

    def markers(self, shape):
        markers = []
        for kind, length in zip(self.kinds, shape, strict=True):
            if kind is list:
                markers.append([Marker(int).value for _ in range(length)])
            else:
                markers.append(Marker(kind).value)
        return markers

    def compile(self, alias, shape):
        markers = self.markers(shape)
        queryset = self.build(*markers)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        places = {param: index for index, param in enumerate(params)}
        slots = []  # for each value: the index of its param, or of each of its items
        for marker in markers:
            items = marker if isinstance(marker, list) else [marker]
            indexes = [places.get(item) for item in items]
            if None in indexes or sum(params.count(item) for item in items) != len(items):
                raise ValueError(f"a value of {queryset.query} is not one plain parameter")
            slots.append(indexes if isinstance(marker, list) else indexes[0])
        fields = None
        if not queryset.query.values_select:  # model instances
            if compiler.annotation_col_map or compiler.klass_info.get("related_klass_infos"):
                raise ValueError("annotations and select_related() are not prepared")
            fields = [column.target.attname for column, _, _ in compiler.select]
        converters = compiler.get_converters([column for column, _, _ in compiler.select])
        return sql, list(params), slots, compiler, converters, fields, queryset.model

    def run(self, alias, compiled, values):
        sql, params, slots, compiler, converters, fields, model = compiled
        params = list(params)
        for slot, value in zip(slots, values, strict=True):
            if isinstance(slot, list):
                for index, item in zip(slot, value, strict=True):
                    params[index] = item
            else:
                params[slot] = value
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = list(compiler.apply_converters(rows, converters))
        if fields is None:
            return [tuple(row) for row in rows]
        return [model.from_db(alias, fields, row) for row in rows]
