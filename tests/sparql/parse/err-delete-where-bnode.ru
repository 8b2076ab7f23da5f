DELETE WHERE { ?s <p> _:b }
