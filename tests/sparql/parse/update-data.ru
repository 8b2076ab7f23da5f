# INSERT DATA and DELETE DATA: quads in the default graph and in named
# graphs, blank nodes in INSERT DATA (one label, one node, across GRAPH
# blocks), collections, and an empty block.
PREFIX : <http://example.org/>
INSERT DATA {
  :s :p "o" ; :q _:b .
  GRAPH :g1 { _:b :p [ :r 1 ] , ( 1 2 ) }
  GRAPH :g2 { } .
  :t :u :v
} ;
DELETE DATA { :s :p "o" . GRAPH :g1 { :s :p () } } ;
INSERT DATA { }
