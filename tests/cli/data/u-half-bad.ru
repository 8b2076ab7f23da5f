# An insert followed by an operation that fails: the request must change
# nothing at all.
INSERT DATA { <http://example.org/dave> <http://xmlns.com/foaf/0.1/name> "Dave" } ;
LOAD <file:///nonexistent/file.ttl>
