DELETE { ?s <p> ( 1 ) } WHERE { ?s ?p ?o }
