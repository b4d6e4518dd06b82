"""The read model's default backend: each data version's published events in memory."""

from relations import held
from relations.readmodel.snapshot import Snapshot
from relations.readmodel.text import matching_ids


class MemoryBackend:
    def __init__(self):
        self.snapshot = held.PerVersion(Snapshot)

    def query(self, criteria, version):
        text_ids = matching_ids(criteria.text, version) if criteria.text else None
        return self.snapshot(version).query(criteria, text_ids)

    def around(self, pk, limit, version):
        return self.snapshot(version).around(pk, limit)
