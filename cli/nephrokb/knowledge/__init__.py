"""The knowledge model read from the graph: procedures, mappings, literature, lookup, statistics."""
