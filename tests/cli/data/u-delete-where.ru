# Remove every foaf:name triple.
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
DELETE WHERE { ?s foaf:name ?n }
