# A ';' may end the request, and a prologue may follow it.
CLEAR ALL ; PREFIX : <http://example.org/>
