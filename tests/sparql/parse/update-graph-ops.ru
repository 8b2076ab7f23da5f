# The graph management operations, with and without SILENT, and every
# form of graph reference they take.
PREFIX : <http://example.org/>
LOAD <http://example.org/data.ttl> ;
LOAD SILENT :data INTO GRAPH :g ;
CLEAR GRAPH :g ; CLEAR SILENT DEFAULT ; CLEAR NAMED ; CLEAR ALL ;
DROP SILENT GRAPH :g ; DROP DEFAULT ; DROP NAMED ; DROP ALL ;
CREATE GRAPH :new ; CREATE SILENT GRAPH :new2 ;
ADD :a TO :b ; ADD SILENT DEFAULT TO GRAPH :b ;
MOVE GRAPH :a TO DEFAULT ; MOVE SILENT :a TO GRAPH :c ;
COPY DEFAULT TO :d ; COPY SILENT :d TO DEFAULT ;
