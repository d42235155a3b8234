"""SPARQL: running queries, writing results, talking to endpoints, publishing and serving."""
