# The same label in the templates of two operations is two blank nodes
# (each template makes its own); WHERE labels are variables.
PREFIX : <http://example.org/>
INSERT { _:b :p ?o } WHERE { _:x :p ?o } ;
INSERT { _:b :q ?o . GRAPH :g { _:b :r [] } } WHERE { ?s :q ?o }
