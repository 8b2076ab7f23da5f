# DELETE WHERE: the quad pattern, and the same as a group to match:
# default-graph triples first, then one GRAPH element per graph.
PREFIX : <http://example.org/>
DELETE WHERE {
  ?s :p ?o .
  GRAPH ?g { ?s :q ?x }
  ?o :r ?s .
  GRAPH :g2 { ?s :t ?y . ?y :u ?z }
}
