# An update request may hold no operation at all, only a prologue.
PREFIX : <http://example.org/>
