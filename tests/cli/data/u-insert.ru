# Two new triples in the default graph, one in a named graph.
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
INSERT DATA {
  <http://example.org/carol> foaf:name "Carol" ; foaf:knows <http://example.org/alice> .
  GRAPH <http://example.org/g1> { <http://example.org/carol> foaf:age 33 }
}
