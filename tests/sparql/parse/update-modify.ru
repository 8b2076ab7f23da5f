# DELETE/INSERT WHERE with WITH, USING and USING NAMED; DELETE only;
# INSERT only with template blank nodes (numbered per operation); the
# same template label in two operations is two blank nodes.
PREFIX : <http://example.org/>
WITH :g
DELETE { ?s :p ?o . GRAPH ?h { ?s :q ?o } }
INSERT { ?s :p2 ?o ; :made _:new . _:new :from [ :via ?o ] }
USING :d1 USING NAMED :n1 USING :d2
WHERE { ?s :p ?o OPTIONAL { GRAPH ?h { ?s :q ?o } } } ;
DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER (?o = 1) } ;
INSERT { GRAPH :g { _:new :copy ?s } } WHERE { ?s ?p ?o } ;
BASE <http://example.org/base/>
INSERT { <rel> <p> ?s } USING <data> WHERE { ?s ?p ?o }
